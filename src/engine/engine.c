/* The refresh engine: the coordinator. It owns the curl multi handle and
 * the jobs, and wires the parts together: scheduler.c decides what starts
 * when, transfer.c runs one request, download_chain.c decides a download's
 * next step, cafetch.c shares CA file inspections, outcome.c applies what
 * came back. Nothing here blocks: the caller polls (engine_poll) and moves
 * things on (engine_perform).
 *
 * Ownership: the engine owns jobs and transfers. A job is freed only after
 * its easy handle is removed from the multi handle. Instances belong to
 * the fleet; the engine only marks them (in->pending) and updates st. */
#include "engine/engine.h"
#include "engine/cafetch.h"
#include "engine/credfetch.h"
#include "engine/download_chain.h"
#include "engine/outcome.h"
#include "engine/pacer.h"
#include "engine/probes.h"
#include "engine/scheduler.h"
#include "engine/transfer.h"
#include "store/download.h"
#include "providers/provider.h"
#include "providers/tempcreds.h"
#include "engine/url.h"
#include "providers/listing.h"
#include "core/discovery.h"
#include "core/xalloc.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum job_kind {
	JOB_REFRESH,   /* a status call; holds PENDING_REFRESH */
	JOB_CA_FETCH,  /* a CA file for inspection; its waiters hold PENDING_CA_FETCH */
	JOB_DOWNLOAD,  /* a download chain, step by step; holds PENDING_DOWNLOAD */
	JOB_CRED,      /* temporary keys of an account (metadata or STS); in is NULL */
	JOB_LIST,      /* one page of a listing (discovery); no instance */
};

struct job {
	struct sched_job s;          /* first: a sched_job * is a job * */
	enum job_kind kind;
	struct instance *in;
	struct dl_chain dl;          /* JOB_DOWNLOAD */
	struct ca_fetch *ca;         /* JOB_CA_FETCH (owned by cafetch until cafetch_end) */
	struct transfer *xfer;       /* set while on the wire */
	struct account *acct;        /* JOB_CRED */
	char *region;                /* JOB_CRED: the region its STS call names */
	unsigned cred_gen;           /* API jobs: the generation of the keys that signed it */
	bool cred_retried;           /* API jobs: retried once after "token expired" */
	struct listing *list;        /* JOB_LIST: borrowed from the caller's discovery */
	long page;                   /* JOB_LIST: 0-based */
	bool read;                   /* JOB_LIST: its page was read (or failed: the listing says) */
};

struct engine {
	struct fleet *fleet;
	CURLM *multi;
	struct transfer_pool pool;
	struct sched sched;
	struct sched_key *files;     /* unpaced: CA files and downloads */
	struct cafetch ca;
	struct probes probes;        /* live TLS probes (probes.c) */
	engine_notify_fn notify;
	void *notify_ud;
	engine_request_fn on_request;
	void *on_request_ud;
	size_t done, round_total, requests;
	bool again;                  /* engine_perform stopped with work at hand */
	struct cred_state *creds;    /* per account, like fleet->accounts */
	struct sched_key *cred_key;  /* unpaced: credential fetches */
	bool debug;                  /* a line per request on stderr */
	unsigned char *preferred;    /* per instance: shown on screen (engine_prefer) */
	size_t preferred_len;        /* instances it covers: the fleet may grow (discovery) */
	size_t n_preferred;
};

/* ---- jobs --------------------------------------------------------------- */

/* The pacing key of an API call: (account, the service's signing product,
 * action). Products are limited apart by the clouds, and share action
 * names (scheduler.h). */
static struct sched_key *api_key(struct engine *e, const struct account *a, enum service_kind kind,
                                 const char *action)
{
	const struct provider_service *ps = provider_service(a->provider, kind);

	return sched_key(&e->sched, a, ps ? ps->signing_service : NULL, action);
}

static void notify(struct engine *e, struct instance *in, enum engine_event ev, const char *msg)
{
	/* in may be NULL: an account's credential fetch failed (engine.h) */
	if (e->notify)
		e->notify(e->notify_ud, in, ev, msg);
}

static struct job *job_new(enum job_kind kind, struct instance *in, struct sched_key *key)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->kind = kind;
	j->in = in;
	j->s.key = key;
	return j;
}

/* Discovery's paging, defined with finish_list(). */
static void list_page_over(struct job *j);
static void list_fail(struct engine *e, struct job *j, char *why);
static bool list_dropped(const struct job *j);

/* The job is over: its instance may be given the same work again. */
static void job_done(struct engine *e, struct job *j)
{
	switch (j->kind) {
	case JOB_REFRESH:
		e->done++;
		sched_release(j->in, PENDING_REFRESH);
		break;
	case JOB_DOWNLOAD:
		sched_release(j->in, PENDING_DOWNLOAD);
		dl_chain_free(&j->dl);
		break;
	case JOB_CA_FETCH:
		/* fetched, failed or dropped: probes that waited on it go now
		 * (without a CA they report no_ca) */
		for (size_t i = 0; i < j->ca->n_waiters; i++) {
			struct instance *w = j->ca->waiters[i];
			if (w->pending & PENDING_PROBE_CA) {
				sched_release(w, PENDING_PROBE_CA);
				probes_request(&e->probes, w);
			}
		}
		cafetch_end(&e->ca, j->ca);
		break;
	case JOB_CRED:
		free(j->region);
		break;
	case JOB_LIST:
		list_page_over(j);
		break;
	}
	free(j);
}

static bool job_is_api(const struct job *j)
{
	return j->kind == JOB_REFRESH || j->kind == JOB_LIST ||
	       (j->kind == JOB_DOWNLOAD && (j->dl.state == DL_FETCHING_STATUS || j->dl.state == DL_FETCHING_LINK));
}

static enum api_call job_call(const struct job *j)
{
	return j->kind == JOB_DOWNLOAD && j->dl.state == DL_FETCHING_LINK ? CALL_CERT_LINK : CALL_STATUS;
}

