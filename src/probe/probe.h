/* Live TLS probe: what a client of a managed database experiences when it
 * connects. One probe dials one endpoint without blocking, speaks the
 * protocol's preamble where TLS is negotiated in-band (PostgreSQL
 * SSLRequest, MySQL greeting + SSLRequest), completes a TLS handshake with
 * OpenSSL verified against exactly the given CA certificates, records the
 * leaf certificate and closes. It sends no credentials and no commands.
 *
 * Driving it: probe_start() resolves and starts the connect; while
 * !probe_done(), wait for probe_fd() to become ready for probe_wants()
 * (or for probe_timeout_ms() to pass) and call probe_step(). No curl: the
 * engine adds the descriptor to curl_multi_poll's extra descriptors.
 *
 * Ownership: the caller owns the struct probe (probe_free()). The target's
 * strings are copied by probe_start(). probe_get() points into the probe:
 * valid until probe_free(); probe_take_leaf() moves the leaf out. */
#ifndef TLSFLEET_PROBE_H
#define TLSFLEET_PROBE_H
#include <stdbool.h>
#include "core/probe_result.h"
#include <stddef.h>
#include <time.h>

/* How TLS starts. redis, dcs and mongodb: TLS from the first byte. */
enum probe_proto { PROBE_REDIS, PROBE_DCS, PROBE_MONGODB, PROBE_POSTGRES, PROBE_MYSQL,
                   PROBE_PROTO_COUNT };

const char *probe_proto_name(enum probe_proto p);
/* The names of providers/protocol.h; "mariadb" is PROBE_MYSQL. */
bool probe_proto_from_name(const char *name, enum probe_proto *out);

struct probe_target {
	const char *host;         /* address to dial: IP literal or DNS name */
	int port;                 /* 1..65535; anything else is no_address */
	const char *verify_name;  /* name the leaf must carry (DNS or IP); NULL: host.
	                             Sent as SNI when it is a DNS name. */
	enum probe_proto proto;
	const char *ca_file;      /* PEM file of the CA certificates to trust, or */
	const char *ca_pem;       /* the same in memory (wins over ca_file); neither: no_ca */
	int timeout_ms;           /* whole probe: connect + preamble + handshake */
};

struct probe_outcome {
	enum probe_result result;
	char *error;              /* why, for anything but ok; NULL for ok */
	char *tls_version;        /* "TLSv1.3"; NULL when no handshake completed */
	struct probe_leaf *leaf;  /* NULL when the server showed no certificate */
};

enum { PROBE_WANT_READ = 1, PROBE_WANT_WRITE = 2 };

struct probe;

/* Starts a probe; never fails: a target that cannot be probed (no CA, no
 * address, DNS failure, an immediate refusal) gives a probe that is already
 * done. Resolving a DNS name blocks (getaddrinfo); IP literals never do. */
void probe_start(const struct probe_target *t, struct probe **out);

bool probe_done(const struct probe *p);
int probe_fd(const struct probe *p);            /* -1 when done */
int probe_wants(const struct probe *p);         /* PROBE_WANT_* bits; 0 when done */
/* Milliseconds until the probe times out (0 when due or done). */
int probe_timeout_ms(const struct probe *p);
/* Advances as far as the socket allows; call on readiness or timeout. */
void probe_step(struct probe *p);

/* The outcome; NULL until done. */
const struct probe_outcome *probe_get(const struct probe *p);
/* Moves the leaf out of a finished probe (NULL when none; struct
 * probe_leaf and probe_leaf_free() are in core/probe_result.h). */
struct probe_leaf *probe_take_leaf(struct probe *p);
void probe_free(struct probe *p);

/* Frees the TLS context shared by every probe of the process (the first
 * probe creates it; building one costs ~1 ms of CPU in OpenSSL 3). */
void probe_cleanup(void);

#endif
