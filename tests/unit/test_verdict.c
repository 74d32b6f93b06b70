/* The verdict table: every state x expiry around the thresholds x
 * require_tls, the probe inputs, and the per-instance overrides read from a
 * fleet (tlsfleet(1), "CHECK RULES"). */
#include "core/verdict.h"
#include "core/xalloc.h"
#include "tap.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
static const time_t NOW = 1790000000;

enum { V_OK = VERDICT_OK, V_W = VERDICT_WARNING, V_C = VERDICT_CRITICAL, V_U = VERDICT_UNKNOWN };

/* Expiry cases against warn 30 / crit 7, as seconds from NOW. */
static const struct {
	const char *name;
	long long offset;   /* LLONG_MIN = unknown */
	int enabled_status; /* what an enabled instance gets */
} expiries[] = {
	{"unknown", LLONG_MIN, V_U},
	{"expired a day ago", -DAY, V_C},
	{"expires this second", 0, V_C},
	{"1 second left (0 days)", 1, V_C},
	{"7 days (== crit)", 7LL * DAY + 60, V_C},
	{"8 days", 8LL * DAY + 60, V_W},
	{"30 days (== warn)", 30LL * DAY + 60, V_W},
	{"31 days", 31LL * DAY + 60, V_OK},
	{"400 days", 400LL * DAY, V_OK},
};

/* The state column of the table. -1: "as the expiry says". */
static int by_state(enum tls_state s, bool require_tls)
{
	switch (s) {
	case STATE_ENABLED: return -1;
	case STATE_CONFIGURING: return V_W;
	case STATE_DISABLED:
	case STATE_UNSUPPORTED:
	case STATE_NO_INFO: return require_tls ? V_C : V_OK;
	default: return V_U;
	}
}

static void test_table(void)
{
	int bad = 0, n = 0;

	for (int s = 0; s < STATE_COUNT; s++)
		for (size_t e = 0; e < sizeof(expiries) / sizeof(expiries[0]); e++)
			for (int req = 0; req < 2; req++) {
				struct verdict_input in = {
					.state = (enum tls_state)s, .warn_days = 30, .crit_days = 7,
					.require_tls = req, .probe = PROBE_NONE, .leaf_expires = TIME_NONE,
					.ca_expires = expiries[e].offset == LLONG_MIN ? TIME_NONE
					                                              : NOW + expiries[e].offset,
				};
				struct verdict v;
				int want = by_state((enum tls_state)s, req);
				if (want < 0)
					want = expiries[e].enabled_status;
				verdict_compute(&in, NOW, &v);
				n++;
				if ((int)v.status != want || !v.reason || !v.reason[0]) {
					bad++;
					diag("%s, CA %s, require_tls %d: got %s (%s), want %s",
					     state_name((enum tls_state)s), expiries[e].name, req,
					     verdict_status_name(v.status), v.reason ? v.reason : "NULL",
					     verdict_status_name((enum verdict_status)want));
				}
				verdict_clear(&v);
			}
	ok(bad == 0, "verdict table: %d cases (%d states x %zu expiries x require_tls)", n,
	   STATE_COUNT, sizeof(expiries) / sizeof(expiries[0]));
}

static char *reason_of(const struct verdict_input *in)
{
	struct verdict v;

	verdict_compute(in, NOW, &v);
	return v.reason;
}