static const char *job_file_url(const struct job *j)
{
	return j->kind == JOB_CA_FETCH ? j->ca->url : j->dl.url;
}

/* Run the download chain's next step: queue it where it is paced, or
 * report why it ended (the job is then gone). why is consumed. */
static void chain_step(struct engine *e, struct job *j, enum dl_state next, char *why)
{
	struct instance *in = j->in;
	struct sched_key *key;

	switch (next) {
	case DL_FETCHING_STATUS:
		key = api_key(e, in->account, in->service, provider_action(in, CALL_STATUS));
		break;
	case DL_FETCHING_LINK:
		key = api_key(e, in->account, in->service, provider_action(in, CALL_CERT_LINK));
		break;
	case DL_FETCHING_FILE:
		key = e->files;
		break;
	default:
		notify(e, in, ENGINE_EV_FAILED, why);
		free(why);
		job_done(e, j);
		return;
	}
	free(why);
	j->s.attempt = 0;
	j->s.key = key;
	sched_push(&e->sched, &j->s);
}

static void maybe_fetch_ca(struct engine *e, struct instance *in)
{
	struct ca_fetch *f = cafetch_request(&e->ca, in, time(NULL));

	if (f) {
		struct job *j = job_new(JOB_CA_FETCH, in, e->files);
		j->ca = f;
		sched_push(&e->sched, &j->s);
	}
}

/* After a definite answer: probe an enabled instance when its probe
 * setting is on (tlsfleet.conf(5)). A disabled one is not probed: a
 * server that still answers TLS there is no problem of the client's. Nor
 * is one without a protocol (providers/protocol.h: SQL Server, an engine
 * not known): never another protocol instead, and a probe kept from
 * before (an older tlsfleet probed those as Redis) is dropped, since the
 * last probe counts however old (core/verdict.h). The CA comes first: a
 * running or new CA fetch makes the probe wait for it. */
static void maybe_probe(struct engine *e, struct instance *in)
{
	if (in->st.state != STATE_ENABLED || !instance_probe_enabled(e->fleet, in) ||
	    (in->pending & (PENDING_PROBE | PENDING_PROBE_CA)))
		return;
	if (!probes_protocol(in, NULL)) {
		probe_status_clear(&in->st.probe);
		return;
	}
	if (!probes_have_ca(&e->probes, in)) {
		struct ca_fetch *f = cafetch_request_probe(&e->ca, in, time(NULL));
		if (f) {
			struct job *j = job_new(JOB_CA_FETCH, in, e->files);
			j->ca = f;
			sched_push(&e->sched, &j->s);
		}
		if (in->pending & PENDING_CA_FETCH) {
			sched_claim(in, PENDING_PROBE_CA);
			return;
		}
	}
	probes_request(&e->probes, in);
}

static void probe_finished(void *ud, struct instance *in)
{
	notify(ud, in, ENGINE_EV_UPDATED, NULL);
}

static bool retry(struct engine *e, struct job *j, bool throttled, long retry_after_ms)
{
	return sched_retry(&e->sched, &j->s, e->fleet->settings.retries, throttled, retry_after_ms,
	                   pacer_now_ns());
}

/* ---- temporary credentials ---------------------------------------------- */

static void make_nonce(char out[37]);

static struct cred_state *cred_of(struct engine *e, const struct account *a)
{
	if (!a || !credfetch_applies(a) || !e->creds)
		return NULL;
	return &e->creds[a - e->fleet->accounts];
}

static void cred_fetch_start(struct engine *e, struct cred_state *cs, const char *region)
{
	struct job *j = job_new(JOB_CRED, NULL, e->cred_key);

	j->acct = cs->a;
	j->region = region ? xstrdup(region) : NULL;
	cs->fetching = true;
	sched_push(&e->sched, &j->s);
}

/* May this API job be signed now? If not, it waits (parked) for the
 * account's fetch, which starts here if none runs; renewal ahead of the
 * expiry starts here too, while the old keys still sign. */
/* The account and region a job's request is for (a list job has no
 * instance). */
static struct account *job_account(const struct job *j)
{
	return j->kind == JOB_LIST ? j->list->a : j->in->account;
}

static const char *job_region(const struct job *j)
{
	return j->kind == JOB_LIST ? j->list->region : j->in->region;
}

static bool cred_ready(struct engine *e, struct job *j)
{
	struct cred_state *cs = cred_of(e, job_account(j));
	time_t now = time(NULL);

	if (!cs)
		return true;
	if (credfetch_usable(cs, now)) {
		if (!cs->fetching && credfetch_renew_due(cs, now))
			cred_fetch_start(e, cs, job_region(j));
		return true;
	}
	credfetch_park(cs, &j->s);
	if (!cs->fetching)
		cred_fetch_start(e, cs, job_region(j));
	return false;
}

/* The request of a credential fetch; what it asks is named in messages
 * by where it goes (a URL without query: nothing secret). */
static char *cred_where(const struct account *a)
{
	if (a->auth == AUTH_INSTANCE_ROLE) {
		char *url = tempcreds_metadata_url(a);
		char *s = xasprintf("instance role: metadata %s", url);
		free(url);
		return s;
	}
	char *base = tempcreds_sts_base(a);
	char *s = xasprintf("assume_role %s: STS AssumeRole at %s", a->role_arn ? a->role_arn : "", base);
	free(base);
	return s;
}

static void prepare_cred(struct engine *e, struct job *j, struct transfer *x)
{
	struct account *a = j->acct;

	if (a->auth == AUTH_INSTANCE_ROLE) {
		char *url = tempcreds_metadata_url(a);
		memset(&x->req, 0, sizeof(x->req));
		x->req.method = xstrdup("GET");
		x->req.url = url;
		x->req.action = "metadata";
		transfer_setup_metadata(&e->pool, x, url, j);
		return;
	}
	struct sign_context ctx;
	char nonce[37];
	char *base = tempcreds_sts_base(a);
	make_nonce(nonce);
	ctx.now = time(NULL);
	ctx.nonce = nonce;
	a->ops->roles.assume_role(a, base, j->region, &ctx, &x->req);
	free(base);
	transfer_setup_api(&e->pool, x, API_MAX_BYTES, j);
}

