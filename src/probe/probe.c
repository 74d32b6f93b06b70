/* The probe as a state machine over one non-blocking socket:
 *
 *   CONNECT ─► [PG_SEND ─► PG_RECV]      (postgres: SSLRequest, 'S' or 'N')
 *           ─► [MY_GREETING ─► MY_SEND]  (mysql: greeting, SSLRequest)
 *           ─► TLS ─► DONE
 *
 * Every step does what the socket allows now and returns; nothing here
 * waits. Verification never aborts the handshake: the callback records the
 * first chain error and the first date error and lets it finish, so the
 * leaf is reported for an untrusted, expired or misnamed server too, and
 * the classification happens once, with every fact in hand. */
#include "probe/probe.h"
#include "core/fleet.h"
#include "core/xalloc.h"
#include "store/certinfo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* A MySQL greeting is ~80-120 bytes; anything this large is not one. */
#define GREETING_MAX 1024
/* PostgreSQL SSLRequest: length 8, then the code 80877103 (0x04d2162f). */
static const unsigned char pg_sslrequest[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
/* MySQL capability flags (protocol 10 handshake). */
#define MY_CLIENT_LONG_PASSWORD     0x00000001u
#define MY_CLIENT_PROTOCOL_41       0x00000200u
#define MY_CLIENT_SSL               0x00000800u
#define MY_CLIENT_SECURE_CONNECTION 0x00008000u

enum phase { PH_CONNECT, PH_PG_SEND, PH_PG_RECV, PH_MY_GREETING, PH_MY_SEND, PH_TLS, PH_DONE };

struct probe {
	enum phase phase;
	int fd;
	int wants;
	long long deadline;         /* CLOCK_MONOTONIC ms */
	int timeout_ms;
	enum probe_proto proto;
	char *verify_name;
	bool verify_is_ip;
	struct addrinfo *ai_list;
	struct addrinfo *ai_next;   /* next address to try after a failed connect */
	char where[80];             /* "127.0.0.1:6379" of the current attempt */
	X509_STORE *store;
	SSL *ssl;
	unsigned char buf[GREETING_MAX + 4];
	size_t len;                 /* bytes in buf (received, or to send) */
	size_t off;                 /* bytes of buf already sent */
	int chain_err, chain_depth; /* first error that leaves the chain untrusted */
	int date_err, date_depth;   /* first expired / not-yet-valid error */
	unsigned char rec_hdr[5];   /* first TLS record header the server sent */
	bool got_rec_hdr;
	struct probe_outcome out;
};

static SSL_CTX *shared_ctx;

/* ---- tables ----------------------------------------------------------------- */


static const char *const proto_names[] = {
	[PROBE_REDIS] = "redis", [PROBE_DCS] = "dcs", [PROBE_MONGODB] = "mongodb",
	[PROBE_POSTGRES] = "postgres", [PROBE_MYSQL] = "mysql",
};

const char *probe_proto_name(enum probe_proto p)
{
	return (unsigned)p < PROBE_PROTO_COUNT ? proto_names[p] : "redis";
}

bool probe_proto_from_name(const char *name, enum probe_proto *out)
{
	/* MariaDB speaks the MySQL protocol 10 greeting and SSLRequest */
	if (name && strcmp(name, "mariadb") == 0) {
		*out = PROBE_MYSQL;
		return true;
	}
	for (int i = 0; name && i < PROBE_PROTO_COUNT; i++) {
		if (strcmp(name, proto_names[i]) == 0) {
			*out = (enum probe_proto)i;
			return true;
		}
	}
	return false;
}

/* ---- small helpers ---------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bytes from the network shown in a message: printable ASCII or '.'. */
static char *printable(const unsigned char *d, size_t n)
{
	char *s = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++)
		s[i] = d[i] >= 0x20 && d[i] < 0x7f ? (char)d[i] : '.';
	s[n] = '\0';
	return s;
}

