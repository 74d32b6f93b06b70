#include "core/verdict.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *verdict_status_name(enum verdict_status s)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return (unsigned)s < VERDICT_COUNT ? names[s] : "UNKNOWN";
}

enum verdict_status probe_result_verdict(enum probe_result r)
{
	static const enum verdict_status table[] = {
		[PROBE_NONE] = VERDICT_OK,
#define PROBE(id, name, verdict, meaning) [PROBE_##id] = verdict,
#include "core/probe_results.def"
#undef PROBE
	};

	return (unsigned)r < PROBE_RESULT_COUNT ? table[r] : VERDICT_UNKNOWN;
}

int verdict_severity(enum verdict_status s)
{
	static const int rank[] = {0, 2, 3, 1};

	return (unsigned)s < VERDICT_COUNT ? rank[s] : 1;
}

enum verdict_status verdict_worse(enum verdict_status a, enum verdict_status b)
{
	return verdict_severity(b) > verdict_severity(a) ? b : a;
}

static long days_until(time_t t, time_t now)
{
	long long diff = (long long)t - (long long)now;
	long long d = diff / 86400;

	if (diff % 86400 != 0 && diff < 0)
		d--;
	return (long)d;
}

/* One certificate's expiry against the thresholds. what: "CA certificate",
 * "server certificate". */
static enum verdict_status expiry_status(const struct verdict_input *in, const char *what, time_t exp,
                                         time_t now, char **reason)
{
	long days = days_until(exp, now);
	char date[21];

	if (reason)
		timefmt_iso_utc(exp, date);
	if (exp <= now) {
		if (reason)
			*reason = xasprintf("%s expired on %s (%ld days ago)", what, date, -days);
		return VERDICT_CRITICAL;
	}
	if (reason)
		*reason = xasprintf("%s expires on %s (%ld days left)", what, date, days);
	if (days <= in->crit_days)
		return VERDICT_CRITICAL;
	if (days <= in->warn_days)
		return VERDICT_WARNING;
	return VERDICT_OK;
}

/* TLS on: the earlier of the CA's and the probed leaf's expiry decides the
 * days, and a probe failure can only make it worse. */
static enum verdict_status verdict_enabled(const struct verdict_input *in, time_t now, char **reason)
{
	enum verdict_status s;
	char *why = NULL;
	bool leaf = in->leaf_expires != TIME_NONE && in->probe != PROBE_NONE;

	if (leaf && (in->ca_expires == TIME_NONE || in->leaf_expires < in->ca_expires))
		s = expiry_status(in, "server certificate", in->leaf_expires, now, reason ? &why : NULL);
	else if (in->ca_expires != TIME_NONE)
		s = expiry_status(in, "CA certificate", in->ca_expires, now, reason ? &why : NULL);
	else {
		s = VERDICT_UNKNOWN;
		if (reason)
			why = xstrdup("TLS enabled, CA expiry unknown");
	}

	if ((unsigned)in->probe < PROBE_RESULT_COUNT && in->probe != PROBE_NONE) {
		enum verdict_status p = probe_result_verdict(in->probe);
		if (p != VERDICT_OK && verdict_severity(p) >= verdict_severity(s)) {
			if (reason) {
				char *both = s == VERDICT_OK
					? xasprintf("probe: %s", probe_result_name(in->probe))
					: xasprintf("probe: %s; %s", probe_result_name(in->probe), why);
				free(why);
				why = both;
			}
			s = p;
		}
	}
	if (reason && in->not_probed) {
		char *note = xasprintf("%s; not probed: %s", why, in->not_probed);
		free(why);
		why = note;
	}
	if (reason)
		*reason = why;
	return s;
}

static enum verdict_status compute(const struct verdict_input *in, time_t now, char **reason)
{
	const char *state = state_name(in->state);
	const struct api_error *e = in->error;

	switch (in->state) {
	case STATE_ENABLED:
		return verdict_enabled(in, now, reason);
	case STATE_CONFIGURING:
		if (reason)
			*reason = xstrdup("TLS is being configured");
		return VERDICT_WARNING;
	case STATE_DISABLED:
	case STATE_UNSUPPORTED:
	case STATE_NO_INFO:
		/* A disabled instance that answers TLS is not a problem: the
		 * probe is not looked at here. */
		if (in->require_tls) {
			if (reason)
				*reason = xasprintf("TLS is %s but required", state);
			return VERDICT_CRITICAL;
		}
		if (reason)
			*reason = xasprintf("TLS is %s", state);
		return VERDICT_OK;
	default:
		if (!reason)
			return VERDICT_UNKNOWN;
		if (e)
			*reason = xasprintf("%s: %s%s%s", state, e->code, e->message && e->message[0] ? ": " : "",
			                    e->message ? e->message : "");
		else if (in->state == STATE_UNKNOWN)
			*reason = xstrdup("not refreshed yet");
		else
			*reason = xstrdup(state);
		return VERDICT_UNKNOWN;
	}
}

void verdict_compute(const struct verdict_input *in, time_t now, struct verdict *out)
{
	out->reason = NULL;
	out->status = compute(in, now, &out->reason);
}

void verdict_clear(struct verdict *v)
{
	free(v->reason);
	v->reason = NULL;
}

void verdict_probe_of(const struct instance *in, struct verdict_input *out)
{
	/* The last probe counts, however old: it is the latest evidence of what
	 * clients see, and the next probe replaces it (tlsfleet(1)). */
	const struct probe_status *p = &in->st.probe;

	out->probe = p->result;
	out->leaf_expires = p->result != PROBE_NONE && p->leaf ? p->leaf->not_after : TIME_NONE;
}

void verdict_input_of(const struct fleet *f, const struct instance *in, struct verdict_input *out)
{
	out->state = in->st.state;
	out->error = in->st.error;
	out->ca_expires = instance_cert_expires(in, NULL);
	out->warn_days = instance_warn_days(f, in);
	out->crit_days = instance_crit_days(f, in);
	out->require_tls = instance_require_tls(f, in);
	verdict_probe_of(in, out);
	out->not_probed = instance_not_probed(f, in);
}

enum verdict_status verdict_of(const struct fleet *f, const struct instance *in, time_t now,
                               char **reason)
{
	struct verdict_input vi;

	verdict_input_of(f, in, &vi);
	if (reason)
		*reason = NULL;
	return compute(&vi, now, reason);
}
