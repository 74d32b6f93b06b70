/* The refresh engine. One curl multi handle drives every transfer; jobs
 * wait in per-(account, action) queues until the pacer and the in-flight
 * cap let them start; retries wait in a timer heap. Nothing here blocks:
 * the caller polls (engine_poll) and moves things on (engine_perform).
 *
 * Ownership: the engine owns jobs and transfers. A job is freed only after
 * its easy handle is removed from the multi handle. Instances belong to
 * the fleet; the engine only marks them (in->pending) and updates st. */
#include "engine/engine.h"
#include "store/download.h"
#include "engine/outcome.h"
#include "engine/pacer.h"
#include "providers/provider.h"
#include "core/strbuf.h"
#include "core/strmap.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define API_MAX_BYTES (1024L * 1024)  /* DESIGN §4: response size cap */
#define BACKOFF_BASE_MS 500
#define BACKOFF_MAX_MS 30000
#define RETRY_AFTER_MAX_S 300

enum job_kind { JOB_REFRESH, JOB_CA_FETCH, JOB_CERT_LINK, JOB_DOWNLOAD };

/* Bits of instance->pending. A download chain (refresh/link/file) holds
 * PENDING_DOWNLOAD from request to end. */
#define PENDING_REFRESH  1u
#define PENDING_CA_FETCH 2u
#define PENDING_DOWNLOAD 4u

struct transfer;

struct pace_key {
	const struct account *acct;   /* NULL for file transfers (never paced) */
	const char *action;
	struct pacer pacer;
	struct job *head, *tail;
	size_t n;
	/* Warm-up: the first request of a cold key pays for a new TLS
	 * connection and arrives late, bunching with the next one at the
	 * provider. So it goes alone, and pacing restarts from its answer. */
	struct job *warming;
	int64_t warm_until_ns;
	int64_t last_start_ns;
};

#define WARM_MAX_NS 1000000000LL   /* never hold a key longer than this */
#define COLD_AFTER_NS 2000000000LL /* idle this long: connections may be gone */

struct job {
	enum job_kind kind;
	struct instance *in;
	struct pace_key *key;
	int attempt;                 /* attempts already made */
	int64_t not_before_ns;       /* retry time while in the heap */
	bool last_throttled;
	bool then_download;          /* refresh, then download */
	int link_tries;              /* download chain: times a link was asked for */
	char *dir;                   /* download target dir (owned) */
	char *url;                   /* CA fetch / download URL (owned) */
	char *name_hint;             /* provider's file name (owned) */
	struct instance **waiters;   /* CA fetch: every instance sharing the URL */
	size_t n_waiters;
	struct transfer *xfer;       /* set while on the wire */
	struct job *next;            /* queue link */
	struct job *fprev, *fnext;   /* in-flight list link */
};

struct transfer {
	CURL *easy;
	struct curl_slist *headers;
	struct http_request req;
	struct strbuf body;
	long cap;
	bool too_large;
	char date[64];
	char retry_after[64];
	char content_type[128];
	char errbuf[CURL_ERROR_SIZE];
	int64_t started_ns;
	struct transfer *next_free;
};

struct engine {
	struct fleet *fleet;
	CURLM *multi;
	CURLSH *share;
	STACK_OF(X509) *extra_ca;
	engine_notify_fn notify;
	void *notify_ud;
	engine_request_fn on_request;
	void *on_request_ud;

	struct pace_key **keys;
	size_t n_keys;
	size_t rr;                   /* round-robin start among keys */
	struct pace_key *files;      /* unpaced: CA files and downloads */

	struct job **heap;           /* retries, by not_before_ns */
	size_t heap_len, heap_cap;

	struct job *flight;          /* jobs on the wire */
	struct transfer *free_xfers;
	struct strmap ca_fetches;    /* URL without query -> struct job * */
	struct strmap ca_known;      /* URL without query -> an instance whose
	                              * ca_certs came from it (checked on use) */

	size_t queued, in_flight, throttled_waiting;
	size_t done, round_total, requests;
	bool again;                  /* engine_perform stopped with work at hand */
};

/* ---- small helpers ------------------------------------------------------ */

static void notify(struct engine *e, struct instance *in, enum engine_event ev, const char *msg)
{
	if (e->notify)
		e->notify(e->notify_ud, in, ev, msg);
}

static const char *curl_code_name(CURLcode c)
{
	switch (c) {
#define CURL_ERROR(name) case name: return #name;
#include "engine/curlerrors.def"
#undef CURL_ERROR
	default:
		return "CURLE_UNKNOWN";
	}
}

static bool curl_code_transient(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static long long ms_between(int64_t from_ns, int64_t to_ns)
{
	return (to_ns - from_ns) / 1000000;
}

/* ---- queues and the retry heap ------------------------------------------ */

static struct pace_key *key_for(struct engine *e, const struct account *a, const char *action)
{
	for (size_t i = 0; i < e->n_keys; i++)
		if (e->keys[i]->acct == a && strcmp(e->keys[i]->action, action) == 0)
			return e->keys[i];
	struct pace_key *k = xcalloc(1, sizeof(*k));
	k->acct = a;
	k->action = action;
	k->last_start_ns = INT64_MIN / 2;
	pacer_init(&k->pacer, a ? a->rate_limit : 0);
	e->keys = xreallocarray(e->keys, e->n_keys + 1, sizeof(*e->keys));
	e->keys[e->n_keys++] = k;
	return k;
}

static void queue_push(struct engine *e, struct job *j)
{
	struct pace_key *k = j->key;

	j->next = NULL;
	if (k->tail)
		k->tail->next = j;
	else
		k->head = j;
	k->tail = j;
	k->n++;
	e->queued++;
}

static struct job *queue_pop(struct engine *e, struct pace_key *k)
{
	struct job *j = k->head;

	if (!j)
		return NULL;
	k->head = j->next;
	if (!k->head)
		k->tail = NULL;
	k->n--;
	e->queued--;
	j->next = NULL;
	return j;
}

static void heap_swap(struct engine *e, size_t a, size_t b)
{
	struct job *t = e->heap[a];
	e->heap[a] = e->heap[b];
	e->heap[b] = t;
}

static void heap_push(struct engine *e, struct job *j)
{
	if (e->heap_len == e->heap_cap) {
		e->heap_cap = e->heap_cap ? e->heap_cap * 2 : 64;
		e->heap = xreallocarray(e->heap, e->heap_cap, sizeof(*e->heap));
	}
	size_t i = e->heap_len++;
	e->heap[i] = j;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (e->heap[parent]->not_before_ns <= e->heap[i]->not_before_ns)
			break;
		heap_swap(e, i, parent);
		i = parent;
	}
	if (j->last_throttled)
		e->throttled_waiting++;
}