/* The reason of the first queued OpenSSL error ("wrong version number"),
 * or NULL; the queue is cleared either way. */
static char *ossl_reason(void)
{
	unsigned long e = ERR_peek_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	char *s = NULL;

	if (e)
		s = r ? xstrdup(r) : xasprintf("OpenSSL error %#lx", e);
	ERR_clear_error();
	return s;
}

/* ---- the leaf --------------------------------------------------------------- */

static void leaf_add_san(struct probe_leaf *l, char *s)
{
	l->san = xreallocarray(l->san, l->n_san + 1, sizeof(*l->san));
	l->san[l->n_san++] = s;
}

static void leaf_read_san(struct probe_leaf *l, X509 *x)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);

	for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		char ip[INET6_ADDRSTRLEN];

		if (g->type == GEN_DNS) {
			const ASN1_STRING *a = g->d.dNSName;
			leaf_add_san(l, printable(ASN1_STRING_get0_data(a),
			                          (size_t)ASN1_STRING_length(a)));
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *a = g->d.iPAddress;
			int n = ASN1_STRING_length(a);
			int af = n == 4 ? AF_INET : n == 16 ? AF_INET6 : 0;
			if (af && inet_ntop(af, ASN1_STRING_get0_data(a), ip, sizeof(ip)))
				leaf_add_san(l, xstrdup(ip));
		}
	}
	GENERAL_NAMES_free(names);
}

/* Subject, issuer, dates and digest come from certinfo, so a leaf reads
 * exactly like a CA certificate elsewhere in tlsfleet. */
static struct probe_leaf *leaf_read(X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	struct ca_file cf = {0};
	char *err = NULL;
	struct probe_leaf *l;

	if (n <= 0)
		return NULL;
	if (certinfo_read(der, (size_t)n, "leaf", &cf, &err) != 0 || cf.n_certs == 0) {
		free(err);
		certinfo_free(&cf);
		OPENSSL_free(der);
		return NULL;
	}
	l = xcalloc(1, sizeof(*l));
	l->subject = cf.certs[0].subject;
	l->issuer = cf.certs[0].issuer;
	cf.certs[0].subject = cf.certs[0].issuer = NULL;
	l->not_before = cf.certs[0].not_before;
	l->not_after = cf.certs[0].not_after;
	memcpy(l->sha256, cf.certs[0].sha256, sizeof(l->sha256));
	certinfo_free(&cf);
	OPENSSL_free(der);

	if (l->not_after != TIME_NONE) {
		long long diff = (long long)l->not_after - (long long)time(NULL);
		long long d = diff / 86400;
		if (diff % 86400 != 0 && diff < 0)
			d--;
		l->days_left = (long)d;
	}
	leaf_read_san(l, x);
	return l;
}

/* ---- ending ------------------------------------------------------------------ */

static void close_all(struct probe *p)
{
	if (p->ssl) {
		/* close_notify, best effort: a non-blocking shutdown that cannot
		 * write now is not waited for. */
		if (SSL_is_init_finished(p->ssl))
			SSL_shutdown(p->ssl);
		SSL_free(p->ssl);
		p->ssl = NULL;
	}
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	X509_STORE_free(p->store);
	p->store = NULL;
	if (p->ai_list) {
		freeaddrinfo(p->ai_list);
		p->ai_list = p->ai_next = NULL;
	}
	ERR_clear_error();
}

__attribute__((format(printf, 3, 4)))
static void finish(struct probe *p, enum probe_result r, const char *fmt, ...)
{
	if (p->phase == PH_DONE)
		return;
	p->out.result = r;
	free(p->out.error);
	p->out.error = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		p->out.error = xvasprintf(fmt, ap);
		va_end(ap);
	}
	close_all(p);
	p->phase = PH_DONE;
	p->wants = 0;
}

/* ---- trust ------------------------------------------------------------------- */

/* Exactly the given certificates, never the system store. PARTIAL_CHAIN:
 * a provider's CA file may hold an intermediate without its root, and a
 * client configured with that file accepts a chain ending there. */
