#include "engine/outcome.h"
#include "core/discovery.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "engine/url.h"

#include <stdlib.h>
#include <string.h>

static void replace_str(char **dst, char **src)
{
	free(*dst);
	*dst = *src;
	*src = NULL;
}

static void set_attempt(struct instance *in, enum tls_state state, struct api_error *err,
                        int http_status, char *request_id, long latency_ms, time_t now)
{
	struct instance_status *st = &in->st;

	st->state = state;
	api_error_free(st->error);
	st->error = err;
	st->http_status = http_status;
	free(st->request_id);
	st->request_id = request_id;
	st->latency_ms = latency_ms;
	st->refreshed_at = now;
	st->from_snapshot = false;
}

/* Apply a provider's parsed answer. Takes ownership of r's fields (r is
 * left empty). http_status 0 = no HTTP answer. */
static void outcome_apply(struct instance *in, struct provider_result *r,
                          int http_status, long latency_ms, time_t now)
{
	struct instance_status *st = &in->st;

	if (state_is_definite(r->state)) {
		/* A new certificate URL (other than by its query) means the CA
		 * file may have changed: what was inspected no longer applies.
		 * Compared only when something was inspected: two URL parses
		 * per refreshed instance were 3 % of a 10k --list (callgrind). */
		if (st->ca_certs_from && r->cert_url) {
			char *old = url_without_query(st->cert_url);
			char *from = url_without_query(r->cert_url);
			bool same_file = old && strcmp(old, from) == 0;
			free(old);
			if (!same_file && strcmp(from, st->ca_certs_from) != 0) {
				cert_summaries_free(st->ca_certs, st->n_ca_certs);
				st->ca_certs = NULL;
				st->n_ca_certs = 0;
				free(st->ca_certs_from);
				st->ca_certs_from = NULL;
			}
			free(from);
		}
		replace_str(&st->cert_url, &r->cert_url);
		st->cert_url_expires = r->cert_url_expires;
		st->cert_expires_api = r->cert_expires;
		address_free(&st->addr);
		st->addr = r->addr;
		memset(&r->addr, 0, sizeof(r->addr));
		r->addr.port = -1;
		/* where the status call is silent, the listing's address stands */
		address_fill(&st->addr, &in->listed_addr);
		cJSON_Delete(st->provider_status);
		st->provider_status = r->provider_status;
		r->provider_status = NULL;
		st->last_good_at = now;
	}
	st->clock_skew = r->clock_skew;
	set_attempt(in, r->state, r->error, http_status, r->request_id, latency_ms, now);
	r->error = NULL;
	r->request_id = NULL;
}

static void describe_skew(struct instance *in, const char *date, time_t now)
{
	time_t server;

	if (!in->st.clock_skew || !in->st.error)
		return;
	if (date && *date && timefmt_parse_http_date(date, &server)) {
		long skew = (long)((long long)server - (long long)now);
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

void outcome_apply_http(struct instance *in, struct provider_result *r,
                        const struct http_response *resp, long latency_ms, time_t now)
{
	outcome_apply(in, r, (int)resp->status, latency_ms, now);
	describe_skew(in, resp->date, now);
}

void outcome_fail(struct instance *in, enum tls_state state, const char *code,
                  const char *message, int http_status, long latency_ms, time_t now)
{
	in->st.clock_skew = false;
	set_attempt(in, state, api_error_new(code, message, http_status), http_status, NULL,
	            latency_ms, now);
}
