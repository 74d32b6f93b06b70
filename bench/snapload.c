/* The snapshot's share of a dashboard's first screen, without a terminal:
 * on a benchmark config and its snapshot file, the median wall and CPU
 * time of config_load (for scale), snapshot_load, the view's first
 * update (every verdict computed, rows sorted worst first), a save with
 * nothing else written since (the dashboard's every-second case) and a
 * save that merges another process's file.
 *
 *   snapload [-r RUNS] FILE.conf SNAPSHOT
 *
 * Built by bench/snapshot_bench.sh against the build tree's libtlsfleet.a.
 * The saves write to SNAPSHOT.bench beside it. */
#include "config/config_load.h"
#include "core/fleet.h"
#include "core/fleet_view.h"
#include "store/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

enum { CONF, LOAD, VIEW, SAVE_SAME, SAVE_MERGE, STEPS };
static const char *const names[STEPS] = {
	"config_load", "snapshot_load", "view first update", "save (file unchanged)",
	"save (merge another's file)",
};

int main(int argc, char **argv)
{
	int runs = 5, opt;
	double wall[STEPS][64], cpu[STEPS][64];
	size_t loaded = 0;

	while ((opt = getopt(argc, argv, "r:")) != -1)
		runs = atoi(optarg);
	if (optind + 2 != argc || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: snapload [-r RUNS] FILE.conf SNAPSHOT\n");
		return 2;
	}
	char *out = malloc(strlen(argv[optind + 1]) + 8);
	sprintf(out, "%s.bench", argv[optind + 1]);
	for (int r = 0; r < runs; r++) {
		struct fleet f = {0};
		struct fleet_view v;
		struct snapshot_mark m = {0};
		char *err = NULL;
		double w, c;

#define STEP(i, code) do { w = now_s(); c = cpu_s(); code; wall[i][r] = now_s() - w; \
		cpu[i][r] = cpu_s() - c; } while (0)
		STEP(CONF, if (config_load(argv[optind], &f, &err) != 0) { fprintf(stderr, "%s\n", err); return 1; });
		STEP(LOAD, snapshot_load(&f, argv[optind + 1], &loaded, NULL, &err));
		free(err);
		err = NULL;
		STEP(VIEW, fleet_view_init(&v, &f); fleet_view_update(&v, time(NULL)));
		fleet_view_free(&v);
		unlink(out);
		snapshot_save(&f, out, &m, &err);   /* first: nothing to merge */
		STEP(SAVE_SAME, snapshot_save(&f, out, &m, &err));
		snapshot_mark_free(&m);
		STEP(SAVE_MERGE, snapshot_save(&f, out, &m, &err));
		snapshot_mark_free(&m);
		free(err);
		fleet_free(&f);
	}
	unlink(out);
	free(out);
	printf("%zu instances from the snapshot, median of %d:\n", loaded, runs);
	for (int i = 0; i < STEPS; i++) {
		qsort(wall[i], (size_t)runs, sizeof(double), cmp);
		qsort(cpu[i], (size_t)runs, sizeof(double), cmp);
		printf("  %-28s wall %7.1f ms  cpu %7.1f ms\n", names[i], wall[i][runs / 2] * 1e3,
		       cpu[i][runs / 2] * 1e3);
	}
	return 0;
}