static X509_STORE *store_build(const struct probe_target *t, char **why)
{
	BIO *b = t->ca_pem ? BIO_new_mem_buf(t->ca_pem, -1) :
	         t->ca_file ? BIO_new_file(t->ca_file, "r") : NULL;
	X509_STORE *st;
	X509 *x;
	int n = 0;

	if (!t->ca_pem && !t->ca_file) {
		*why = xstrdup("no CA certificate to verify with");
		return NULL;
	}
	if (!b) {
		*why = xasprintf("cannot read CA file %s: %s", t->ca_file, strerror(errno));
		ERR_clear_error();
		return NULL;
	}
	st = X509_STORE_new();
	if (!st)
		die(70, "out of memory (OpenSSL)");
	while ((x = PEM_read_bio_X509_AUX(b, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(st, x) == 1)
			n++;
		X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
	if (n == 0) {
		X509_STORE_free(st);
		*why = t->ca_pem ? xstrdup("no PEM certificate in the CA data") :
		       xasprintf("no PEM certificate in %s", t->ca_file);
		return NULL;
	}
	X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN);
	return st;
}

static int verify_cb(int preverify_ok, X509_STORE_CTX *sctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct probe *p = ssl ? SSL_get_app_data(ssl) : NULL;

	if (!preverify_ok && p) {
		int e = X509_STORE_CTX_get_error(sctx);
		int depth = X509_STORE_CTX_get_error_depth(sctx);

		if (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID) {
			if (!p->date_err) {
				p->date_err = e;
				p->date_depth = depth;
			}
		} else if (!p->chain_err) {
			p->chain_err = e;
			p->chain_depth = depth;
		}
	}
	return 1;   /* let the handshake finish; classify afterwards */
}

/* Remembers the first record header the server sent: when the handshake
 * fails, it tells a plaintext answer from a broken TLS one. */
static void msg_cb(int write_p, int version, int content_type, const void *buf,
                   size_t len, SSL *ssl, void *arg)
{
	struct probe *p = arg;

	(void)version;
	(void)ssl;
	if (!write_p && content_type == SSL3_RT_HEADER && len >= 5 && !p->got_rec_hdr) {
		memcpy(p->rec_hdr, buf, 5);
		p->got_rec_hdr = true;
	}
}

static SSL_CTX *ctx_get(void)
{
	if (!shared_ctx) {
		shared_ctx = SSL_CTX_new(TLS_client_method());
		if (!shared_ctx)
			die(70, "cannot create a TLS context: %s", ERR_reason_error_string(ERR_get_error()));
		/* every probe is a full handshake: the point is to see the leaf */
		SSL_CTX_set_session_cache_mode(shared_ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(shared_ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_verify(shared_ctx, SSL_VERIFY_PEER, verify_cb);
	}
	return shared_ctx;
}

void probe_cleanup(void)
{
	SSL_CTX_free(shared_ctx);
	shared_ctx = NULL;
}

/* ---- TLS --------------------------------------------------------------------- */

static void tls_begin(struct probe *p)
{
	p->ssl = SSL_new(ctx_get());
	if (!p->ssl)
		die(70, "out of memory (OpenSSL)");
	SSL_set_app_data(p->ssl, p);
	SSL_set1_verify_cert_store(p->ssl, p->store);
	SSL_set_msg_callback(p->ssl, msg_cb);
	SSL_set_msg_callback_arg(p->ssl, p);
	if (!p->verify_is_ip)
		SSL_set_tlsext_host_name(p->ssl, p->verify_name);
	SSL_set_fd(p->ssl, p->fd);
	SSL_set_connect_state(p->ssl);
	p->phase = PH_TLS;
}

static bool is_tls_content_type(unsigned char c)
{
	return c >= 20 && c <= 24;   /* change_cipher_spec .. heartbeat */
}

static void tls_failed(struct probe *p, int ret, int e)
{
	int sys = errno;
	char *why = ossl_reason();

	if (p->got_rec_hdr && !is_tls_content_type(p->rec_hdr[0])) {
		char *text = printable(p->rec_hdr, 5);
		finish(p, PROBE_PLAINTEXT, "server answered the TLS hello without TLS: \"%s...\"", text);
		free(text);
	} else if (e == SSL_ERROR_SYSCALL && ret == 0 && !why) {
		finish(p, PROBE_TLS_ERROR, "connection closed during the TLS handshake");
	} else if (e == SSL_ERROR_SYSCALL && !why) {
		finish(p, PROBE_TLS_ERROR, "TLS handshake: %s", strerror(sys));
	} else {
		finish(p, PROBE_TLS_ERROR, "TLS handshake failed: %s", why ? why : "unknown error");
	}
	free(why);
}

static void tls_classify(struct probe *p)
{
	X509 *leaf = SSL_get1_peer_certificate(p->ssl);
	long vr = SSL_get_verify_result(p->ssl);
	const char *name = p->verify_name;

	p->out.tls_version = xstrdup(SSL_get_version(p->ssl));
	if (!leaf) {
		finish(p, PROBE_TLS_ERROR, "server sent no certificate");
		return;
	}
	p->out.leaf = leaf_read(leaf);
	int name_ok = p->verify_is_ip ? X509_check_ip_asc(leaf, name, 0)
	                              : X509_check_host(leaf, name, 0, 0, NULL);
	X509_free(leaf);

	if (p->chain_err)
		finish(p, PROBE_UNTRUSTED, "certificate chain does not reach the given CA: %s (depth %d)",
		       X509_verify_cert_error_string(p->chain_err), p->chain_depth);
	else if (p->date_err == X509_V_ERR_CERT_HAS_EXPIRED)
		finish(p, PROBE_EXPIRED, "%s has expired",
		       p->date_depth ? "a CA certificate of the chain" : "the server certificate");
	else if (p->date_err)
		finish(p, PROBE_NOT_YET_VALID, "%s is not valid yet",
		       p->date_depth ? "a CA certificate of the chain" : "the server certificate");
	else if (name_ok != 1)
		finish(p, PROBE_NAME_MISMATCH, "the server certificate is not for %s", name);
	else if (vr != X509_V_OK)   /* an error the callback did not see */
		finish(p, PROBE_UNTRUSTED, "certificate verification failed: %s",
		       X509_verify_cert_error_string(vr));
	else
		finish(p, PROBE_OK, NULL);
}

static void step_tls(struct probe *p)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_connect(p->ssl);
	if (r == 1) {
		tls_classify(p);
		return;
	}
	int e = SSL_get_error(p->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		p->wants = PROBE_WANT_READ;
	else if (e == SSL_ERROR_WANT_WRITE)
		p->wants = PROBE_WANT_WRITE;
	else
		tls_failed(p, r, e);
}

/* ---- plain bytes before TLS ----------------------------------------------- */

/* 1: all of buf sent; 0: try again later; -1: failed (errno). */
static int io_send(struct probe *p)
{
	while (p->off < p->len) {
		ssize_t n = send(p->fd, p->buf + p->off, p->len - p->off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				p->wants = PROBE_WANT_WRITE;
				return 0;
			}
			return -1;
		}
		p->off += (size_t)n;
	}
	return 1;
}

/* Reads until buf holds `need` bytes. 1: done; 0: later; -1: failed
 * (errno); -2: the server closed the connection. */
static int io_recv(struct probe *p, size_t need)
{
	while (p->len < need) {
		ssize_t n = recv(p->fd, p->buf + p->len, need - p->len, 0);
		if (n == 0)
			return -2;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				p->wants = PROBE_WANT_READ;
				return 0;
			}
			return -1;
		}
		p->len += (size_t)n;
	}
	return 1;
}