/* --debug: one line per request, never a key, token or signature (the
 * URL is printed as scheme://host only). */
static void debug_line(struct engine *e, const char *action, const char *region, const char *url,
                       long status, const char *code, const char *request_id, long latency_ms,
                       const char *date)
{
	time_t server;
	char skew[32] = "-";

	if (!e->debug)
		return;
	char *host = url ? url_authority(url) : NULL;
	if (date && timefmt_parse_http_date(date, &server))
		snprintf(skew, sizeof(skew), "%+lld", (long long)server - (long long)time(NULL));
	fprintf(stderr, "tlsfleet: debug: action=%s region=%s host=%s status=%ld%s%s request_id=%s "
	        "latency_ms=%ld clock_skew_s=%s\n", action ? action : "-",
	        region && *region ? region : "-", host ? host : "-", status, code ? " code=" : "",
	        code ? code : "", request_id && *request_id ? request_id : "-", latency_ms, skew);
	free(host);
}

/* Back to the queues: the jobs that waited for keys. */
static void cred_release_parked(struct engine *e, struct cred_state *cs)
{
	struct sched_job *sj;

	while ((sj = credfetch_unpark(cs)))
		sched_push(&e->sched, sj);
}

static void cred_fail_parked(struct engine *e, struct cred_state *cs, const char *msg)
{
	struct sched_job *sj;

	while ((sj = credfetch_unpark(cs))) {
		struct job *j = (struct job *)sj;
		if (j->kind == JOB_LIST) {
			if (!list_dropped(j))
				list_fail(e, j, xstrdup(msg));
			job_done(e, j);
			continue;
		}
		outcome_fail(j->in, STATE_AUTH_ERROR, "CredentialFetchFailed", msg, 0, -1, time(NULL));
		notify(e, j->in, ENGINE_EV_UPDATED, NULL);
		if (j->kind == JOB_DOWNLOAD)
			notify(e, j->in, ENGINE_EV_FAILED, msg);
		job_done(e, j);
	}
}

static void finish_cred(struct engine *e, struct job *j, struct transfer *x, CURLcode rc,
                        long latency_ms)
{
	struct account *a = j->acct;
	struct cred_state *cs = cred_of(e, a);
	struct http_response resp;
	char *why = NULL, *code = NULL;
	const char *action = a->auth == AUTH_INSTANCE_ROLE ? "metadata" : "AssumeRole";

	transfer_response(x, &resp);
	if (rc != CURLE_OK) {
		debug_line(e, action, j->region, x->req.url, 0, transfer_code_name(rc), NULL, latency_ms, NULL);
		if (!x->too_large && transfer_code_transient(rc) && retry(e, j, false, 0))
			return;
		why = x->too_large ? xstrdup("the answer is too large")
		                   : xasprintf("%s (%s)", transfer_error(x, rc), transfer_code_name(rc));
	} else {
		struct credentials c;
		time_t expires;
		const struct provider_cred_answer *k = a->auth == AUTH_INSTANCE_ROLE
			? &a->ops->roles.metadata : &a->ops->roles.sts;
		int ok = tempcreds_parse(k, &resp, &c, &expires, &code, &why);
		debug_line(e, action, j->region, x->req.url, resp.status, code, NULL, latency_ms, resp.date);
		if (ok == 0) {
			bool same = a->cred.id && strcmp(a->cred.id, c.id) == 0 && !cs->stale &&
			            expires == a->credential_expires;
			/* Huawei's project id may have come with the account's keys. */
			c.project_id = a->cred.project_id;
			a->cred.project_id = NULL;
			credentials_free(&a->cred);
			a->cred = c;
			credfetch_got(cs, expires, same, time(NULL));
			cs->fetching = false;
			free(code);
			job_done(e, j);
			cred_release_parked(e, cs);
			return;
		}
		if ((resp.status >= 500 || resp.status == 429) && retry(e, j, resp.status == 429, 0)) {
			free(why);
			free(code);
			return;
		}
	}
	free(code);
	cs->fetching = false;
	char *where = cred_where(a);
	char *msg = xasprintf("account %s: no temporary credentials from %s: %s", a->name, where, why);
	free(where);
	free(why);
	job_done(e, j);
	/* Renewal failed but the old keys still sign: carry on with them. */
	if (credfetch_usable(cs, time(NULL)))
		cred_release_parked(e, cs);
	else
		cred_fail_parked(e, cs, msg);
	notify(e, NULL, ENGINE_EV_FAILED, msg);
	free(msg);
}

/* An answer saying the token expired: those keys are done for (unless
 * newer ones came meanwhile); the job goes again, once, with new keys. */