static struct job *heap_pop(struct engine *e)
{
	struct job *top = e->heap[0];

	e->heap[0] = e->heap[--e->heap_len];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < e->heap_len && e->heap[l]->not_before_ns < e->heap[m]->not_before_ns)
			m = l;
		if (r < e->heap_len && e->heap[r]->not_before_ns < e->heap[m]->not_before_ns)
			m = r;
		if (m == i)
			break;
		heap_swap(e, i, m);
		i = m;
	}
	if (top->last_throttled)
		e->throttled_waiting--;
	return top;
}

static void flight_add(struct engine *e, struct job *j)
{
	j->fprev = NULL;
	j->fnext = e->flight;
	if (e->flight)
		e->flight->fprev = j;
	e->flight = j;
	e->in_flight++;
}

/* Take a job off the wire: its handle leaves the multi handle first. */
static struct transfer *flight_remove(struct engine *e, struct job *j)
{
	struct transfer *x = j->xfer;

	curl_multi_remove_handle(e->multi, x->easy);
	if (j->fprev)
		j->fprev->fnext = j->fnext;
	else
		e->flight = j->fnext;
	if (j->fnext)
		j->fnext->fprev = j->fprev;
	j->fprev = j->fnext = NULL;
	j->xfer = NULL;
	e->in_flight--;
	return x;
}

/* The warm-up request of its key ended (or left the wire): pace the next
 * start one interval from now, as if this one had just been sent. */
static void key_warmed(struct job *j)
{
	struct pace_key *k = j->key;

	if (!k || k->warming != j)
		return;
	k->warming = NULL;
	int64_t next = pacer_now_ns() + k->pacer.interval_ns;
	if (next > k->pacer.next_ns)
		k->pacer.next_ns = next;
}

/* ---- jobs --------------------------------------------------------------- */

static struct job *job_new(enum job_kind kind, struct instance *in, struct pace_key *key)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->kind = kind;
	j->in = in;
	j->key = key;
	return j;
}

static void job_free(struct job *j)
{
	free(j->dir);
	free(j->url);
	free(j->name_hint);
	free(j->waiters);
	free(j);
}

static unsigned job_pending_bit(const struct job *j)
{
	if (j->then_download || j->kind == JOB_CERT_LINK || j->kind == JOB_DOWNLOAD)
		return PENDING_DOWNLOAD;
	return j->kind == JOB_CA_FETCH ? PENDING_CA_FETCH : PENDING_REFRESH;
}

/* ---- transfers ---------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct transfer *x = ud;
	size_t len = size * n;

	/* Enforced here: CURLOPT_MAXFILESIZE only checks a declared length. */
	if ((long)(x->body.len + len) > x->cap) {
		x->too_large = true;
		return 0;
	}
	strbuf_add(&x->body, data, len);
	return len;
}

static void copy_header_value(char *dst, size_t dstlen, const char *v, size_t vlen)
{
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	if (vlen >= dstlen)
		vlen = dstlen - 1;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct transfer *x = ud;
	size_t len = size * n;
	static const struct {
		const char *name;
		size_t off, cap;
	} wanted[] = {
		{"date:", offsetof(struct transfer, date), sizeof(((struct transfer *)0)->date)},
		{"retry-after:", offsetof(struct transfer, retry_after), sizeof(((struct transfer *)0)->retry_after)},
		{"content-type:", offsetof(struct transfer, content_type), sizeof(((struct transfer *)0)->content_type)},
	};

	/* A new response (redirect, 100-continue) starts a new header set. */
	if (len > 5 && strncmp(data, "HTTP/", 5) == 0)
		x->date[0] = x->retry_after[0] = x->content_type[0] = '\0';
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		size_t nl = strlen(wanted[i].name);
		if (len > nl && strncasecmp(data, wanted[i].name, nl) == 0)
			copy_header_value((char *)x + wanted[i].off, wanted[i].cap, data + nl, len - nl);
	}
	return len;
}

static CURLcode add_extra_ca(CURL *easy, void *sslctx, void *ud)
{
	STACK_OF(X509) *certs = ud;
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);

	for (int i = 0; i < sk_X509_num(certs); i++)
		X509_STORE_add_cert(store, sk_X509_value(certs, i)); /* duplicates are harmless */
	return CURLE_OK;
}

static struct transfer *transfer_get(struct engine *e)
{
	struct transfer *x = e->free_xfers;

