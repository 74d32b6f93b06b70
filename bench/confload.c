/* Config load time, measured without changing the program: calls
 * config_load() (libconfig parse, validation, the model built, the tree
 * freed) on a benchmark config, several times, and prints the median and
 * the minimum wall time, the CPU time, the heap the model keeps
 * (mallinfo2) and the peak RSS of the process.
 *
 *   confload [-r RUNS] FILE.conf
 *
 * Built by bench/run.sh against the build tree's libtlsfleet.a. */
#include "config/config_load.h"
#include "core/fleet.h"

#include <malloc.h>
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

	return x < y ? -1 : x > y;
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
		fprintf(stderr, "usage: confload [-r RUNS] FILE.conf\n");
		return 2;
	}
	double *t = calloc((size_t)runs, sizeof(*t));
	double cpu = 0;
	size_t n = 0, model = 0;

	for (int r = 0; r < runs; r++) {
		struct fleet f = {0};
		char *err = NULL;
		size_t before = mallinfo2().uordblks;
		double c0 = cpu_s(), t0 = now_s();
		if (config_load(argv[optind], &f, &err) != 0) {
			fprintf(stderr, "confload: %s\n", err);
			return 1;
		}
		t[r] = now_s() - t0;
		cpu += cpu_s() - c0;
		model = mallinfo2().uordblks - before;
		n = f.n_instances;
		fleet_free(&f);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("confload n=%zu runs=%d median_s=%.3f min_s=%.3f cpu_s_per_load=%.3f "
	       "model_bytes_per_instance=%.0f peak_rss_mb=%.1f\n",
	       n, runs, t[runs / 2], t[0], cpu / runs, n ? (double)model / n : 0.0,
	       ru.ru_maxrss / 1024.0);
	free(t);
	return 0;
}
