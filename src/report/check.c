#include "report/check.h"
#include "core/strbuf.h"
#include "core/textsafe.h"
#include "core/timefmt.h"
#include "core/verdict.h"
#include "core/xalloc.h"
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

struct row {
	size_t index;                 /* config order */
	enum verdict_status status;
	char *name, *reason;          /* printable, no '|' */
};

/* Printable, and no '|': the plugin output grammar splits text from
 * perfdata at the first pipe of every line. */
static char *plugin_text(const char *s)
{
	char *t = textsafe_plain(s);

	for (char *p = t; *p; p++)
		if (*p == '|')
			*p = '/';
	return t;
}

/* Worst first; config order within a status. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int sx = verdict_severity(x->status), sy = verdict_severity(y->status);

	if (sx != sy)
		return sy - sx;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void print_perfdata(FILE *out, const struct fleet *f, const size_t *counts, bool have_min,
                           long min_days)
{
	fprintf(out, " | instances=%zu", f->n_instances);
	for (int s = 0; s < STATE_COUNT; s++)
		fprintf(out, " %s=%zu", state_name((enum tls_state)s), counts[s]);
	/* Range syntax of the monitoring plugins: "W:" alerts below W. */
	if (have_min)
		fprintf(out, " min_days_left=%ld;%d:;%d:\n", min_days, f->settings.warn_days,
		        f->settings.crit_days);
	else
		fprintf(out, " min_days_left=U;%d:;%d:\n", f->settings.warn_days, f->settings.crit_days);
}

int check_report(FILE *out, const struct fleet *f, time_t now)
{
	size_t counts[STATE_COUNT] = {0}, n_rows = 0;
	struct row *rows = xcalloc(f->n_instances + 1, sizeof(*rows));
	enum verdict_status worst = f->n_instances ? VERDICT_OK : VERDICT_UNKNOWN;
	bool have_min = false;
	long min_days = 0;

	for (size_t i = 0; i < f->n_instances; i++) {
		const struct instance *in = &f->instances[i];
		char *reason = NULL;
		enum verdict_status s = verdict_of(f, in, now, &reason);
		long days;

		counts[in->st.state]++;
		worst = verdict_worse(worst, s);
		if (s != VERDICT_OK) {
			rows[n_rows++] = (struct row){.index = i, .status = s, .name = plugin_text(in->name),
			                              .reason = plugin_text(reason)};
		}
		free(reason);
		if (in->st.state == STATE_ENABLED && instance_days_left(in, now, &days) &&
		    (!have_min || days < min_days)) {
			min_days = days;
			have_min = true;
		}
	}
	qsort(rows, n_rows, sizeof(*rows), row_cmp);

	fprintf(out, "TLSFLEET %s - ", verdict_status_name(worst));
	for (size_t i = 0; i < n_rows && i < CHECK_FIRST_LINE_NAMES; i++)
		fprintf(out, "%s%s: %s", i ? "; " : "", rows[i].name, rows[i].reason);
	if (n_rows > CHECK_FIRST_LINE_NAMES)
		fprintf(out, "; +%zu more", n_rows - CHECK_FIRST_LINE_NAMES);
	if (n_rows)
		fputs(" - ", out);
	if (!f->n_instances) {
		fputs("no instance selected", out);
	} else {
		fprintf(out, "%zu instances", f->n_instances);
		const char *sep = ": ";
		for (int s = 0; s < STATE_COUNT; s++) {
			if (!counts[s])
				continue;
			fprintf(out, "%s%zu %s", sep, counts[s], state_name((enum tls_state)s));
			sep = ", ";
		}
	}
	print_perfdata(out, f, counts, have_min, min_days);
	for (size_t i = 0; i < n_rows; i++) {
		fprintf(out, "%s %s: %s\n", verdict_status_name(rows[i].status), rows[i].name, rows[i].reason);
		free(rows[i].name);
		free(rows[i].reason);
	}
	free(rows);
	return (int)worst;
}