	if (x) {
		e->free_xfers = x->next_free;
		curl_easy_reset(x->easy);
	} else {
		x = xcalloc(1, sizeof(*x));
		x->easy = curl_easy_init();
		if (!x->easy)
			die(70, "libcurl could not create a transfer");
	}
	x->next_free = NULL;
	x->too_large = false;
	x->date[0] = x->retry_after[0] = x->content_type[0] = x->errbuf[0] = '\0';
	strbuf_reset(&x->body);
	return x;
}

static void transfer_put(struct engine *e, struct transfer *x)
{
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	http_request_free(&x->req);
	/* Keep small buffers for reuse; give big ones back. */
	if (x->body.cap > 64 * 1024)
		strbuf_free(&x->body);
	x->next_free = e->free_xfers;
	e->free_xfers = x;
}

static void transfer_destroy(struct transfer *x)
{
	curl_slist_free_all(x->headers);
	http_request_free(&x->req);
	strbuf_free(&x->body);
	curl_easy_cleanup(x->easy);
	free(x);
}

static void transfer_common_opts(struct engine *e, struct transfer *x, struct job *j, long cap)
{
	CURL *c = x->easy;
	const struct settings *s = &e->fleet->settings;

	x->cap = cap;
	curl_easy_setopt(c, CURLOPT_PRIVATE, j);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(s->timeout * 1000 + 0.5));
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_SHARE, e->share);
	/* HTTPS only, verification always on; redirects only to https. */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	/* One CA bundle file; a CA directory makes curl re-read the store for
	 * every connection (measured ~20x the CPU). */
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	if (e->extra_ca) {
		curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_extra_ca);
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, e->extra_ca);
	}
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
}

/* ---- starting jobs ------------------------------------------------------ */

static void make_nonce(char out[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		die(70, "no random numbers for request nonces");
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

static void job_done(struct engine *e, struct job *j);

/* Build the signed API request. false when no request can be made (the
 * instance has been told why). */
static bool prepare_api(struct engine *e, struct job *j, struct transfer *x)
{
	struct instance *in = j->in;
	const struct account *a = in->account;
	struct sign_context ctx;
	char nonce[37];
	char *err = NULL;

	/* Only Alibaba's signature takes a nonce; RAND_bytes is not free. */
	if (a->provider == PROVIDER_ALIBABA)
		make_nonce(nonce);
	else
		nonce[0] = '\0';
	ctx.now = time(NULL);
	ctx.nonce = nonce;
	enum api_call call = j->kind == JOB_CERT_LINK ? CALL_CERT_LINK : CALL_STATUS;
	if (a->ops->build_request(in, call, &a->cred, &ctx, &x->req, &err) != 0) {
		outcome_fail(in, STATE_AUTH_ERROR, "NoCredentials", err ? err : "cannot sign the request",
		             0, -1, time(NULL));
		if (j->kind == JOB_CERT_LINK || j->then_download)
			notify(e, in, ENGINE_EV_FAILED, err ? err : "cannot sign the request");
		free(err);
		return false;
	}
	for (size_t i = 0; i < x->req.n_headers; i++) {
		/* curl copies the line: build it on the stack when it fits. */
		const char *name = x->req.headers[i].name, *value = x->req.headers[i].value;
		size_t nl = strlen(name), vl = strlen(value);
		char small[512], *line = nl + vl + 3 <= sizeof(small) ? small : xmalloc(nl + vl + 3);
		memcpy(line, name, nl);
		memcpy(line + nl, ": ", 2);
		memcpy(line + nl + 2, value, vl + 1);
		x->headers = curl_slist_append(x->headers, line);
		if (line != small)
			free(line);
	}
	/* curl would add an unsigned "Expect:" or form content type of its own. */
	x->headers = curl_slist_append(x->headers, "Expect:");
	transfer_common_opts(e, x, j, API_MAX_BYTES);
	curl_easy_setopt(x->easy, CURLOPT_URL, x->req.url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	if (strcmp(x->req.method, "POST") == 0) {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)x->req.body_len);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->req.body ? x->req.body : "");
	} else {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	}
	return true;
}

/* File transfers (CA fetch, download) carry no credentials at all: the
 * storage host must never see the cloud API's keys or signatures. */
