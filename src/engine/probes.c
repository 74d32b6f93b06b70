#include "engine/probes.h"
#include "engine/scheduler.h"
#include "engine/url.h"
#include "engine/pacer.h"
#include "probe/probe.h"
#include "providers/protocol.h"
#include "store/certinfo.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct probe_run {
	struct instance *in;
	struct probe *p;
	char *host;          /* dialled, as given to probe_start */
	int port;
	char *verify_name;
};

void probes_init(struct probes *pr, struct fleet *f)
{
	memset(pr, 0, sizeof(*pr));
	pr->fleet = f;
	pr->flight = xcalloc(PROBES_MAX_IN_FLIGHT, sizeof(*pr->flight));
}

static void run_clear(struct probe_run *r)
{
	probe_free(r->p);
	free(r->host);
	free(r->verify_name);
	memset(r, 0, sizeof(*r));
}

void probes_free(struct probes *pr)
{
	for (size_t i = 0; i < pr->in_flight; i++) {
		sched_release(pr->flight[i].in, PENDING_PROBE);
		run_clear(&pr->flight[i]);
	}
	for (size_t i = pr->head; i < pr->len; i++)
		sched_release(pr->queue[i], PENDING_PROBE);
	free(pr->flight);
	free(pr->queue);
	strmap_free(&pr->pem);
	for (size_t i = 0; i < pr->n_pems; i++)
		free(pr->pems[i]);
	free(pr->pems);
	memset(pr, 0, sizeof(*pr));
}

bool probes_protocol(const struct instance *in, enum probe_proto *out)
{
	enum probe_proto p;

	if (!probe_proto_from_name(provider_protocol(in, NULL), &p))
		return false;
	if (out)
		*out = p;
	return true;
}

bool probes_request(struct probes *pr, struct instance *in)
{
	if (!probes_protocol(in, NULL) || !sched_claim(in, PENDING_PROBE))
		return false;
	if (pr->head && pr->head == pr->len)
		pr->head = pr->len = 0;
	if (pr->len == pr->cap) {
		/* reuse the consumed front before growing */
		if (pr->head) {
			memmove(pr->queue, pr->queue + pr->head, (pr->len - pr->head) * sizeof(*pr->queue));
			pr->len -= pr->head;
			pr->head = 0;
		} else {
			pr->cap = pr->cap ? pr->cap * 2 : 64;
			pr->queue = xreallocarray(pr->queue, pr->cap, sizeof(*pr->queue));
		}
	}
	pr->queue[pr->len++] = in;
	return true;
}

static const char *downloaded_pem(const struct instance *in)
{
	const struct download_info *d = in->st.download;

	/* The operator's file wins: it is there because the provider offers
	 * none, or because they trust theirs over the download. */
	if (in->probe_ca)
		return in->probe_ca;

	return d && d->ca_pem && access(d->ca_pem, R_OK) == 0 ? d->ca_pem : NULL;
}

static const char *kept_pem(const struct probes *pr, const struct instance *in)
{
	if (!in->st.cert_url || !pr->pem.len)
		return NULL;
	char *key = url_without_query(in->st.cert_url);
	const char *pem = strmap_get(&pr->pem, key);
	free(key);
	return pem;
}

bool probes_have_ca(const struct probes *pr, const struct instance *in)
{
	return downloaded_pem(in) || kept_pem(pr, in);
}

void probes_remember_pem(struct probes *pr, const char *url, const unsigned char *data, size_t len)
{
	struct ca_file cf;
	char *err = NULL;

	if (!url || certinfo_read(data, len, NULL, &cf, &err) != 0) {
		certinfo_free(&cf);
		free(err);
		return;
	}
	char *pem = certinfo_pem(&cf);
	certinfo_free(&cf);
	char *key = url_without_query(url);
	pr->pems = xreallocarray(pr->pems, pr->n_pems + 1, sizeof(*pr->pems));
	pr->pems[pr->n_pems++] = pem;   /* an older PEM of the same URL stays owned until free */
	strmap_put(&pr->pem, key, pem);
	free(key);
}

