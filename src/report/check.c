#include "report/check.h"
#include "report/report.h"
#include "core/strbuf.h"
#include "core/textsafe.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return (unsigned)s < 4 ? names[s] : "UNKNOWN";
}

/* CRITICAL > WARNING > UNKNOWN > OK */
static int severity(enum check_status s)
{
	static const int rank[] = {0, 2, 3, 1};

	return rank[s];
}

static enum check_status check_enabled(const struct fleet *f, const struct instance *in, time_t now,
                                       char **reason)
{
	long days;
	char date[21];
	time_t exp = instance_cert_expires(in, NULL);

	if (!instance_days_left(in, now, &days)) {
		*reason = xstrdup("TLS enabled, CA expiry unknown");
		return CHECK_UNKNOWN;
	}
	timefmt_iso_utc(exp, date);
	if (exp <= now) {
		*reason = xasprintf("CA certificate expired on %s (%ld days ago)", date, -days);
		return CHECK_CRITICAL;
	}
	int crit = instance_crit_days(f, in), warn = instance_warn_days(f, in);
	*reason = xasprintf("CA certificate expires on %s (%ld days left)", date, days);
	if (days <= crit)
		return CHECK_CRITICAL;
	if (days <= warn)
		return CHECK_WARNING;
	return CHECK_OK;
}

enum check_status check_instance(const struct fleet *f, const struct instance *in, time_t now,
                                 char **reason)
{
	const struct instance_status *st = &in->st;

	switch (st->state) {
	case STATE_ENABLED:
		return check_enabled(f, in, now, reason);
	case STATE_CONFIGURING:
		*reason = xstrdup("TLS is being configured");
		return CHECK_WARNING;
	case STATE_DISABLED:
	case STATE_UNSUPPORTED:
	case STATE_NO_INFO:
		if (instance_require_tls(f, in)) {
			*reason = xasprintf("TLS is %s but required", state_name(st->state));
			return CHECK_CRITICAL;
		}
		*reason = xasprintf("TLS is %s", state_name(st->state));
		return CHECK_OK;
	default:
		if (st->error)
			*reason = xasprintf("%s: %s%s%s", state_name(st->state), st->error->code,
			                    st->error->message[0] ? ": " : "", st->error->message);
		else
			*reason = xstrdup(state_name(st->state));
		return CHECK_UNKNOWN;
	}
}

int check_report(FILE *out, const struct fleet *f, time_t now)
{
	size_t counts[STATE_COUNT] = {0};
	enum check_status worst = CHECK_OK;
	struct strbuf details = STRBUF_INIT;
	bool have_min = false;
	long min_days = 0;

	for (size_t i = 0; i < f->n_instances; i++) {
		const struct instance *in = &f->instances[i];
		char *reason = NULL;
		enum check_status s = check_instance(f, in, now, &reason);
		long days;

		counts[in->st.state]++;
		if (severity(s) > severity(worst))
			worst = s;
		if (s != CHECK_OK) {
			char *name = textsafe_plain(in->name), *why = textsafe_plain(reason);
			strbuf_addf(&details, "%s %s: %s\n", check_status_name(s), name, why);
			free(name);
			free(why);
		}
		free(reason);
		if (in->st.state == STATE_ENABLED && instance_days_left(in, now, &days) &&
		    (!have_min || days < min_days)) {
			min_days = days;
			have_min = true;
		}
	}

	fprintf(out, "TLSFLEET %s - %zu instances", check_status_name(worst), f->n_instances);
	const char *sep = ": ";
	for (int s = 0; s < STATE_COUNT; s++) {
		if (!counts[s])
			continue;
		fprintf(out, "%s%zu %s", sep, counts[s], state_name((enum tls_state)s));
		sep = ", ";
	}
	fprintf(out, " | instances=%zu", f->n_instances);
	for (int s = 0; s < STATE_COUNT; s++)
		fprintf(out, " %s=%zu", state_name((enum tls_state)s), counts[s]);
	if (have_min)
		fprintf(out, " min_days_left=%ld;%d;%d\n", min_days, f->settings.warn_days, f->settings.crit_days);
	else
		fprintf(out, " min_days_left=U;%d;%d\n", f->settings.warn_days, f->settings.crit_days);
	fputs(strbuf_str(&details), out);
	strbuf_free(&details);
	return (int)worst;
}