static void prepare_file(struct engine *e, struct job *j, struct transfer *x)
{
	transfer_common_opts(e, x, j, DOWNLOAD_MAX_BYTES);
	curl_easy_setopt(x->easy, CURLOPT_URL, j->url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(x->easy, CURLOPT_MAXREDIRS, 5L);
}

/* false when the job could not start and is gone (freed). */
static bool start_job(struct engine *e, struct job *j)
{
	struct transfer *x = transfer_get(e);

	if (j->kind == JOB_REFRESH || j->kind == JOB_CERT_LINK) {
		if (!prepare_api(e, j, x)) {
			transfer_put(e, x);
			job_done(e, j);
			return false;
		}
	} else {
		prepare_file(e, j, x);
	}
	j->xfer = x;
	x->started_ns = pacer_now_ns();
	j->attempt++;
	e->requests++;
	flight_add(e, j);
	CURLMcode mc = curl_multi_add_handle(e->multi, x->easy);
	if (mc != CURLM_OK)
		die(70, "libcurl: %s", curl_multi_strerror(mc));
	notify(e, j->in, ENGINE_EV_STARTED, NULL);
	return true;
}

/* Start what the pacer and the in-flight cap allow; returns how many
 * went on the wire. */
static size_t dispatch(struct engine *e)
{
	size_t cap = (size_t)e->fleet->settings.concurrency;
	int64_t now = pacer_now_ns();
	bool progress = true;
	size_t started = 0;

	while (e->heap_len && e->heap[0]->not_before_ns <= now)
		queue_push(e, heap_pop(e));
	while (progress && e->in_flight < cap && e->queued) {
		progress = false;
		for (size_t n = 0; n < e->n_keys && e->in_flight < cap; n++) {
			struct pace_key *k = e->keys[(e->rr + n) % e->n_keys];
			if (!k->head)
				continue;
			if (k->warming && now < k->warm_until_ns)
				continue;
			k->warming = NULL;
			if (!pacer_try_take(&k->pacer, now))
				continue;
			bool cold = k->pacer.interval_ns && now - k->last_start_ns > COLD_AFTER_NS;
			struct job *j = queue_pop(e, k);
			k->last_start_ns = now;
			/* A job that could not start is freed: never touch it then. */
			if (start_job(e, j)) {
				if (cold) {
					k->warming = j;
					k->warm_until_ns = now + WARM_MAX_NS;
				}
				started++;
			}
			progress = true;
		}
		e->rr = e->n_keys ? (e->rr + 1) % e->n_keys : 0;
	}
	return started;
}

/* ---- retries ------------------------------------------------------------ */

static long retry_after_ms(const char *v)
{
	time_t when;
	char *end;

	if (!v || !*v)
		return 0;
	long secs = strtol(v, &end, 10);
	if (end != v && *end == '\0' && secs >= 0)
		return (secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : secs) * 1000;
	if (timefmt_parse_http_date(v, &when)) {
		long long d = (long long)when - (long long)time(NULL);
		if (d <= 0)
			return 0;
		return (d > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : (long)d) * 1000;
	}
	return 0;
}

/* Exponential backoff with jitter: half fixed, half random, so a burst of
 * throttled requests does not come back as a burst. */
static bool schedule_retry(struct engine *e, struct job *j, bool throttled, const char *retry_after)
{
	if (j->attempt > e->fleet->settings.retries)
		return false;
	long delay = BACKOFF_BASE_MS << (j->attempt - 1 < 6 ? j->attempt - 1 : 6);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	unsigned short r;
	RAND_bytes((unsigned char *)&r, sizeof(r));
	delay = delay / 2 + (long)((double)r / 65535.0 * (delay / 2));
	long ra = retry_after_ms(retry_after);
	if (ra > delay)
		delay = ra;
	j->not_before_ns = pacer_now_ns() + (int64_t)delay * 1000000;
	j->last_throttled = throttled;
	heap_push(e, j);
	return true;
}

/* ---- completing jobs ---------------------------------------------------- */

static void job_done(struct engine *e, struct job *j)
{
	struct instance *in = j->in;

	if (j->kind == JOB_REFRESH && !j->then_download)
		e->done++;
	if (j->kind == JOB_CA_FETCH) {
		char *key = url_strip_query(j->url);
		strmap_del(&e->ca_fetches, key);
		free(key);
		for (size_t i = 0; i < j->n_waiters; i++)
			j->waiters[i]->pending &= ~PENDING_CA_FETCH;
	} else {
		in->pending &= ~job_pending_bit(j);
	}
	job_free(j);
}

static bool url_is_https(const char *url)
{
	return url && strncasecmp(url, "https://", 8) == 0;
}

/* How often one download may ask the provider for a link: a link that is
 * already expired when it arrives gets one more chance. */
#define LINK_TRIES_MAX 2

static bool link_expired(time_t expires)
{
	return expires != TIME_NONE && expires <= time(NULL) + 30;
}

/* Start the download chain's next step for an instance whose state is
 * known. Reports failure through notify; the job is consumed. */
static void start_download_step(struct engine *e, struct job *j)
{
	struct instance *in = j->in;
	char *why = NULL;

	if (in->st.state != STATE_ENABLED) {
		why = xasprintf("%s: TLS is %s: no CA certificate to download", in->name,
		                state_name(in->st.state));
	} else if (in->account->provider == PROVIDER_HUAWEI) {
		j->kind = JOB_CERT_LINK;
		j->then_download = false;
		j->attempt = 0;
		j->link_tries = 1; /* the status call gave no link: this is the first */
		j->key = key_for(e, in->account, provider_action(in, CALL_CERT_LINK));
		queue_push(e, j);
		return;
	} else if (in->st.cert_url && link_expired(in->st.cert_url_expires)) {
		if (j->link_tries < LINK_TRIES_MAX) {
			/* Ask the provider for a fresh link, then come back here. */
			j->kind = JOB_REFRESH;
			j->then_download = true;
			j->attempt = 0;
			j->link_tries++;
			j->key = key_for(e, in->account, provider_action(in, CALL_STATUS));
			queue_push(e, j);
			return;
		}
		why = xasprintf("%s: the provider's download link has expired and no fresh one came",
		                in->name);
	} else if (!in->st.cert_url) {
		why = xasprintf("%s: the provider gave no certificate URL", in->name);
	} else if (!url_is_https(in->st.cert_url)) {
		char *shown = url_redact(in->st.cert_url);
		why = xasprintf("%s: refusing to download over an insecure URL (%s): https only",
		                in->name, shown);
		free(shown);
	} else {
		j->kind = JOB_DOWNLOAD;
		j->then_download = false;
		j->attempt = 0;
		free(j->url);
		j->url = xstrdup(in->st.cert_url);
		j->key = e->files;
		queue_push(e, j);
		return;
	}
	notify(e, in, ENGINE_EV_FAILED, why);
	free(why);
	job_done(e, j);
}

static bool ca_fetch_wanted(struct engine *e, struct instance *in)
{
	const struct instance_status *st = &in->st;

	if (!e->fleet->settings.fetch_ca || st->state != STATE_ENABLED ||
	    st->cert_expires_api != TIME_NONE || !url_is_https(st->cert_url))
		return false;
	if (st->cert_url_expires != TIME_NONE && st->cert_url_expires < time(NULL) + 30)
		return false; /* an expired link would only fail; the next answer brings a fresh one */
	char *key = url_strip_query(st->cert_url);
	bool known = st->ca_certs_from && strcmp(st->ca_certs_from, key) == 0;
	free(key);
	return !known;
}

static void copy_certs(struct instance *to, const struct instance *from)
{
	struct instance_status *st = &to->st;

	cert_summaries_free(st->ca_certs, st->n_ca_certs);
	st->ca_certs = xcalloc(from->st.n_ca_certs ? from->st.n_ca_certs : 1, sizeof(*st->ca_certs));
	st->n_ca_certs = from->st.n_ca_certs;
	for (size_t i = 0; i < st->n_ca_certs; i++) {
		st->ca_certs[i] = from->st.ca_certs[i];
		st->ca_certs[i].subject = xstrdup(from->st.ca_certs[i].subject);
		st->ca_certs[i].issuer = xstrdup(from->st.ca_certs[i].issuer);
	}
	free(st->ca_certs_from);
	st->ca_certs_from = xstrdup(from->st.ca_certs_from);
}

/* Remember where an instance's inspected certificates came from. */
static void ca_known_put(struct engine *e, struct instance *in)
{
	if (in->st.ca_certs_from && in->st.n_ca_certs)
		strmap_put(&e->ca_known, in->st.ca_certs_from, in);
}

/* One fetch per CA file URL (without query), shared by every instance that
 * points at it; a file inspected earlier (this run or a cached one) is not
 * fetched again. */
static void maybe_fetch_ca(struct engine *e, struct instance *in)
{
	if (!ca_fetch_wanted(e, in) || (in->pending & PENDING_CA_FETCH))
		return;
	char *key = url_strip_query(in->st.cert_url);
	struct job *j = strmap_get(&e->ca_fetches, key);
	if (!j) {
		/* Tencent links are per instance: a scan of the fleet here made a
		 * large fleet's refresh quadratic. The map may be stale (a newer
		 * answer moved the instance to another URL), so check it. */
		struct instance *o = strmap_get(&e->ca_known, key);
		if (o && o != in && o->st.ca_certs_from && o->st.n_ca_certs &&
		    strcmp(o->st.ca_certs_from, key) == 0) {
			copy_certs(in, o);
			free(key);
			return;
		}
		j = job_new(JOB_CA_FETCH, in, e->files);
		j->url = xstrdup(in->st.cert_url);
		strmap_put(&e->ca_fetches, key, j);
		queue_push(e, j);
	}
	free(key);
	j->waiters = xreallocarray(j->waiters, j->n_waiters + 1, sizeof(*j->waiters));
	j->waiters[j->n_waiters++] = in;
	in->pending |= PENDING_CA_FETCH;
}

static void describe_skew(struct instance *in, const char *date)
{
	time_t server;

	if (!in->st.clock_skew || !in->st.error)
		return;
	if (date && *date && timefmt_parse_http_date(date, &server)) {
		long skew = (long)((long long)server - (long long)time(NULL));
		in->st.skew_seconds = skew;
		char *msg = xasprintf("clock skew: this machine's clock is %ld s %s the provider's (%s)",
		                      labs(skew), skew > 0 ? "behind" : "ahead of", in->st.error->message);
		free(in->st.error->message);
		in->st.error->message = msg;
	} else {
		char *msg = xasprintf("clock skew: the provider rejected our timestamp (%s)",
		                      in->st.error->message);
		free(in->st.error->message);
		in->st.error->message = msg;
	}
}

static void count_request(struct engine *e, const struct job *j, const char *outcome)
{
	if (e->on_request)
		e->on_request(e->on_request_ud, j->in->account,
		              provider_action(j->in, j->kind == JOB_CERT_LINK ? CALL_CERT_LINK : CALL_STATUS),
		              outcome);
}

static const char *answer_outcome(const struct provider_result *r)
{
	if (r->throttled)
		return "throttled";
	if (r->link ? !r->error : state_is_definite(r->state))
		return "success";
	if (r->state == STATE_NOT_FOUND || r->state == STATE_AUTH_ERROR)
		return state_name(r->state);
	return "error";
}

static void finish_api(struct engine *e, struct job *j, struct transfer *x, CURLcode rc,
                       long latency_ms)
{
	struct instance *in = j->in;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		const char *code = x->too_large ? "ResponseTooLarge" : curl_code_name(rc);
		count_request(e, j, x->too_large ? "error" : "network_error");
		char *msg = x->too_large
			? xasprintf("the answer is larger than %ld bytes", API_MAX_BYTES)
			: xstrdup(x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		if (!x->too_large && curl_code_transient(rc) && schedule_retry(e, j, false, NULL)) {
			free(msg);
			return;
		}
		outcome_fail(in, STATE_ERROR, code, msg, 0, latency_ms, time(NULL));
		if (j->kind == JOB_CERT_LINK || j->then_download)
			notify(e, in, ENGINE_EV_FAILED, msg);
		free(msg);
		notify(e, in, ENGINE_EV_UPDATED, NULL);
		job_done(e, j);
		return;
	}

	struct http_response resp = {
		.status = status,
		.body = x->body.buf ? x->body.buf : "",
		.body_len = x->body.len,
		.date = x->date[0] ? x->date : NULL,
		.retry_after = x->retry_after[0] ? x->retry_after : NULL,
		.content_type = x->content_type[0] ? x->content_type : NULL,
	};
	struct provider_result r;
	provider_result_init(&r);
	enum api_call call = j->kind == JOB_CERT_LINK ? CALL_CERT_LINK : CALL_STATUS;
	in->account->ops->parse_response(in, call, &resp, &r);
	count_request(e, j, answer_outcome(&r));
	if (r.retry && schedule_retry(e, j, r.throttled, resp.retry_after)) {
		provider_result_free(&r);
		return;
	}

	if (j->kind == JOB_CERT_LINK) {
		if (r.link && !r.error && link_expired(r.cert_url_expires) && j->link_tries < LINK_TRIES_MAX) {
			j->attempt = 0;
			j->link_tries++;
			queue_push(e, j);
		} else if (r.link && !r.error) {
			j->kind = JOB_DOWNLOAD;
			j->attempt = 0;
			free(j->url);
			j->url = r.link;
			r.link = NULL;
			free(j->name_hint);
			j->name_hint = r.file_name;
			r.file_name = NULL;
			j->key = e->files;
			if (!url_is_https(j->url)) {
				char *shown = url_redact(j->url);
				char *why = xasprintf("%s: refusing to download over an insecure URL (%s): https only",
				                      in->name, shown);
				notify(e, in, ENGINE_EV_FAILED, why);
				free(why);
				free(shown);
				job_done(e, j);
			} else {
				queue_push(e, j);
			}
		} else {
			char *why = xasprintf("%s: no download link: %s%s%s", in->name,
			                      r.error ? r.error->code : "InvalidResponse",
			                      r.error && r.error->message[0] ? ": " : "",
			                      r.error ? r.error->message : "");
			notify(e, in, ENGINE_EV_FAILED, why);
			free(why);
			job_done(e, j);
		}
		provider_result_free(&r);
		return;
	}

	outcome_apply(in, &r, (int)status, latency_ms, time(NULL));
	provider_result_free(&r);
	describe_skew(in, resp.date);
	notify(e, in, ENGINE_EV_UPDATED, NULL);
	if (j->then_download) {
		/* The download inspects the file itself: no separate CA fetch. */
		start_download_step(e, j);
		return;
	}
	maybe_fetch_ca(e, in);
	job_done(e, j);
}

static char *file_failure(struct job *j, struct transfer *x, CURLcode rc, long status)
{
	if (x->too_large)
		return xasprintf("%s: the file is larger than %ld bytes", j->in->name, DOWNLOAD_MAX_BYTES);
	if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		return xasprintf("%s: refused a redirect to a non-https URL", j->in->name);
	if (rc != CURLE_OK)
		return xasprintf("%s: %s (%s)", j->in->name, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc),
		                 curl_code_name(rc));
	if (status != 200)
		return xasprintf("%s: the storage host answered HTTP %ld%s", j->in->name, status,
		                 status == 403 ? " (link expired or not allowed)" : "");
	return NULL;
}

