#include "engine/download_chain.h"
#include "engine/url.h"
#include "providers/provider.h"
#include "store/download.h"
#include "core/textsafe.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <strings.h>

bool link_expired(time_t expires, time_t now)
{
	return expires != TIME_NONE && expires <= now + LINK_MARGIN_S;
}

static char *insecure(const struct instance *in, const char *url)
{
	char *shown = textsafe_redact_url(url);
	char *why = xasprintf("%s: refusing to download over an insecure URL (%s): https only",
	                      in->name, shown);
	free(shown);
	return why;
}

enum dl_state dl_chain_begin(const struct instance *in, time_t now, char **why)
{
	const struct instance_status *st = &in->st;

	if (state_is_definite(st->state) && st->state != STATE_ENABLED) {
		*why = xasprintf("%s: TLS is %s: no CA certificate to download", in->name, state_name(st->state));
		return DL_FAILED;
	}
	/* Some services' status answers carry no link: it comes from a call
	 * of its own (the descriptor says which). */
	bool link_call = provider_cert_link_call(in);
	/* A link remembered by the snapshot file lost its query (a bearer
	 * token) on the way to disk: only a fresh answer's link is usable. */
	bool fresh_link = !link_call && st->cert_url && !st->from_snapshot &&
	                  !link_expired(st->cert_url_expires, now);
	if (st->state == STATE_ENABLED && (link_call || fresh_link))
		return DL_NEED_LINK;
	/* State unknown or failed, or the link expired: ask the provider first. */
	return DL_FETCHING_STATUS;
}

enum dl_state dl_chain_decide(struct dl_chain *c, const struct instance *in, time_t now, char **why)
{
	const struct instance_status *st = &in->st;

	if (st->state != STATE_ENABLED) {
		*why = xasprintf("%s: TLS is %s: no CA certificate to download", in->name,
		                 state_name(st->state));
		return c->state = DL_FAILED;
	}
	if (provider_cert_link_call(in)) {
		c->link_tries = 1; /* the status call gave no link: this is the first */
		return c->state = DL_FETCHING_LINK;
	}
	if (st->cert_url && link_expired(st->cert_url_expires, now)) {
		if (c->link_tries < LINK_TRIES_MAX) {
			/* Ask the provider for a fresh link, then decide again. */
			c->link_tries++;
			return c->state = DL_FETCHING_STATUS;
		}
		*why = xasprintf("%s: the provider's download link has expired and no fresh one came",
		                 in->name);
		return c->state = DL_FAILED;
	}
	if (!st->cert_url) {
		*why = xasprintf("%s: the provider gave no certificate URL", in->name);
		return c->state = DL_FAILED;
	}
	if (!url_is_https(st->cert_url)) {
		*why = insecure(in, st->cert_url);
		return c->state = DL_FAILED;
	}
	free(c->url);
	c->url = xstrdup(st->cert_url);
	return c->state = DL_FETCHING_FILE;
}

enum dl_state dl_chain_link_answer(struct dl_chain *c, const struct instance *in,
                                   struct provider_result *r, time_t now, char **why)
{
	if (!r->link || r->error) {
		*why = xasprintf("%s: no download link: %s%s%s", in->name,
		                 r->error ? r->error->code : "InvalidResponse",
		                 r->error && r->error->message[0] ? ": " : "",
		                 r->error ? r->error->message : "");
		return c->state = DL_FAILED;
	}
	if (link_expired(r->cert_url_expires, now) && c->link_tries < LINK_TRIES_MAX) {
		c->link_tries++;
		return c->state = DL_FETCHING_LINK;
	}
	free(c->url);
	c->url = r->link;
	r->link = NULL;
	free(c->name_hint);
	c->name_hint = r->file_name;
	r->file_name = NULL;
	if (!url_is_https(c->url)) {
		*why = insecure(in, c->url);
		return c->state = DL_FAILED;
	}
	return c->state = DL_FETCHING_FILE;
}

enum dl_state dl_chain_save(struct dl_chain *c, struct instance *in, const unsigned char *data,
                            size_t len, char **msg)
{
	struct download_result res = {0};
	char *err = NULL;

	c->state = DL_SAVING;
	if (download_save_ex(in, c->dir, c->name_hint, c->url, data, len, &res, &err) != 0) {
		*msg = xasprintf("%s: %s", in->name, err ? err : "not saved");
		free(err);
		download_result_free(&res);
		return c->state = DL_FAILED;
	}
	*msg = res.n_certs
		? xasprintf("%s: saved %s (%zu bytes); %zu certificate%s in %s", in->name, res.path, len,
		            res.n_certs, res.n_certs == 1 ? "" : "s", res.ca_pem_path)
		: xasprintf("%s: saved %s (%zu bytes), but found no certificate in it: %s", in->name,
		            res.path, len, res.note ? res.note : "unknown format");
	free(err);
	download_result_free(&res);
	return c->state = DL_DONE;
}

void dl_chain_free(struct dl_chain *c)
{
	free(c->dir);
	free(c->url);
	free(c->name_hint);
	c->dir = c->url = c->name_hint = NULL;
}