static bool cred_expired_retry(struct engine *e, struct job *j, const struct provider_result *r)
{
	struct cred_state *cs = cred_of(e, j->in->account);

	if (!cs || j->cred_retried || !r->error ||
	    !tempcreds_token_expired(j->in->account->ops, r->error->code))
		return false;
	j->cred_retried = true;
	if (j->cred_gen == cs->gen)
		cs->stale = true;
	sched_push(&e->sched, &j->s);
	return true;
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

/* Build the signed API request (signed now, not when queued: a retry
 * carries a fresh timestamp). false when no request can be made (the
 * instance has been told why). */
static bool prepare_api(struct engine *e, struct job *j, struct transfer *x)
{
	struct instance *in = j->in;
	const struct account *a = in->account;
	struct sign_context ctx;
	char nonce[37];
	char *err = NULL;

	/* Few signatures take a nonce; RAND_bytes is not free. */
	if (a->ops->needs_nonce)
		make_nonce(nonce);
	else
		nonce[0] = '\0';
	ctx.now = time(NULL);
	ctx.nonce = nonce;
	if (a->ops->build_request(in, job_call(j), &a->cred, &ctx, &x->req, &err) != 0) {
		outcome_fail(in, STATE_AUTH_ERROR, "NoCredentials", err ? err : "cannot sign the request",
		             0, -1, time(NULL));
		if (j->kind == JOB_DOWNLOAD)
			notify(e, in, ENGINE_EV_FAILED, err ? err : "cannot sign the request");
		free(err);
		return false;
	}
	struct cred_state *cs = cred_of(e, a);
	j->cred_gen = cs ? cs->gen : 0;
	transfer_setup_api(&e->pool, x, API_MAX_BYTES, j);
	return true;
}

static void list_query_of(const struct job *j, struct list_query *q)
{
	q->a = j->list->a;
	q->kind = j->list->kind;
	q->region = j->list->region;
	q->page = j->page;
	q->spec = j->list->a->discover;
}

/* Pages of one listing queued ahead of their answers at most. The pages a
 * total calls for are queued at once up to this many (the scheduler paces
 * them like any call of the key), so a provider reporting a total of 10^9
 * does not make 10^7 jobs: 256 pages are 12800 instances at the smallest
 * page size (Alibaba's 50), 13 s of the default rate limit. */
#define ENGINE_INTERACTIVE_BURST 8   /* starts per engine_perform() for a dashboard */
#define LIST_PAGES_AHEAD 256

/* A listing failed before it was asked (no list call, no keys). */
static void list_refuse(struct listing *l, char *why)
{
	free(l->error);
	l->error = why;
}

/* sched_unqueue: a page of the same listing after `arg`'s. */
static bool list_page_after(const struct sched_job *sj, const void *arg)
{
	const struct job *j = (const struct job *)sj, *failed = arg;

	return j->kind == JOB_LIST && j->list == failed->list && j->page > failed->page;
}

static bool list_dropped(const struct job *j)
{
	long f = j->list->paging.failed_page;

	return f >= 0 && j->page > f;
}

static bool prepare_list(struct engine *e, struct job *j, struct transfer *x)
{
	const struct account *a = j->list->a;
	const struct provider_lister *l = provider_lister(a->provider, j->list->kind);
	struct list_query q;
	struct sign_context ctx;
	char nonce[37];
	char *err = NULL;

	if (list_dropped(j))  /* a page after a failed one, back from waiting for keys */
		return false;
	if (a->ops->needs_nonce)
		make_nonce(nonce);
	else
		nonce[0] = '\0';
	ctx.now = time(NULL);
	ctx.nonce = nonce;
	list_query_of(j, &q);
	if (!l || l->build(&q, &a->cred, &ctx, &x->req, &err) != 0) {
		list_fail(e, j, err ? err : xstrdup("cannot sign the request"));
		return false;
	}
	transfer_setup_api(&e->pool, x, LIST_MAX_BYTES, j);
	return true;
}

/* sched_start_fn: false when the job could not start and is gone. */
static bool start_job(void *ud, struct sched_job *sj)
{
	struct engine *e = ud;
	struct job *j = (struct job *)sj;
	struct transfer *x;

	if (j->kind != JOB_CRED && job_is_api(j) && !cred_ready(e, j))
		return false;   /* parked until its account has keys */
	x = transfer_get(&e->pool);
	if (j->kind == JOB_CRED) {
		prepare_cred(e, j, x);
	} else if (job_is_api(j)) {
		if (!(j->kind == JOB_LIST ? prepare_list(e, j, x) : prepare_api(e, j, x))) {
			transfer_put(&e->pool, x);
			job_done(e, j);
			return false;
		}
	} else {
		transfer_setup_file(&e->pool, x, job_file_url(j), j);
	}
	j->xfer = x;
	x->started_ns = pacer_now_ns();
	e->requests++;
	CURLMcode mc = curl_multi_add_handle(e->multi, x->easy);
	if (mc != CURLM_OK)
		die(70, "libcurl: %s", curl_multi_strerror(mc));
	if (j->in)
		notify(e, j->in, ENGINE_EV_STARTED, NULL);
	return true;
}

/* Take a job off the wire: its handle leaves the multi handle first. */
static struct transfer *take_off_wire(struct engine *e, struct job *j)
{
	struct transfer *x = j->xfer;

	curl_multi_remove_handle(e->multi, x->easy);
	j->xfer = NULL;
	sched_flight_remove(&e->sched, &j->s, pacer_now_ns());
	return x;
}

/* ---- completing jobs ---------------------------------------------------- */

static void count_request(struct engine *e, const struct job *j, const char *outcome)
{
	if (e->on_request && j->kind == JOB_LIST)
		e->on_request(e->on_request_ud, j->list->a,
		              provider_service(j->list->a->provider, j->list->kind)->list_action, outcome);
	else if (e->on_request)
		e->on_request(e->on_request_ud, j->in->account, provider_action(j->in, job_call(j)),
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

static char *list_failure(const struct provider_result *r)
{
	if (!r->error)
		return xstrdup(state_name(r->state));
	if (r->error->http_status > 0)
		return xasprintf("%s: %s (HTTP %d)", r->error->code,
		                 r->error->message ? r->error->message : "", r->error->http_status);
	return xasprintf("%s: %s", r->error->code, r->error->message ? r->error->message : "");
}

static void list_queue(struct engine *e, struct listing *l, long page)
{
	const struct provider_lister *pl = provider_lister(l->a->provider, l->kind);
	struct job *j = job_new(JOB_LIST, NULL, api_key(e, l->a, l->kind, pl->action));

	j->list = l;
	j->page = page;
	l->paging.queued_to = page;
	l->paging.outstanding++;
	sched_push(&e->sched, &j->s);
}

/* Queue what the answers so far call for: the rest of the pass (up to
 * LIST_PAGES_AHEAD waiting), then the next pass's first page once every
 * page of this one is queued. */
static void list_pump(struct engine *e, struct listing *l)
{
	struct list_paging *p = &l->paging;

	if (p->failed_page >= 0)
		return;
	while (p->queued_to < p->want_to && p->outstanding < LIST_PAGES_AHEAD)
		list_queue(e, l, p->queued_to + 1);
	if (p->queued_to >= p->want_to && p->pass_next > p->queued_to) {
		p->pass_first = p->want_to = p->pass_next;
		p->pass_next = -1;
		list_queue(e, l, p->pass_first);
	}
}

/* A JOB_LIST job ends (job_done): the listing ends with the last of its
 * pages, in list order. */
static void list_page_over(struct job *j)
{
	struct listing *l = j->list;
	struct list_paging *p = &l->paging;

	if (!j->read && p->failed_page < 0)
		p->lost = true;
	if (--p->outstanding)
		return;
	listing_order(l, p->failed_page);
	if (p->failed_page >= 0) {
		l->pages = 0;
		for (size_t i = 0; i < p->n_read; i++)
			l->pages += p->read[i] < p->failed_page;
	} else if (!p->lost) {
		l->done = true;
	}
}

/* A page failed after its retries (why: a new string, consumed). The
 * listing keeps what the pages before it found, as when pages were read
 * one after another: those still waiting or on the wire go on; the pages
 * after it are dropped, queued ones at once, those on the wire when they
 * answer. When a lower page fails later, its error is the listing's. */
static void list_fail(struct engine *e, struct job *j, char *why)
{
	struct listing *l = j->list;
	struct list_paging *p = &l->paging;
	struct sched_job *sj;

	j->read = true;
	if (p->failed_page >= 0 && p->failed_page < j->page) {
		free(why);
		return;
	}
	free(l->error);
	l->error = why;
	p->failed_page = j->page;
	while ((sj = sched_unqueue(&e->sched, list_page_after, &j->s)))
		job_done(e, (struct job *)sj);
}

/* One page came back: keep its instances, queue what it calls for. */
static void finish_list(struct engine *e, struct job *j, struct transfer *x, CURLcode rc,
                        long latency_ms)
{
	const struct provider_lister *l = provider_lister(j->list->a->provider, j->list->kind);
	struct listing *ls = j->list;
	struct list_paging *pg = &ls->paging;
	struct http_response resp;
	struct list_page page;
	struct list_query q;

	if (rc != CURLE_OK) {
		debug_line(e, l ? l->action : NULL, ls->region, x->req.url, 0,
		           x->too_large ? "ResponseTooLarge" : transfer_code_name(rc), NULL, latency_ms, NULL);
		count_request(e, j, x->too_large ? "error" : "network_error");
		if (!list_dropped(j) && !x->too_large && transfer_code_transient(rc) && retry(e, j, false, 0))
			return;
		if (!list_dropped(j))
			list_fail(e, j, x->too_large ? xasprintf("the answer is larger than %ld bytes", LIST_MAX_BYTES)
			                             : xasprintf("%s (%s)", transfer_error(x, rc), transfer_code_name(rc)));
		job_done(e, j);
		return;
	}
	transfer_response(x, &resp);
	list_page_init(&page);
	list_query_of(j, &q);
	l->parse(&q, &resp, &page);
	debug_line(e, l->action, ls->region, x->req.url, resp.status,
	           page.ok || !page.r.error ? NULL : page.r.error->code, page.r.request_id, latency_ms,
	           resp.date);
	count_request(e, j, page.ok ? "success" : answer_outcome(&page.r));
	if (list_dropped(j)) {
		/* a page after a failed one: its listing ended before it */
	} else if (!page.ok) {
		if (page.r.retry && retry(e, j, page.r.throttled, transfer_retry_after_ms(x))) {
			list_page_free(&page);
			return;
		}
		list_fail(e, j, list_failure(&page.r));
	} else {
		j->read = true;
		ls->pages++;
		ls->total = page.total;
		if (pg->n_read == pg->cap_read) {
			pg->cap_read = pg->cap_read ? 2 * pg->cap_read : 16;
			pg->read = xrealloc(pg->read, pg->cap_read * sizeof(*pg->read));
		}
		pg->read[pg->n_read++] = j->page;
		listing_take(ls, j->page, page.items, page.n_items);
		/* Answers of an earlier pass change nothing of the current one. */
		if (j->page >= pg->pass_first) {
			pg->want_to = page.last > j->page ? page.last : j->page;
			if (page.next > pg->want_to)
				pg->pass_next = page.next;
		}
		list_pump(e, ls);
	}
	list_page_free(&page);
	job_done(e, j);
}

static void finish_api(struct engine *e, struct job *j, struct transfer *x, CURLcode rc,
                       long latency_ms)
{
	struct instance *in = j->in;

	if (j->kind == JOB_LIST) {
		finish_list(e, j, x, rc, latency_ms);
		return;
	}

	if (rc != CURLE_OK) {
		const char *code = x->too_large ? "ResponseTooLarge" : transfer_code_name(rc);
		debug_line(e, provider_action(in, job_call(j)), in->region, x->req.url, 0, code, NULL,
		           latency_ms, NULL);
		count_request(e, j, x->too_large ? "error" : "network_error");
		char *msg = x->too_large
			? xasprintf("the answer is larger than %ld bytes", API_MAX_BYTES)
			: xstrdup(transfer_error(x, rc));
		if (!x->too_large && transfer_code_transient(rc) && retry(e, j, false, 0)) {
			free(msg);
			return;
		}
		outcome_fail(in, STATE_ERROR, code, msg, 0, latency_ms, time(NULL));
		if (j->kind == JOB_DOWNLOAD)
			notify(e, in, ENGINE_EV_FAILED, msg);
		free(msg);
		notify(e, in, ENGINE_EV_UPDATED, NULL);
		job_done(e, j);
		return;
	}

	struct http_response resp;
	struct provider_result r;
	enum api_call call = job_call(j);
	transfer_response(x, &resp);
	provider_result_init(&r);
	in->account->ops->parse_response(in, call, &resp, &r);
	debug_line(e, provider_action(in, call), in->region, x->req.url, resp.status,
	           r.error ? r.error->code : NULL, r.request_id, latency_ms, resp.date);
	count_request(e, j, answer_outcome(&r));
	if (cred_expired_retry(e, j, &r)) {
		provider_result_free(&r);
		return;
	}
	if (r.retry && retry(e, j, r.throttled, transfer_retry_after_ms(x))) {
		provider_result_free(&r);
		return;
	}
	if (call == CALL_CERT_LINK) {
		char *why = NULL;
		enum dl_state next = dl_chain_link_answer(&j->dl, in, &r, time(NULL), &why);
		provider_result_free(&r);
		chain_step(e, j, next, why);
		return;
	}

	outcome_apply_http(in, &r, &resp, latency_ms, time(NULL));
	provider_result_free(&r);
	notify(e, in, ENGINE_EV_UPDATED, NULL);
	if (j->kind == JOB_DOWNLOAD) {
		/* The download inspects the file itself: no separate CA fetch. */
		char *why = NULL;
		enum dl_state next = dl_chain_decide(&j->dl, in, time(NULL), &why);
		chain_step(e, j, next, why);
		return;
	}
	maybe_fetch_ca(e, in);
	maybe_probe(e, in);
	job_done(e, j);
}

static char *file_failure(struct job *j, struct transfer *x, CURLcode rc, long status)
{
	if (x->too_large)
		return xasprintf("%s: the file is larger than %ld bytes", j->in->name, DOWNLOAD_MAX_BYTES);
	if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		return xasprintf("%s: refused a redirect to a non-https URL", j->in->name);
	if (rc != CURLE_OK)
		return xasprintf("%s: %s (%s)", j->in->name, transfer_error(x, rc), transfer_code_name(rc));
	if (status != 200)
		return xasprintf("%s: the storage host answered HTTP %ld%s", j->in->name, status,
		                 status == 403 ? " (link expired or not allowed)" : "");
	return NULL;
}

static void finish_file(struct engine *e, struct job *j, struct transfer *x, CURLcode rc)
{
	struct http_response resp;
	char *why, *msg = NULL;

	transfer_response(x, &resp);
	why = file_failure(j, x, rc, resp.status);
	if (why && !x->too_large && rc != CURLE_OK && transfer_code_transient(rc) &&
	    retry(e, j, false, 0)) {
		free(why);
		return;
	}
	const unsigned char *data = (const unsigned char *)resp.body;
	if (j->kind == JOB_CA_FETCH) {
		char *err = NULL;
		if (!why && cafetch_inspect(&e->ca, j->ca, data, resp.body_len, &err) == 0) {
			probes_remember_pem(&e->probes, j->ca->url, data, resp.body_len);
			for (size_t i = 0; i < j->ca->n_waiters; i++)
				notify(e, j->ca->waiters[i], ENGINE_EV_UPDATED, NULL);
		} else {
			msg = xasprintf("CA file of %s not inspected: %s", j->in->name,
			                why ? why : err ? err : "unknown error");
			notify(e, j->in, ENGINE_EV_FAILED, msg);
		}
		free(err);
	} else if (why) {
		notify(e, j->in, ENGINE_EV_FAILED, why);
	} else if (dl_chain_save(&j->dl, j->in, data, resp.body_len, &msg) == DL_DONE) {
		cafetch_known(&e->ca, j->in);
		notify(e, j->in, ENGINE_EV_DOWNLOADED, msg);
		notify(e, j->in, ENGINE_EV_UPDATED, NULL);
	} else {
		notify(e, j->in, ENGINE_EV_FAILED, msg);
	}
	free(msg);
	free(why);
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
		CURLcode rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		struct transfer *x = take_off_wire(e, j);
		long latency = (long)((pacer_now_ns() - x->started_ns) / 1000000);
		if (j->kind == JOB_CRED)
			finish_cred(e, j, x, rc, latency);
		else if (job_is_api(j))
			finish_api(e, j, x, rc, latency);
		else
			finish_file(e, j, x, rc);
		transfer_put(&e->pool, x);
	}
}

/* ---- public API --------------------------------------------------------- */

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
	if (transfer_pool_init(&e->pool, &f->settings, err) != 0) {
		free(e);
		return NULL;
	}
	e->multi = curl_multi_init();
	if (!e->multi)
		die(70, "libcurl could not create its handles");
	/* Keep as many idle connections as we run transfers, so a full
	 * refresh reuses them instead of paying a TLS handshake each. */
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, (long)f->settings.concurrency + 8);
	sched_init(&e->sched, (size_t)f->settings.concurrency);
	e->files = sched_key(&e->sched, NULL, NULL, "file");
	e->cred_key = sched_key(&e->sched, NULL, NULL, "credentials");
	e->creds = xcalloc(f->n_accounts ? f->n_accounts : 1, sizeof(*e->creds));
	for (size_t i = 0; i < f->n_accounts; i++)
		e->creds[i].a = &f->accounts[i];
	/* What earlier runs learned (state file) counts as known. */
	cafetch_init(&e->ca, f);
	probes_init(&e->probes, f);
	return e;
}