static void finish_file(struct engine *e, struct job *j, struct transfer *x, CURLcode rc)
{
	long status = 0;
	char *why, *err = NULL;
	struct download_result res = {0};

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	why = file_failure(j, x, rc, status);
	if (why && !x->too_large && rc != CURLE_OK && curl_code_transient(rc) &&
	    schedule_retry(e, j, false, NULL)) {
		free(why);
		return;
	}
	const unsigned char *data = (const unsigned char *)(x->body.buf ? x->body.buf : "");
	if (j->kind == JOB_CA_FETCH) {
		if (!why && j->n_waiters && download_inspect(j->waiters[0], j->url, data, x->body.len, &err) == 0) {
			ca_known_put(e, j->waiters[0]);
			for (size_t i = 1; i < j->n_waiters; i++)
				copy_certs(j->waiters[i], j->waiters[0]);
			for (size_t i = 0; i < j->n_waiters; i++)
				notify(e, j->waiters[i], ENGINE_EV_UPDATED, NULL);
		} else {
			char *msg = xasprintf("CA file of %s not inspected: %s", j->in->name,
			                      why ? why : err ? err : "unknown error");
			notify(e, j->in, ENGINE_EV_FAILED, msg);
			free(msg);
		}
	} else if (!why && download_save_ex(j->in, j->dir, j->name_hint, j->url, data, x->body.len,
	                                    &res, &err) == 0) {
		char *msg = res.n_certs
			? xasprintf("%s: saved %s (%zu bytes); %zu certificate%s in %s", j->in->name,
			            res.path, x->body.len, res.n_certs, res.n_certs == 1 ? "" : "s",
			            res.ca_pem_path)
			: xasprintf("%s: saved %s (%zu bytes), but found no certificate in it: %s",
			            j->in->name, res.path, x->body.len, res.note ? res.note : "unknown format");
		ca_known_put(e, j->in);
		notify(e, j->in, ENGINE_EV_DOWNLOADED, msg);
		notify(e, j->in, ENGINE_EV_UPDATED, NULL);
		free(msg);
	} else {
		char *msg = why ? xstrdup(why) : xasprintf("%s: %s", j->in->name, err ? err : "not saved");
		notify(e, j->in, ENGINE_EV_FAILED, msg);
		free(msg);
	}
	free(why);
	free(err);
	download_result_free(&res);
	job_done(e, j);
}