static void io_failed(struct probe *p, int r, const char *what)
{
	if (r == -2)
		finish(p, PROBE_TLS_ERROR, "server closed the connection during the %s", what);
	else if (errno == ECONNRESET)
		finish(p, PROBE_TLS_ERROR, "connection reset during the %s", what);
	else
		finish(p, PROBE_TLS_ERROR, "%s: %s", what, strerror(errno));
}

static void step_pg(struct probe *p)
{
	int r;

	if (p->phase == PH_PG_SEND) {
		if ((r = io_send(p)) <= 0) {
			if (r < 0)
				io_failed(p, r, "PostgreSQL SSLRequest");
			return;
		}
		p->phase = PH_PG_RECV;
		p->len = 0;
	}
	if ((r = io_recv(p, 1)) <= 0) {
		if (r < 0)
			io_failed(p, r, "PostgreSQL SSLRequest");
		return;
	}
	if (p->buf[0] == 'S')
		tls_begin(p);
	else if (p->buf[0] == 'N')
		finish(p, PROBE_PLAINTEXT, "server answered the SSLRequest with N: TLS is off");
	else if (p->buf[0] == 'E')
		finish(p, PROBE_TLS_ERROR, "server answered the SSLRequest with an error");
	else
		finish(p, PROBE_TLS_ERROR, "unexpected answer 0x%02x to the SSLRequest", p->buf[0]);
}