static void test_reasons(void)
{
	struct verdict_input in = {.state = STATE_ENABLED, .warn_days = 30, .crit_days = 7,
	                           .ca_expires = NOW + 20LL * DAY + 60, .leaf_expires = TIME_NONE};
	char *r = reason_of(&in);
	is_str(r, "CA certificate expires on 2026-10-11T14:14:20Z (20 days left)", "expiry reason");
	free(r);
	in.ca_expires = NOW - 3LL * DAY;
	r = reason_of(&in);
	is_str(r, "CA certificate expired on 2026-09-18T14:13:20Z (3 days ago)", "expired reason");
	free(r);
	in.ca_expires = TIME_NONE;
	r = reason_of(&in);
	is_str(r, "TLS enabled, CA expiry unknown", "unknown expiry reason");
	free(r);

	struct api_error e = {.code = "RequestLimitExceeded", .message = "slow down", .http_status = 200};
	struct verdict_input t = {.state = STATE_THROTTLED, .error = &e, .ca_expires = TIME_NONE,
	                          .leaf_expires = TIME_NONE};
	r = reason_of(&t);
	is_str(r, "throttled: RequestLimitExceeded: slow down", "error reason names state and code");
	free(r);
	t.state = STATE_UNKNOWN;
	t.error = NULL;
	r = reason_of(&t);
	is_str(r, "not refreshed yet", "unknown: never refreshed");
	free(r);
	t.state = STATE_DISABLED;
	t.require_tls = true;
	r = reason_of(&t);
	is_str(r, "TLS is disabled but required", "require_tls reason");
	free(r);
}

static void test_probe(void)
{
	struct verdict_input in = {.state = STATE_ENABLED, .warn_days = 30, .crit_days = 7,
	                           .ca_expires = NOW + 400LL * DAY, .leaf_expires = TIME_NONE};
	struct verdict v;
	static const struct {
		enum probe_result p;
		int want;
	} cases[] = {
		{PROBE_OK, V_OK}, {PROBE_UNTRUSTED, V_C}, {PROBE_NAME_MISMATCH, V_C},
		{PROBE_EXPIRED, V_C}, {PROBE_PLAINTEXT, V_C}, {PROBE_NOT_YET_VALID, V_C},
		{PROBE_REFUSED, V_U}, {PROBE_TIMEOUT, V_U}, {PROBE_UNREACHABLE, V_U},
		{PROBE_TLS_ERROR, V_U}, {PROBE_NO_CA, V_U}, {PROBE_NO_ADDRESS, V_U},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in.probe = cases[i].p;
		verdict_compute(&in, NOW, &v);
		is_int(v.status, cases[i].want, probe_result_name(cases[i].p));
		verdict_clear(&v);
	}
	in.probe = PROBE_TIMEOUT;
	in.ca_expires = NOW + 20LL * DAY + 60;
	verdict_compute(&in, NOW, &v);
	is_int(v.status, V_W, "WARNING on expiry beats a probe timeout (UNKNOWN)");
	verdict_clear(&v);
	in.probe = PROBE_UNTRUSTED;
	verdict_compute(&in, NOW, &v);
	is_int(v.status, V_C, "untrusted beats WARNING");
	ok(strstr(v.reason, "probe: untrusted") && strstr(v.reason, "20 days left"), "both reasons: %s",
	   v.reason);
	verdict_clear(&v);

	/* The lower of CA and leaf days decides. */
	in.probe = PROBE_OK;
	in.ca_expires = NOW + 400LL * DAY;
	in.leaf_expires = NOW + 5LL * DAY + 60;
	verdict_compute(&in, NOW, &v);
	is_int(v.status, V_C, "leaf with 5 days left: CRITICAL although the CA has 400");
	ok(strstr(v.reason, "server certificate") != NULL, "reason names the server certificate");
	verdict_clear(&v);
	in.leaf_expires = NOW + 500LL * DAY;
	in.ca_expires = NOW + 10LL * DAY + 60;
	verdict_compute(&in, NOW, &v);
	is_int(v.status, V_W, "CA with 10 days, leaf 500: WARNING from the CA");
	verdict_clear(&v);
	in.ca_expires = TIME_NONE;
	verdict_compute(&in, NOW, &v);
	is_int(v.status, V_OK, "CA expiry unknown but a probed leaf known: the leaf decides");
	verdict_clear(&v);

	struct verdict_input off = {.state = STATE_DISABLED, .probe = PROBE_PLAINTEXT,
	                            .ca_expires = TIME_NONE, .leaf_expires = TIME_NONE};
	verdict_compute(&off, NOW, &v);
	is_int(v.status, V_OK, "a disabled instance is not judged by its probe");
	verdict_clear(&v);
}

