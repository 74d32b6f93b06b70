#include "engine/cafetch.h"
#include "engine/url.h"
#include "engine/download_chain.h"
#include "engine/scheduler.h"
#include "store/download.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cafetch_init(struct cafetch *cf, struct fleet *f)
{
	memset(cf, 0, sizeof(*cf));
	cf->enabled = f->settings.fetch_ca;
	for (size_t i = 0; i < f->n_instances; i++)
		cafetch_known(cf, &f->instances[i]);
}

void cafetch_free(struct cafetch *cf)
{
	strmap_free(&cf->fetches);
	strmap_free(&cf->known);
}

void cafetch_known(struct cafetch *cf, struct instance *in)
{
	if (in->st.ca_certs_from && in->st.n_ca_certs)
		strmap_put(&cf->known, in->st.ca_certs_from, in);
}

/* for_probe: the live probe needs the certificates themselves, not just
 * their dates, so it fetches even when the expiry is known from the API or
 * an earlier run (the engine asks only when it keeps no PEM for the URL). */
static bool wanted(const struct cafetch *cf, const struct instance *in, time_t now, bool for_probe)
{
	const struct instance_status *st = &in->st;

	if (st->state != STATE_ENABLED || !url_is_https(st->cert_url))
		return false;
	if (!for_probe && (!cf->enabled || st->cert_expires_api != TIME_NONE))
		return false;
	if (link_expired(st->cert_url_expires, now))
		return false; /* an expired link would only fail; the next answer brings a fresh one */
	if (for_probe)
		return true;
	char *key = url_without_query(st->cert_url);
	bool known = st->ca_certs_from && strcmp(st->ca_certs_from, key) == 0;
	free(key);
	return !known;
}

static struct ca_fetch *request(struct cafetch *cf, struct instance *in, time_t now, bool for_probe)
{
	struct ca_fetch *f, *fresh = NULL;

	if (!wanted(cf, in, now, for_probe) || (in->pending & PENDING_CA_FETCH))
		return NULL;
	char *key = url_without_query(in->st.cert_url);
	f = strmap_get(&cf->fetches, key);
	if (!f) {
		/* Tencent links are per instance: a scan of the fleet here made a
		 * large fleet's refresh quadratic. The map may be stale (a newer
		 * answer moved the instance to another URL), so check it. */
		struct instance *o = for_probe ? NULL : strmap_get(&cf->known, key);
		if (o && o != in && o->st.ca_certs_from && o->st.n_ca_certs &&
		    strcmp(o->st.ca_certs_from, key) == 0) {
			instance_copy_ca_certs(in, o);
			free(key);
			return NULL;
		}
		fresh = f = xcalloc(1, sizeof(*f));
		f->url = xstrdup(in->st.cert_url);
		strmap_put(&cf->fetches, key, f);
	}
	free(key);
	f->waiters = xreallocarray(f->waiters, f->n_waiters + 1, sizeof(*f->waiters));
	f->waiters[f->n_waiters++] = in;
	sched_claim(in, PENDING_CA_FETCH);
	return fresh;
}

struct ca_fetch *cafetch_request(struct cafetch *cf, struct instance *in, time_t now)
{
	return request(cf, in, now, false);
}

struct ca_fetch *cafetch_request_probe(struct cafetch *cf, struct instance *in, time_t now)
{
	return request(cf, in, now, true);
}

int cafetch_inspect(struct cafetch *cf, struct ca_fetch *f, const unsigned char *data, size_t len,
                    char **err)
{
	if (!f->n_waiters || download_inspect(f->waiters[0], f->url, data, len, err) != 0)
		return -1;
	cafetch_known(cf, f->waiters[0]);
	for (size_t i = 1; i < f->n_waiters; i++)
		instance_copy_ca_certs(f->waiters[i], f->waiters[0]);
	return 0;
}

void cafetch_end(struct cafetch *cf, struct ca_fetch *f)
{
	char *key = url_without_query(f->url);

	strmap_del(&cf->fetches, key);
	free(key);
	for (size_t i = 0; i < f->n_waiters; i++)
		sched_release(f->waiters[i], PENDING_CA_FETCH);
	free(f->waiters);
	free(f->url);
	free(f);
}