/* Reads the protocol 10 greeting and queues the 32-byte SSLRequest. */
static void my_greeting(struct probe *p)
{
	int r = io_recv(p, 4);
	size_t plen;

	if (r <= 0) {
		if (r < 0)
			io_failed(p, r, "MySQL greeting");
		return;
	}
	plen = p->buf[0] | (size_t)p->buf[1] << 8 | (size_t)p->buf[2] << 16;
	if (plen == 0 || plen > GREETING_MAX) {
		finish(p, PROBE_TLS_ERROR, "not a MySQL greeting (packet of %zu bytes)", plen);
		return;
	}
	if ((r = io_recv(p, 4 + plen)) <= 0) {
		if (r < 0)
			io_failed(p, r, "MySQL greeting");
		return;
	}
	const unsigned char *d = p->buf + 4, *end = d + plen;
	unsigned seq = p->buf[3];
	if (d[0] == 0xff) {   /* ERR packet: code (2), then a message */
		char *msg = printable(d + (plen > 3 ? 3 : plen), plen > 3 ? plen - 3 : 0);
		finish(p, PROBE_TLS_ERROR, "server refused the connection: %s", msg);
		free(msg);
		return;
	}
	if (d[0] != 10) {
		finish(p, PROBE_TLS_ERROR, "not a MySQL protocol 10 greeting (version %u)", d[0]);
		return;
	}
	const unsigned char *q = memchr(d + 1, 0, plen - 1);   /* server version */
	if (!q || end - q < 1 + 4 + 8 + 1 + 2) {
		finish(p, PROBE_TLS_ERROR, "truncated MySQL greeting");
		return;
	}
	q += 1 + 4 + 8 + 1;   /* NUL, connection id, auth data part 1, filler */
	unsigned caps = q[0] | (unsigned)q[1] << 8;
	unsigned charset = end - q > 2 ? q[2] : 33;   /* utf8_general_ci */
	if (!(caps & MY_CLIENT_SSL)) {
		finish(p, PROBE_PLAINTEXT, "server does not offer TLS (no CLIENT_SSL in its greeting)");
		return;
	}
	/* SSLRequest: the first 32 bytes of a HandshakeResponse41, no user */
	uint32_t flags = MY_CLIENT_LONG_PASSWORD | MY_CLIENT_PROTOCOL_41 | MY_CLIENT_SSL |
	                 MY_CLIENT_SECURE_CONNECTION;
	uint32_t maxpkt = 16777216;
	memset(p->buf, 0, 36);
	p->buf[0] = 32;
	p->buf[3] = (unsigned char)(seq + 1);
	for (int i = 0; i < 4; i++) {
		p->buf[4 + i] = (unsigned char)(flags >> (8 * i));
		p->buf[8 + i] = (unsigned char)(maxpkt >> (8 * i));
	}
	p->buf[12] = (unsigned char)charset;
	p->len = 36;
	p->off = 0;
	p->phase = PH_MY_SEND;
}