void engine_free(struct engine *e)
{
	struct sched_job *sj;

	if (!e)
		return;
	free(e->preferred);
	/* Jobs on the wire first: taking them off touches their pacing key. */
	while ((sj = e->sched.flight)) {
		struct job *j = (struct job *)sj;
		transfer_put(&e->pool, take_off_wire(e, j));
		job_done(e, j);
	}
	while ((sj = sched_take_waiting(&e->sched)))
		job_done(e, (struct job *)sj);
	for (size_t i = 0; i < e->fleet->n_accounts; i++)
		while ((sj = credfetch_unpark(&e->creds[i])))
			job_done(e, (struct job *)sj);
	free(e->creds);
	sched_free(&e->sched);
	probes_free(&e->probes);
	for (size_t i = 0; i < e->fleet->n_instances; i++)
		e->fleet->instances[i].pending = 0;
	curl_multi_cleanup(e->multi);
	transfer_pool_free(&e->pool);
	cafetch_free(&e->ca);
	free(e);
}

/* The credential chain found nothing for the account (config/credentials.c). */
static bool no_credentials(const struct account *a)
{
	return strcmp(a->credential_source ? a->credential_source : "none", "none") == 0;
}

/* Every source looked at, by name, never a value. New string. */
static char *no_credentials_message(const struct account *a)
{
	return xasprintf("no credentials for account %s; tried %s", a->name,
	                 a->credentials_tried ? a->credentials_tried
	                                      : "inline keys, the environment and credential files");
}