static void reap(struct engine *e)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(e->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct job *j = NULL;
		CURL *easy = m->easy_handle;
		CURLcode rc = m->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&j);
		struct transfer *x = flight_remove(e, j);
		key_warmed(j);
		long latency = (long)ms_between(x->started_ns, pacer_now_ns());
		if (j->kind == JOB_REFRESH || j->kind == JOB_CERT_LINK)
			finish_api(e, j, x, rc, latency);
		else
			finish_file(e, j, x, rc);
		transfer_put(e, x);
	}
}

/* ---- public API --------------------------------------------------------- */

static STACK_OF(X509) *load_extra_ca(const char *path, char **err)
{
	FILE *fp = fopen(path, "r");
	STACK_OF(X509) *certs;
	X509 *c;

	if (!fp) {
		*err = xasprintf("ca_file %s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	certs = sk_X509_new_null();
	while ((c = PEM_read_X509(fp, NULL, NULL, NULL)))
		sk_X509_push(certs, c);
	fclose(fp);
	if (sk_X509_num(certs) == 0) {
		sk_X509_free(certs);
		*err = xasprintf("ca_file %s: no PEM certificate in it", path);
		return NULL;
	}
	return certs;
}

struct engine *engine_new(struct fleet *f, char **err)
{
	static bool curl_ready;
	struct engine *e;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			*err = xstrdup("libcurl failed to initialise");
			return NULL;
		}
		curl_ready = true;
	}
	e = xcalloc(1, sizeof(*e));
	e->fleet = f;
	if (f->settings.ca_file && !(e->extra_ca = load_extra_ca(f->settings.ca_file, err))) {
		free(e);
		return NULL;
	}
	e->multi = curl_multi_init();
	e->share = curl_share_init();
	if (!e->multi || !e->share)
		die(70, "libcurl could not create its handles");
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	/* Keep as many idle connections as we run transfers, so a full
	 * refresh reuses them instead of paying a TLS handshake each. */
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, (long)f->settings.concurrency + 8);
	e->files = key_for(e, NULL, "file");
	/* What earlier runs learned (state file) counts as known. */
	for (size_t i = 0; i < f->n_instances; i++)
		ca_known_put(e, &f->instances[i]);
	return e;
}