static void step_my(struct probe *p)
{
	if (p->phase == PH_MY_GREETING)
		my_greeting(p);
	if (p->phase == PH_MY_SEND) {
		int r = io_send(p);
		if (r < 0)
			io_failed(p, r, "MySQL SSLRequest");
		else if (r > 0)
			tls_begin(p);
	}
}

/* ---- connecting ------------------------------------------------------------ */

static void connected(struct probe *p)
{
	int one = 1;

	/* the preambles are single small writes: do not let Nagle hold them */
	setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	p->len = p->off = 0;
	switch (p->proto) {
	case PROBE_POSTGRES:
		memcpy(p->buf, pg_sslrequest, sizeof(pg_sslrequest));
		p->len = sizeof(pg_sslrequest);
		p->phase = PH_PG_SEND;
		break;
	case PROBE_MYSQL:
		p->phase = PH_MY_GREETING;
		break;
	default:
		tls_begin(p);
		break;
	}
}

static void connect_failed(struct probe *p, int e)
{
	if (e == ECONNREFUSED)
		finish(p, PROBE_REFUSED, "connect to %s: connection refused", p->where);
	else if (e == ETIMEDOUT)
		finish(p, PROBE_TIMEOUT, "connect to %s: %s", p->where, strerror(e));
	else
		finish(p, PROBE_UNREACHABLE, "connect to %s: %s", p->where, strerror(e));
}

static void describe_addr(struct probe *p, const struct addrinfo *ai)
{
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";

	getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), port, sizeof(port),
	            NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(p->where, sizeof(p->where), ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	         host, port);
}

/* Tries the remaining addresses until one connects or is in progress. */
static void connect_next(struct probe *p)
{
	int e = 0;

	while (p->ai_next) {
		const struct addrinfo *ai = p->ai_next;
		p->ai_next = ai->ai_next;
		describe_addr(p, ai);
		p->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		               ai->ai_protocol);
		if (p->fd < 0) {
			e = errno;
			continue;
		}
		if (connect(p->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			connected(p);
			return;
		}
		if (errno == EINPROGRESS) {
			p->phase = PH_CONNECT;
			p->wants = PROBE_WANT_WRITE;
			return;
		}
		e = errno;
		close(p->fd);
		p->fd = -1;
	}
	connect_failed(p, e ? e : EHOSTUNREACH);
}

static void step_connect(struct probe *p)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLOUT};
	int e = 0;
	socklen_t len = sizeof(e);

	/* SO_ERROR reads 0 while the connect is still in progress too */
	if (poll(&pfd, 1, 0) <= 0)
		return;
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		e = errno;
	if (e == 0) {
		connected(p);
		return;
	}
	close(p->fd);
	p->fd = -1;
	if (p->ai_next)
		connect_next(p);
	else
		connect_failed(p, e);
}

/* ---- public ----------------------------------------------------------------- */