void engine_discover(struct engine *e, struct discovery *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct listing *l = &d->l[i];
		const struct provider_lister *pl = provider_lister(l->a->provider, l->kind);
		if (!pl) {
			list_refuse(l, xstrdup("no list call"));
			continue;
		}
		if (no_credentials(l->a)) {
			list_refuse(l, no_credentials_message(l->a));
			continue;
		}
		/* The first page tells the total; the rest follow side by side. */
		l->paging = (struct list_paging){.pass_next = -1, .failed_page = -1};
		list_queue(e, l, 0);
	}
}

void engine_fleet_changed(struct engine *e)
{
	if (engine_busy(e))
		die(70, "engine_fleet_changed() while jobs hold instances");
	cafetch_free(&e->ca);
	cafetch_init(&e->ca, e->fleet);
	/* Indexes of the old array mean other instances now; the dashboard
	 * says again what it shows at its next draw. */
	free(e->preferred);
	e->preferred = NULL;
	e->preferred_len = e->n_preferred = 0;
}

void engine_set_request_hook(struct engine *e, engine_request_fn fn, void *ud)
{
	e->on_request = fn;
	e->on_request_ud = ud;
}

void engine_set_interactive(struct engine *e, bool on)
{
	/* The first round opens a connection per transfer: 64 TLS handshakes
	 * finished in one curl_multi_perform() held the dashboard's loop for
	 * 56-80 ms at 10k instances (bench/run.sh ui); 8 new transfers per
	 * pass keep a pass to a few milliseconds. */
	e->sched.burst = on ? ENGINE_INTERACTIVE_BURST : 0;
}