void engine_free(struct engine *e)
{
	struct transfer *x;

	if (!e)
		return;
	/* Jobs on the wire first: taking them off touches their pacing key. */
	while (e->flight) {
		struct job *j = e->flight;
		x = flight_remove(e, j);
		key_warmed(j);
		transfer_put(e, x);
		job_done(e, j);
	}
	while (e->heap_len)
		job_done(e, heap_pop(e));
	free(e->heap);
	for (size_t i = 0; i < e->n_keys; i++) {
		struct job *j;
		while ((j = queue_pop(e, e->keys[i])))
			job_done(e, j);
		free(e->keys[i]);
	}
	free(e->keys);
	for (size_t i = 0; i < e->fleet->n_instances; i++)
		e->fleet->instances[i].pending = 0;
	while ((x = e->free_xfers)) {
		e->free_xfers = x->next_free;
		transfer_destroy(x);
	}
	curl_multi_cleanup(e->multi);
	curl_share_cleanup(e->share);
	strmap_free(&e->ca_fetches);
	strmap_free(&e->ca_known);
	if (e->extra_ca)
		sk_X509_pop_free(e->extra_ca, X509_free);
	free(e);
}

void engine_set_notify(struct engine *e, engine_notify_fn fn, void *ud)
{
	e->notify = fn;
	e->notify_ud = ud;
}

void engine_set_request_hook(struct engine *e, engine_request_fn fn, void *ud)
{
	e->on_request = fn;
	e->on_request_ud = ud;
}

static bool queue_refresh(struct engine *e, struct instance *in, bool then_download, const char *dir)
{
	unsigned bit = then_download ? PENDING_DOWNLOAD : PENDING_REFRESH;

	if (in->pending & bit)
		return false;
	in->pending |= bit;
	if (!then_download)
		e->round_total++;
	if (strcmp(in->account->credential_source ? in->account->credential_source : "none", "none") == 0) {
		char *msg = xasprintf("no credentials for account %s (inline, environment or credential file)",
		                      in->account->name);
		outcome_fail(in, STATE_AUTH_ERROR, "NoCredentials", msg, 0, -1, time(NULL));
		notify(e, in, ENGINE_EV_UPDATED, NULL);
		if (then_download)
			notify(e, in, ENGINE_EV_FAILED, msg);
		free(msg);
		in->pending &= ~bit;
		if (!then_download)
			e->done++;
		return true;
	}
	struct job *j = job_new(JOB_REFRESH, in, key_for(e, in->account, provider_action(in, CALL_STATUS)));
	j->then_download = then_download;
	j->link_tries = then_download;
	j->dir = xstrdup(dir);
	queue_push(e, j);
	return true;
}

bool engine_refresh(struct engine *e, struct instance *in)
{
	return queue_refresh(e, in, false, NULL);
}

size_t engine_refresh_all(struct engine *e)
{
	size_t n = 0;

	if (!engine_busy(e))
		e->done = e->round_total = 0;
	for (size_t i = 0; i < e->fleet->n_instances; i++)
		n += queue_refresh(e, &e->fleet->instances[i], false, NULL);
	return n;
}

bool engine_download(struct engine *e, struct instance *in, const char *dir, char **why)
{
	const struct instance_status *st = &in->st;
	const char *target = dir ? dir : e->fleet->settings.download_dir;

	if (in->pending & PENDING_DOWNLOAD) {
		*why = xasprintf("%s: a download is already running", in->name);
		return false;
	}
	if (state_is_definite(st->state) && st->state != STATE_ENABLED) {
		*why = xasprintf("%s: TLS is %s: no CA certificate to download", in->name, state_name(st->state));
		return false;
	}
	bool fresh_link = st->state == STATE_ENABLED && in->account->provider != PROVIDER_HUAWEI &&
	                  st->cert_url &&
	                  (st->cert_url_expires == TIME_NONE || st->cert_url_expires > time(NULL) + 30);
	if (st->state == STATE_ENABLED && (in->account->provider == PROVIDER_HUAWEI || fresh_link)) {
		struct job *j = job_new(JOB_REFRESH, in, NULL);
		j->dir = xstrdup(target);
		in->pending |= PENDING_DOWNLOAD;
		start_download_step(e, j);
		return true;
	}
	/* State unknown or failed, or the link expired: ask the provider first. */
	return queue_refresh(e, in, true, target);
}

