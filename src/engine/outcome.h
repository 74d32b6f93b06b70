/* How an attempt's outcome lands on an instance (tlsfleet(1), STATES): a definite
 * answer replaces every kept field and sets last_good_at; any other outcome
 * keeps them, so a failed refresh never erases what an earlier one learned.
 * Every attempt sets state, error, http_status, request_id, latency and
 * refreshed_at. */
#ifndef TLSFLEET_OUTCOME_H
#define TLSFLEET_OUTCOME_H
#include "core/fleet.h"
#include "providers/provider.h"

/* Apply an API answer: outcome_apply, then a clock-skew rejection gets
 * its message rewritten to say by how much the clocks differ (from the
 * answer's Date header). */
void outcome_apply_http(struct instance *in, struct provider_result *r,
                        const struct http_response *resp, long latency_ms, time_t now);

/* Record a failure that never reached a provider parser (network, TLS,
 * missing credentials, size cap...). */
void outcome_fail(struct instance *in, enum tls_state state, const char *code,
                  const char *message, int http_status, long latency_ms, time_t now);

#endif
