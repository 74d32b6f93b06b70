/* Dashboard model speed on a big fleet: loads a benchmark config (e.g. 100k
 * instances), gives every instance a plausible status (all states,
 * expiries, addresses, ages), then times fleet_view_update() for the
 * first build, every sort column both ways, a filter being typed, problems
 * only, and an incremental update after 1,000 instances changed (a refresh
 * in progress). Prints one line per operation: median and max of RUNS.
 *
 *   viewbench [-r RUNS] FILE.conf
 *
 * Built by bench/run.sh against the build tree's libtlsfleet.a. */
#include "config/config_load.h"
#include "core/fleet.h"
#include "core/fleet_view.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void fill_status(struct fleet *f, time_t now)
{
	srand(42);
	for (size_t i = 0; i < f->n_instances; i++) {
		struct instance_status *st = &f->instances[i].st;
		int r = rand() % 100;
		st->state = r < 70 ? STATE_ENABLED : r < 80 ? STATE_DISABLED : r < 85 ? STATE_ERROR
		          : r < 90 ? STATE_AUTH_ERROR : r < 95 ? STATE_UNKNOWN : STATE_NOT_FOUND;
		if (st->state == STATE_ENABLED)
			st->cert_expires_api = now + (time_t)(rand() % 2000 - 30) * 86400;
		if (rand() % 3) {
			char host[64];
			snprintf(host, sizeof(host), "r-%06zu.redis.example.com", (size_t)rand() % 1000000);
			st->addr.host = xstrdup(host);
		}
		st->refreshed_at = now - rand() % 600;
	}
}

/* Time one fleet_view_update after `change` ran; return milliseconds. */
#define TIMED(v, now, stmt) ({ stmt; double t0_ = now_ms(); fleet_view_update(v, now); now_ms() - t0_; })

static void report(const char *what, double *t, int runs)
{
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("viewbench %-28s median_ms=%.2f max_ms=%.2f\n", what, t[runs / 2], t[runs - 1]);
}

int main(int argc, char **argv)
{
	int runs = 5, opt;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt == 'r')
			runs = atoi(optarg);
		else
			return 2;
	}
	if (optind + 1 != argc || runs < 1) {
		fprintf(stderr, "usage: viewbench [-r RUNS] FILE.conf\n");
		return 2;
	}
	struct fleet f = {0};
	char *err = NULL;
	if (config_load(argv[optind], &f, &err) != 0) {
		fprintf(stderr, "viewbench: %s\n", err);
		return 1;
	}
	time_t now = time(NULL);
	fill_status(&f, now);
	printf("viewbench n=%zu runs=%d\n", f.n_instances, runs);

	double *t = calloc((size_t)runs, sizeof(*t));
	struct fleet_view v;
	for (int r = 0; r < runs; r++) {
		double t0 = now_ms();
		fleet_view_init(&v, &f);
		fleet_view_update(&v, now);
		t[r] = now_ms() - t0;
		if (r + 1 < runs)
			fleet_view_free(&v);
	}
	report("init+first update", t, runs);

	for (int s = 0; s < SORT_COUNT; s++) {
		for (int d = 0; d < 2; d++) {
			char what[64];
			for (int r = 0; r < runs; r++) {
				/* Away and back, so every run really re-sorts. */
				fleet_view_set_sort(&v, (enum view_sort)((s + 1) % SORT_COUNT), false);
				fleet_view_update(&v, now);
				t[r] = TIMED(&v, now, fleet_view_set_sort(&v, (enum view_sort)s, d));
			}
			snprintf(what, sizeof(what), "sort %s%s", fleet_view_sort_name((enum view_sort)s),
			         d ? " desc" : "");
			report(what, t, runs);
		}
	}
	fleet_view_set_sort(&v, SORT_NAME, false);
	fleet_view_update(&v, now);

	/* Typing "bench-0012" one key at a time, then clearing it. */
	const char *typed = "bench-0012";
	double worst = 0;
	for (int r = 0; r < runs; r++) {
		for (size_t k = 1; k <= strlen(typed); k++) {
			char part[32];
			snprintf(part, sizeof(part), "%.*s", (int)k, typed);
			double ms = TIMED(&v, now, fleet_view_set_filter(&v, part));
			if (ms > worst)
				worst = ms;
		}
		t[r] = TIMED(&v, now, fleet_view_set_filter(&v, NULL));
	}
	printf("viewbench %-28s max_ms=%.2f (rows at the end of typing: see below)\n",
	       "filter per keystroke", worst);
	report("filter cleared", t, runs);
	fleet_view_set_filter(&v, "enabled");
	fleet_view_update(&v, now);
	printf("viewbench filter \"enabled\" keeps %zu rows\n", v.n_rows);
	fleet_view_set_filter(&v, NULL);
	fleet_view_update(&v, now);

	for (int r = 0; r < runs; r++) {
		fleet_view_set_problems(&v, false);
		fleet_view_update(&v, now);
		t[r] = TIMED(&v, now, fleet_view_set_problems(&v, true));
	}
	report("problems only on", t, runs);
	fleet_view_set_problems(&v, false);
	fleet_view_update(&v, now);

	for (int sort = 0; sort < 2; sort++) {
		enum view_sort s = sort ? SORT_STATE : SORT_NAME;
		fleet_view_set_sort(&v, s, false);
		fleet_view_update(&v, now);
		for (int r = 0; r < runs; r++) {
			t[r] = TIMED(&v, now, ({
				for (size_t k = 0; k < 1000; k++) {
					size_t i = (size_t)rand() % f.n_instances;
					f.instances[i].st.state = (f.instances[i].st.state + 1) % STATE_COUNT;
					f.instances[i].st.refreshed_at = now;
					fleet_view_instance_changed(&v, i);
				}
			}));
		}
		char what[64];
		snprintf(what, sizeof(what), "1000 changed, sort %s", fleet_view_sort_name(s));
		report(what, t, runs);
	}
	for (int r = 0; r < runs; r++)
		t[r] = TIMED(&v, now, fleet_view_all_changed(&v));
	report("all changed (minute tick)", t, runs);

	fleet_view_free(&v);
	fleet_free(&f);
	free(t);
	return 0;
}