void engine_set_debug(struct engine *e, bool on)
{
	e->debug = on;
}

void engine_set_notify(struct engine *e, engine_notify_fn fn, void *ud)
{
	e->notify = fn;
	e->notify_ud = ud;
}

static bool queue_refresh(struct engine *e, struct instance *in, bool then_download, const char *dir)
{
	unsigned bit = then_download ? PENDING_DOWNLOAD : PENDING_REFRESH;

	if (!sched_claim(in, bit))
		return false;
	if (!then_download)
		e->round_total++;
	if (no_credentials(in->account)) {
		char *msg = no_credentials_message(in->account);
		outcome_fail(in, STATE_AUTH_ERROR, "NoCredentials", msg, 0, -1, time(NULL));
		notify(e, in, ENGINE_EV_UPDATED, NULL);
		if (then_download)
			notify(e, in, ENGINE_EV_FAILED, msg);
		free(msg);
		sched_release(in, bit);
		if (!then_download)
			e->done++;
		return true;
	}
	struct sched_key *key = api_key(e, in->account, in->service, provider_action(in, CALL_STATUS));
	struct job *j = job_new(then_download ? JOB_DOWNLOAD : JOB_REFRESH, in, key);
	if (then_download) {
		j->dl.state = DL_FETCHING_STATUS;
		j->dl.link_tries = 1;
		j->dl.dir = xstrdup(dir);
	}
	sched_push(&e->sched, &j->s);
	return true;
}

bool engine_refresh(struct engine *e, struct instance *in)
{
	return queue_refresh(e, in, false, NULL);
}

static bool is_refresh_of(const struct sched_job *sj, const void *in)
{
	const struct job *j = (const struct job *)sj;

	return j->in == in && j->kind == JOB_REFRESH;
}

bool engine_hurry(struct engine *e, struct instance *in)
{
	if (!(in->pending & PENDING_REFRESH))
		return false;
	return sched_promote(&e->sched, is_refresh_of, in) > 0;
}

static bool is_preferred_refresh(const struct sched_job *sj, const void *ud)
{
	const struct job *j = (const struct job *)sj;
	const struct engine *e = ud;

	if (j->kind != JOB_REFRESH)
		return false;   /* list and credential jobs have no instance */
	size_t i = (size_t)(j->in - e->fleet->instances);

	return i < e->preferred_len && e->preferred[i];
}

static void promote_preferred(struct engine *e)
{
	if (e->n_preferred && e->sched.queued)
		sched_promote(&e->sched, is_preferred_refresh, e);
}

void engine_prefer(struct engine *e, const size_t *indices, size_t n)
{
	size_t total = e->fleet->n_instances;

	/* Sized to the fleet as it is now: a discovery merge adds instances
	 * after the first call (an overflow under ASan before this). */
	if (!e->preferred || e->preferred_len != total) {
		free(e->preferred);
		e->preferred = xcalloc(total ? total : 1, 1);
		e->preferred_len = total;
	} else {
		memset(e->preferred, 0, total);
	}
	e->n_preferred = 0;
	for (size_t i = 0; i < n; i++) {
		if (indices[i] < total && !e->preferred[indices[i]]) {
			e->preferred[indices[i]] = 1;
			e->n_preferred++;
		}
	}
	promote_preferred(e);
}