static void start_one(struct probes *pr, struct instance *in, enum probe_proto proto)
{
	struct probe_run *r = &pr->flight[pr->in_flight++];
	const char *host = in->probe_host ? in->probe_host : instance_connect_host(in);
	const char *name = in->sni ? in->sni : instance_connect_host(in);
	struct probe_target t = {0};

	r->in = in;
	r->host = xstrdup(host);
	r->port = in->probe_port > 0 ? in->probe_port : instance_connect_port(in);
	r->verify_name = xstrdup(name ? name : host);
	t.host = r->host;
	t.port = r->port;
	t.verify_name = r->verify_name;
	t.proto = proto;
	t.ca_file = downloaded_pem(in);
	if (!t.ca_file)
		t.ca_pem = kept_pem(pr, in);
	t.timeout_ms = (int)(pr->fleet->settings.timeout * 1000);
	probe_start(&t, &r->p);
}

static void finish_one(struct probe_run *r)
{
	struct probe_status *ps = &r->in->st.probe;
	const struct probe_outcome *o = probe_get(r->p);

	probe_status_clear(ps);
	ps->result = o->result;
	ps->at = time(NULL);
	ps->host = r->host;
	ps->port = r->port;
	ps->verify_name = r->verify_name;
	r->host = r->verify_name = NULL;
	ps->error = o->error ? xstrdup(o->error) : NULL;
	ps->tls_version = o->tls_version ? xstrdup(o->tls_version) : NULL;
	ps->leaf = probe_take_leaf(r->p);
}

size_t probes_step(struct probes *pr, int64_t deadline_ns,
                   void (*done)(void *ud, struct instance *in), void *ud)
{
	size_t n_done = 0;

	/* A start costs a key share and the CA parse, a step on readiness the
	 * handshake's signature check: ~1-2.5 ms each (bench/README.md), so
	 * both stop at the deadline and the rest goes on at the next call,
	 * the ones not reached this time first. */
	while (pr->in_flight < PROBES_MAX_IN_FLIGHT && pr->head < pr->len &&
	       pacer_now_ns() < deadline_ns) {
		struct instance *in = pr->queue[pr->head++];
		enum probe_proto proto;
		/* queued with a protocol; an answer since may have changed the
		 * engine: then not probed at all, never as another protocol */
		if (probes_protocol(in, &proto))
			start_one(pr, in, proto);
		else
			sched_release(in, PENDING_PROBE);
	}
	size_t n = pr->in_flight;
	for (size_t k = 0; k < n && pr->in_flight; k++) {
		if (pacer_now_ns() >= deadline_ns)
			break;
		size_t i = pr->cursor++ % pr->in_flight;
		struct probe_run *r = &pr->flight[i];
		probe_step(r->p);
		if (!probe_done(r->p))
			continue;
		struct instance *in = r->in;
		finish_one(r);
		run_clear(r);
		pr->flight[i] = pr->flight[--pr->in_flight];
		memset(&pr->flight[pr->in_flight], 0, sizeof(*r));
		sched_release(in, PENDING_PROBE);
		n_done++;
		if (done)
			done(ud, in);
	}
	return n_done;
}

size_t probes_fds(const struct probes *pr, int *fds, int *events, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < pr->in_flight && n < max; i++) {
		int fd = probe_fd(pr->flight[i].p);
		if (fd < 0)
			continue;
		fds[n] = fd;
		events[n] = probe_wants(pr->flight[i].p);
		n++;
	}
	return n;
}

long probes_next_ms(const struct probes *pr)
{
	long best = -1;

	if (pr->head < pr->len && pr->in_flight < PROBES_MAX_IN_FLIGHT)
		return 0;
	for (size_t i = 0; i < pr->in_flight; i++) {
		long t = probe_timeout_ms(pr->flight[i].p);
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

bool probes_busy(const struct probes *pr)
{
	return pr->in_flight || pr->head < pr->len;
}

size_t probes_queued(const struct probes *pr)
{
	return pr->len - pr->head;
}
