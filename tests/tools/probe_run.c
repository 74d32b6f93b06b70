/* Test driver for the probe module until the engine drives it: probes one
 * target and prints the outcome as one JSON line, or (--repeat N) probes it
 * N times, --parallel at a time, and prints handshakes/s and CPU per probe,
 * or (--line) prints the connect line for the target instead.
 *
 *   probe_run [--proto P] [--verify NAME] [--ca FILE] [--ca-mem] [--timeout MS]
 *             [--repeat N] [--parallel C] HOST PORT
 *   probe_run --line [--proto P] [--verify NAME] [--dial HOST] [--dial-port N]
 *             [--ca FILE] HOST PORT
 * Exit: 0 when the (last) result is ok, 1 otherwise, 2 on bad usage. */
#include "core/connect.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "core/fleet.h"
#include "probe/probe.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void add_time(cJSON *o, const char *key, time_t t)
{
	char buf[21];

	if (t == TIME_NONE) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	timefmt_iso_utc(t, buf);
	cJSON_AddStringToObject(o, key, buf);
}

static void print_outcome(const struct probe_target *t, const struct probe_outcome *o)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "host", t->host);
	cJSON_AddNumberToObject(j, "port", t->port);
	cJSON_AddStringToObject(j, "verify_name", t->verify_name ? t->verify_name : t->host);
	cJSON_AddStringToObject(j, "result", probe_result_name(o->result));
	if (o->error)
		cJSON_AddStringToObject(j, "error", o->error);
	else
		cJSON_AddNullToObject(j, "error");
	if (o->tls_version)
		cJSON_AddStringToObject(j, "tls_version", o->tls_version);
	else
		cJSON_AddNullToObject(j, "tls_version");
	if (o->leaf) {
		cJSON *l = cJSON_AddObjectToObject(j, "leaf");
		cJSON_AddStringToObject(l, "subject", o->leaf->subject);
		cJSON_AddStringToObject(l, "issuer", o->leaf->issuer);
		add_time(l, "not_before", o->leaf->not_before);
		add_time(l, "not_after", o->leaf->not_after);
		cJSON_AddNumberToObject(l, "days_left", (double)o->leaf->days_left);
		cJSON_AddStringToObject(l, "sha256", o->leaf->sha256);
		cJSON *san = cJSON_AddArrayToObject(l, "san");
		for (size_t i = 0; i < o->leaf->n_san; i++)
			cJSON_AddItemToArray(san, cJSON_CreateString(o->leaf->san[i]));
	} else {
		cJSON_AddNullToObject(j, "leaf");
	}
	char *s = cJSON_PrintUnformatted(j);
	puts(s);
	free(s);
	cJSON_Delete(j);
}

/* Descriptors open now, to show a run of probes leaves none behind. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		die(2, "cannot read %s", path);
	do {
		buf = xrealloc(buf, cap += 65536);
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Runs `total` probes of t, `parallel` at a time; counts results. */
static enum probe_result run(const struct probe_target *t, long total, int parallel,
                             long counts[PROBE_RESULT_COUNT], bool print)
{
	struct probe **fl = xcalloc((size_t)parallel, sizeof(*fl));
	struct pollfd *pf = xcalloc((size_t)parallel, sizeof(*pf));
	long started = 0, finished = 0;
	enum probe_result last = PROBE_TLS_ERROR;

	while (finished < total) {
		int timeout = -1;
		for (int i = 0; i < parallel; i++) {
			while (!fl[i] && started < total) {
				probe_start(t, &fl[i]);
				started++;
				if (probe_done(fl[i]))
					break;
			}
			pf[i].fd = -1;
			pf[i].events = 0;
			if (!fl[i])
				continue;
			if (probe_done(fl[i])) {
				const struct probe_outcome *o = probe_get(fl[i]);
				counts[o->result]++;
				last = o->result;
				if (print)
					print_outcome(t, o);
				probe_free(fl[i]);
				fl[i] = NULL;
				finished++;
				i--;   /* refill this slot */
				continue;
			}
			int w = probe_wants(fl[i]), left = probe_timeout_ms(fl[i]);
			pf[i].fd = probe_fd(fl[i]);
			pf[i].events = (short)((w & PROBE_WANT_READ ? POLLIN : 0) |
			                       (w & PROBE_WANT_WRITE ? POLLOUT : 0));
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
		if (finished >= total)
			break;
		poll(pf, (nfds_t)parallel, timeout);
		for (int i = 0; i < parallel; i++)
			if (fl[i] && (pf[i].revents || probe_timeout_ms(fl[i]) == 0))
				probe_step(fl[i]);
	}
	free(fl);
	free(pf);
	return last;
}

int main(int argc, char **argv)
{
	struct probe_target t = {.proto = PROBE_REDIS, .timeout_ms = 5000};
	const char *proto = "redis", *dial = NULL;
	int dial_port = 0, parallel = 1;
	long repeat = 1;
	bool line = false, ca_mem = false;
	char *pem = NULL;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--line") == 0) { line = true; continue; }
		if (strcmp(o, "--ca-mem") == 0) { ca_mem = true; continue; }
		if (!v)
			die(2, "%s needs a value", o);
		i++;
		if (strcmp(o, "--proto") == 0) proto = v;
		else if (strcmp(o, "--verify") == 0) t.verify_name = v;
		else if (strcmp(o, "--ca") == 0) t.ca_file = v;
		else if (strcmp(o, "--timeout") == 0) t.timeout_ms = atoi(v);
		else if (strcmp(o, "--repeat") == 0) repeat = atol(v);
		else if (strcmp(o, "--parallel") == 0) parallel = atoi(v);
		else if (strcmp(o, "--dial") == 0) dial = v;
		else if (strcmp(o, "--dial-port") == 0) dial_port = atoi(v);
		else die(2, "unknown option %s", o);
	}
	if (argc - i != 2 || repeat < 1 || parallel < 1)
		die(2, "usage: probe_run [options] HOST PORT");
	t.host = argv[i];
	t.port = atoi(argv[i + 1]);

	if (line) {
		struct connect_spec cs = {.protocol = proto, .host = t.host, .port = t.port,
		                          .verify_name = t.verify_name, .dial_host = dial,
		                          .dial_port = dial_port, .ca_file = t.ca_file};
		char *s = connect_line(&cs);
		if (!s)
			return 1;
		puts(s);
		free(s);
		return 0;
	}
	if (!probe_proto_from_name(proto, &t.proto))
		die(2, "unknown protocol %s", proto);
	if (ca_mem && t.ca_file) {
		pem = slurp(t.ca_file);
		t.ca_pem = pem;
	}

	long counts[PROBE_RESULT_COUNT] = {0};
	int fds0 = open_fds();
	double w0 = now_s(), c0 = cpu_s();
	enum probe_result last = run(&t, repeat, parallel, counts, repeat == 1);
	double wall = now_s() - w0, cpu = cpu_s() - c0;
	if (repeat > 1) {
		printf("{\"probes\":%ld,\"parallel\":%d,\"seconds\":%.3f,\"per_second\":%.0f,"
		       "\"cpu_us_per_probe\":%.0f,\"ok\":%ld,\"fds_left_open\":%d}\n", repeat,
		       parallel, wall, repeat / wall, cpu * 1e6 / repeat, counts[PROBE_OK],
		       open_fds() - fds0);
	}
	free(pem);
	probe_cleanup();
	return last == PROBE_OK ? 0 : 1;
}