size_t engine_refresh_all(struct engine *e)
{
	size_t n = 0;

	if (!engine_busy(e))
		e->done = e->round_total = 0;
	for (size_t i = 0; i < e->fleet->n_instances; i++)
		n += queue_refresh(e, &e->fleet->instances[i], false, NULL);
	promote_preferred(e);
	return n;
}

bool engine_download(struct engine *e, struct instance *in, const char *dir, char **why)
{
	const char *target = dir ? dir : e->fleet->settings.download_dir;

	if (in->pending & PENDING_DOWNLOAD) {
		*why = xasprintf("%s: a download is already running", in->name);
		return false;
	}
	enum dl_state first = dl_chain_begin(in, time(NULL), why);
	if (first == DL_FAILED)
		return false;
	if (first == DL_FETCHING_STATUS)
		return queue_refresh(e, in, true, target);
	struct job *j = job_new(JOB_DOWNLOAD, in, NULL);
	j->dl.dir = xstrdup(target);
	sched_claim(in, PENDING_DOWNLOAD);
	char *fail = NULL;
	enum dl_state next = dl_chain_decide(&j->dl, in, time(NULL), &fail);
	chain_step(e, j, next, fail);
	return true;
}

static bool is_download_of(const struct sched_job *sj, const void *in)
{
	const struct job *j = (const struct job *)sj;

	return j->in == in && j->kind == JOB_DOWNLOAD;
}

bool engine_cancel_download(struct engine *e, struct instance *in)
{
	if (!(in->pending & PENDING_DOWNLOAD))
		return false;
	struct sched_job *sj = sched_unqueue(&e->sched, is_download_of, in);
	for (struct sched_job *f = e->sched.flight; !sj && f; f = f->fnext) {
		if (is_download_of(f, in)) {
			sj = f;
			transfer_put(&e->pool, take_off_wire(e, (struct job *)sj));
		}
	}
	if (!sj)
		return false;
	char *msg = xasprintf("%s: download cancelled", in->name);
	notify(e, in, ENGINE_EV_FAILED, msg);
	free(msg);
	job_done(e, (struct job *)sj);
	return true;
}

bool engine_download_progress(const struct engine *e, const struct instance *in, long long *got,
                              long long *total)
{
	for (const struct sched_job *sj = e->sched.flight; sj; sj = sj->fnext) {
		const struct job *j = (const struct job *)sj;
		if (j->kind != JOB_DOWNLOAD || j->dl.state != DL_FETCHING_FILE || j->in != in)
			continue;
		transfer_progress(j->xfer, got, total);
		return true;
	}
	return false;
}

int engine_poll(struct engine *e, const int *fds, unsigned n_fds, int max_wait_ms)
{
	struct curl_waitfd extra[4 + PROBES_MAX_IN_FLIGHT];
	int pfds[PROBES_MAX_IN_FLIGHT], pev[PROBES_MAX_IN_FLIGHT];
	long t = engine_next_timer_ms(e);
	int wait = max_wait_ms;
	int numfds = 0;

	if (n_fds > 4)
		n_fds = 4;
	for (unsigned i = 0; i < n_fds; i++)
		extra[i] = (struct curl_waitfd){.fd = fds[i], .events = CURL_WAIT_POLLIN};
	/* the caller's descriptors come first: its count of ready ones is
	 * what this returns */
	size_t np = probes_fds(&e->probes, pfds, pev, PROBES_MAX_IN_FLIGHT);
	for (size_t i = 0; i < np; i++)
		extra[n_fds + i] = (struct curl_waitfd){
			.fd = pfds[i],
			.events = (short)(((pev[i] & 1) ? CURL_WAIT_POLLIN : 0) |
			                  ((pev[i] & 2) ? CURL_WAIT_POLLOUT : 0))};
	if (t >= 0 && t < wait)
		wait = (int)t;
	if (curl_multi_poll(e->multi, extra, n_fds + (unsigned)np, wait, &numfds) != CURLM_OK)
		return -1;
	if (np) {
		numfds = 0;
		for (unsigned i = 0; i < n_fds; i++)
			numfds += extra[i].revents != 0;
	}
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
		probes_step(&e->probes, deadline, probe_finished, e);
		/* Newly added handles start on the next round rather than after a
		 * poll; and what that round completes (HTTP/2 answers often come
		 * back in the same call) is reaped now: a finished transfer left
		 * unread would leave curl_multi_poll() nothing to wake up for. */
		size_t started = sched_dispatch(&e->sched, pacer_now_ns(), start_job, e);
		if (!started)
			break;
		/* A burst's handshakes are the next call's work: let the caller
		 * read its input first (engine_set_interactive). */
		if (pacer_now_ns() >= deadline || (e->sched.burst && started >= e->sched.burst)) {
			e->again = true;  /* engine_next_timer_ms() says 0 */
			break;
		}
	}
}

long engine_next_timer_ms(const struct engine *e)
{
	if (e->again)
		return 0;
	int64_t best = sched_next_ns(&e->sched, pacer_now_ns());
	long p = probes_next_ms(&e->probes);
	long ms = best < 0 ? -1 : (long)((best + 999999) / 1000000);
	if (p >= 0 && (ms < 0 || p < ms))
		ms = p;
	return ms;
}

bool engine_busy(const struct engine *e)
{
	return sched_busy(&e->sched) || probes_busy(&e->probes);
}

bool engine_probe_pending(const struct instance *in)
{
	return (in->pending & (PENDING_PROBE | PENDING_PROBE_CA)) != 0;
}

void engine_get_stats(const struct engine *e, struct engine_stats *out)
{
	out->total = e->fleet->n_instances;
	out->queued = e->sched.queued + e->sched.heap_len;
	for (size_t i = 0; i < e->fleet->n_accounts; i++)
		out->queued += e->creds[i].n_parked;
	out->in_flight = e->sched.in_flight;
	out->done = e->done;
	out->round_total = e->round_total;
	out->throttled = e->sched.throttled_waiting;
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