static bool is_ip_literal(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

void probe_start(const struct probe_target *t, struct probe **out)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	char port[8];
	char *why = NULL;

	*out = p;
	p->fd = -1;
	p->phase = PH_CONNECT;
	p->proto = t->proto;
	p->timeout_ms = t->timeout_ms > 0 ? t->timeout_ms : 10000;
	p->deadline = now_ms() + p->timeout_ms;
	p->verify_name = xstrdup(t->verify_name && *t->verify_name ? t->verify_name : t->host);

	if (!t->host || !*t->host || t->port <= 0 || t->port > 65535) {
		finish(p, PROBE_NO_ADDRESS, "no %s to dial", !t->host || !*t->host ? "host" : "port");
		return;
	}
	p->verify_is_ip = is_ip_literal(p->verify_name);
	if (!(p->store = store_build(t, &why))) {
		finish(p, PROBE_NO_CA, "%s", why);
		free(why);
		return;
	}
	snprintf(port, sizeof(port), "%d", t->port);
	/* An IP literal resolves without any I/O. A DNS name costs a blocking
	 * getaddrinfo(): ~0.1 ms from nscd/systemd-resolved's cache, a resolver
	 * round trip otherwise, and up to timeout x attempts of resolv.conf
	 * (5 s x 2 by default) when DNS is down. The engine should hand names
	 * to an asynchronous resolver before calling here. */
	hints.ai_flags |= AI_NUMERICHOST;
	int rc = getaddrinfo(t->host, port, &hints, &p->ai_list);
	if (rc == EAI_NONAME) {
		hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
		rc = getaddrinfo(t->host, port, &hints, &p->ai_list);
	}
	if (rc != 0) {
		p->ai_list = NULL;
		finish(p, PROBE_UNREACHABLE, "cannot resolve %s: %s", t->host,
		       rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return;
	}
	p->ai_next = p->ai_list;
	connect_next(p);
	if (p->phase != PH_CONNECT)   /* connected at once (loopback): go on */
		probe_step(p);
}

void probe_step(struct probe *p)
{
	if (p->phase == PH_DONE)
		return;
	if (p->phase == PH_CONNECT)
		step_connect(p);
	if (p->phase == PH_PG_SEND || p->phase == PH_PG_RECV)
		step_pg(p);
	if (p->phase == PH_MY_GREETING || p->phase == PH_MY_SEND)
		step_my(p);
	if (p->phase == PH_TLS)
		step_tls(p);
	if (p->phase != PH_DONE && now_ms() >= p->deadline) {
		static const char *const what[] = {
			[PH_CONNECT] = "connect", [PH_PG_SEND] = "PostgreSQL SSLRequest",
			[PH_PG_RECV] = "PostgreSQL SSLRequest", [PH_MY_GREETING] = "MySQL greeting",
			[PH_MY_SEND] = "MySQL SSLRequest", [PH_TLS] = "TLS handshake",
		};
		if (p->phase == PH_TLS && !p->got_rec_hdr)
			/* Redis without TLS answers a TLS hello with silence, not an
			 * error: it reads it as an inline command and searches for its
			 * end with strchr(), which stops at the NUL the hello carries
			 * at byte 5, so the command never ends. A busy server looks
			 * the same, so this stays a timeout, with the hint. */
			finish(p, PROBE_TIMEOUT, "connected to %s, but no TLS answer within %d ms "
			       "(a server waiting for a plaintext command, such as Redis "
			       "without TLS, stays silent like this)", p->where, p->timeout_ms);
		else
			finish(p, PROBE_TIMEOUT, "no answer within %d ms (%s to %s)",
			       p->timeout_ms, what[p->phase], p->where);
	}
}

bool probe_done(const struct probe *p)
{
	return p->phase == PH_DONE;
}

int probe_fd(const struct probe *p)
{
	return p->phase == PH_DONE ? -1 : p->fd;
}

int probe_wants(const struct probe *p)
{
	return p->phase == PH_DONE ? 0 : p->wants;
}

int probe_timeout_ms(const struct probe *p)
{
	if (p->phase == PH_DONE)
		return 0;
	long long left = p->deadline - now_ms();
	return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

const struct probe_outcome *probe_get(const struct probe *p)
{
	return p->phase == PH_DONE ? &p->out : NULL;
}

struct probe_leaf *probe_take_leaf(struct probe *p)
{
	struct probe_leaf *l = p->phase == PH_DONE ? p->out.leaf : NULL;

	if (l)
		p->out.leaf = NULL;
	return l;
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	close_all(p);
	free(p->verify_name);
	free(p->out.error);
	free(p->out.tls_version);
	probe_leaf_free(p->out.leaf);
	free(p);
}