static struct account acct = {.name = "a", .provider = PROVIDER_ALIBABA, .credential_source = "env"};

static void test_overrides(void)
{
	struct instance inst = {.name = "x", .account = &acct, .warn_days = -1, .crit_days = -1,
	                        .require_tls = -1};
	struct fleet f = {.settings = {.warn_days = 30, .crit_days = 7}, .instances = &inst, .n_instances = 1};
	char *reason;

	instance_status_init(&inst.st);
	inst.st.state = STATE_ENABLED;
	inst.st.cert_expires_api = NOW + 20LL * DAY + 60;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_W, "global warn 30: 20 days WARNING");
	f.settings.warn_days = 10;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_OK, "global warn 10 (the command line's): OK");
	inst.warn_days = 25;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_W, "instance warn_days 25 wins over global 10");
	inst.crit_days = 20;
	is_int(verdict_of(&f, &inst, NOW, &reason), V_C, "instance crit_days 20: CRITICAL at 20 days");
	ok(reason && strstr(reason, "20 days left"), "verdict_of gives the reason");
	free(reason);
	f.settings.crit_days = 30;
	inst.crit_days = 3;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_W, "instance crit_days 3 beats global 30");

	inst.st.state = STATE_UNSUPPORTED;
	f.settings.require_tls = true;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_C, "global require_tls: unsupported is CRITICAL");
	inst.require_tls = 0;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_OK, "instance require_tls = false wins");
	f.settings.require_tls = false;
	inst.require_tls = 1;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_C, "instance require_tls = true wins");

	/* the model's probe reaches the verdict (verdict_probe_of) */
	inst.require_tls = -1;
	inst.warn_days = inst.crit_days = -1;
	f.settings.warn_days = 30;
	f.settings.crit_days = 7;
	inst.st.state = STATE_ENABLED;
	inst.st.cert_expires_api = NOW + 400LL * DAY;
	inst.st.probe.result = PROBE_NAME_MISMATCH;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_C, "st.probe name_mismatch: CRITICAL");
	inst.st.probe.result = PROBE_OK;
	inst.st.probe.leaf = xcalloc(1, sizeof(*inst.st.probe.leaf));
	inst.st.probe.leaf->not_after = NOW + 3LL * DAY + 60;
	is_int(verdict_of(&f, &inst, NOW, &reason), V_C, "st.probe leaf with 3 days left: CRITICAL");
	ok(reason && strstr(reason, "server certificate"), "the reason names the server certificate");
	free(reason);
	inst.st.state = STATE_DISABLED;
	is_int(verdict_of(&f, &inst, NOW, NULL), V_OK, "disabled: the kept probe does not count");
	instance_status_free(&inst.st);
}

static void test_order(void)
{
	ok(verdict_severity(VERDICT_CRITICAL) > verdict_severity(VERDICT_WARNING) &&
	   verdict_severity(VERDICT_WARNING) > verdict_severity(VERDICT_UNKNOWN) &&
	   verdict_severity(VERDICT_UNKNOWN) > verdict_severity(VERDICT_OK),
	   "CRITICAL > WARNING > UNKNOWN > OK");
	is_int(verdict_worse(VERDICT_UNKNOWN, VERDICT_WARNING), V_W, "worse(UNKNOWN, WARNING)");
	is_int(verdict_worse(VERDICT_OK, VERDICT_UNKNOWN), V_U, "worse(OK, UNKNOWN)");
	is_str(verdict_status_name(VERDICT_CRITICAL), "CRITICAL", "names");
	ok(probe_result_name(PROBE_NONE) == NULL, "no name for never probed");
	is_str(probe_result_name(PROBE_NO_ADDRESS), "no_address", "probe names from the table");
}

int main(void)
{
	test_table();
	test_reasons();
	test_probe();
	test_overrides();
	test_order();
	return done_testing();
}