static bool is_download_job(const struct job *j, const struct instance *in)
{
	return j->in == in && job_pending_bit(j) == PENDING_DOWNLOAD;
}

static struct job *unqueue_download(struct engine *e, struct instance *in)
{
	for (size_t k = 0; k < e->n_keys; k++) {
		struct pace_key *key = e->keys[k];
		struct job *prev = NULL;
		for (struct job *j = key->head; j; prev = j, j = j->next) {
			if (!is_download_job(j, in))
				continue;
			if (prev)
				prev->next = j->next;
			else
				key->head = j->next;
			if (key->tail == j)
				key->tail = prev;
			key->n--;
			e->queued--;
			return j;
		}
	}
	for (size_t i = 0; i < e->heap_len; i++) {
		if (!is_download_job(e->heap[i], in))
			continue;
		/* Make it the earliest, sift it to the top, pop it. */
		e->heap[i]->not_before_ns = INT64_MIN;
		for (size_t c = i; c > 0 && e->heap[(c - 1) / 2]->not_before_ns > e->heap[c]->not_before_ns;
		     c = (c - 1) / 2)
			heap_swap(e, c, (c - 1) / 2);
		return heap_pop(e);
	}
	for (struct job *j = e->flight; j; j = j->fnext) {
		if (is_download_job(j, in)) {
			transfer_put(e, flight_remove(e, j));
			key_warmed(j);
			return j;
		}
	}
	return NULL;
}

bool engine_cancel_download(struct engine *e, struct instance *in)
{
	if (!(in->pending & PENDING_DOWNLOAD))
		return false;
	struct job *j = unqueue_download(e, in);
	if (!j)
		return false;
	char *msg = xasprintf("%s: download cancelled", in->name);
	notify(e, in, ENGINE_EV_FAILED, msg);
	free(msg);
	job_done(e, j);
	return true;
}

bool engine_download_progress(const struct engine *e, const struct instance *in, long long *got,
                              long long *total)
{
	for (struct job *j = e->flight; j; j = j->fnext) {
		if (j->kind != JOB_DOWNLOAD || j->in != in)
			continue;
		curl_off_t cl = -1;
		curl_easy_getinfo(j->xfer->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		*got = (long long)j->xfer->body.len;
		*total = (long long)cl;
		return true;
	}
	return false;
}

int engine_poll(struct engine *e, const int *fds, unsigned n_fds, int max_wait_ms)
{
	struct curl_waitfd extra[4];
	long t = engine_next_timer_ms(e);
	int wait = max_wait_ms;
	int numfds = 0;

	if (n_fds > sizeof extra / sizeof extra[0])
		n_fds = sizeof extra / sizeof extra[0];
	for (unsigned i = 0; i < n_fds; i++)
		extra[i] = (struct curl_waitfd){.fd = fds[i], .events = CURL_WAIT_POLLIN};
	if (t >= 0 && t < wait)
		wait = (int)t;
	if (curl_multi_poll(e->multi, extra, n_fds, wait, &numfds) != CURLM_OK)
		return -1;
	return numfds;
}

/* How long one engine_perform() may keep going while answers keep coming
 * back at once: the dashboard reads keys between calls. */
#define PERFORM_BUDGET_NS 5000000LL

void engine_perform(struct engine *e)
{
	int64_t deadline = pacer_now_ns() + PERFORM_BUDGET_NS;
	int running;

	e->again = false;
	for (;;) {
		curl_multi_perform(e->multi, &running);
		reap(e);
		/* Newly added handles start on the next round rather than after a
		 * poll; and what that round completes (HTTP/2 answers often come
		 * back in the same call) is reaped now: a finished transfer left
		 * unread would leave curl_multi_poll() nothing to wake up for. */
		if (!dispatch(e))
			break;
		if (pacer_now_ns() >= deadline) {
			e->again = true;  /* engine_next_timer_ms() says 0 */
			break;
		}
	}
}

long engine_next_timer_ms(const struct engine *e)
{
	int64_t now = pacer_now_ns(), best = -1;

	if (e->again)
		return 0;
	if (e->heap_len) {
		int64_t d = e->heap[0]->not_before_ns - now;
		best = d < 0 ? 0 : d;
	}
	if (e->queued && e->in_flight < (size_t)e->fleet->settings.concurrency) {
		for (size_t i = 0; i < e->n_keys; i++) {
			const struct pace_key *k = e->keys[i];
			if (!k->head)
				continue;
			int64_t d = pacer_wait_ns(&k->pacer, now);
			if (k->warming && k->warm_until_ns - now > d)
				d = k->warm_until_ns - now; /* or sooner, when its answer comes */
			if (best < 0 || d < best)
				best = d;
		}
	}
	if (best < 0)
		return -1;
	return (long)((best + 999999) / 1000000);
}

bool engine_busy(const struct engine *e)
{
	return e->queued || e->in_flight || e->heap_len;
}

void engine_get_stats(const struct engine *e, struct engine_stats *out)
{
	out->total = e->fleet->n_instances;
	out->queued = e->queued + e->heap_len;
	out->in_flight = e->in_flight;
	out->done = e->done;
	out->round_total = e->round_total;
	out->throttled = e->throttled_waiting;
	out->requests = e->requests;
}

void engine_run(struct engine *e)
{
	engine_perform(e);
	while (engine_busy(e)) {
		engine_poll(e, NULL, 0, 1000);
		engine_perform(e);
	}
}

