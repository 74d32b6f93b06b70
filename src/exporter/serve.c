#include "exporter/serve.h"
#include "core/textsafe.h"
#include "core/xalloc.h"
#include "engine/relist.h"
#include "report/prometheus.h"
#include "report/report.h"
#include "store/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct server {
	struct fleet *f;
	struct engine *e;
	struct prom_counters own, *counters;
	struct snapshot_keeper *keep;
	bool first_round_done;
	size_t relist_added;         /* instances the last merge added (refreshing) */
};

/* ---- signals: a flag and a self-pipe the loop polls --------------------- */

static volatile sig_atomic_t stop_requested;
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	stop_requested = 1;
	if (signal_pipe[1] >= 0 && write(signal_pipe[1], "x", 1) < 0) {
		/* The pipe is full: a wakeup is already pending. */
	}
	errno = saved;
}

static int signals_install(char **err)
{
	struct sigaction sa;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		*err = xasprintf("pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return 0;
}

static void signals_remove(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		signal_pipe[i] = -1;
	}
}

/* ---- HTTP ---------------------------------------------------------------- */

static void on_request(void *ud, const struct account *a, const char *action, const char *outcome)
{
	struct server *s = ud;

	prom_counters_add(s->counters, a->name, action, outcome);
}

/* Prometheus asks with "application/openmetrics-text;version=1.0.0,...,
 * text/plain;version=0.0.4;q=0.5,...": any mention of OpenMetrics not
 * refused with q=0 picks it. */
static bool wants_openmetrics(const char *accept)
{
	const char *p = accept ? strstr(accept, "application/openmetrics-text") : NULL;

	if (!p)
		return false;
	size_t n = strcspn(p, ",");
	char *elem = xstrndup(p, n);
	const char *q = strstr(elem, "q=");
	bool yes = !q || strtod(q + 2, NULL) > 0;
	free(elem);
	return yes;
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *type,
                               char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	return respond(conn, status, "text/plain; charset=utf-8", xstrdup(text), strlen(text));
}

static enum MHD_Result on_http(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET only\n");
	if (strcmp(url, "/healthz") == 0)
		return s->first_round_done ? respond_text(conn, MHD_HTTP_OK, "ok\n")
		                           : respond_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		                                          "first refresh not finished\n");
	if (strcmp(url, "/metrics") == 0) {
		bool om = wants_openmetrics(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                                        MHD_HTTP_HEADER_ACCEPT));
		fp = open_memstream(&buf, &len);
		if (!fp)
			return MHD_NO;
		prometheus_write(fp, s->f, s->counters, om ? PROM_OPENMETRICS : PROM_TEXT, time(NULL));
		fclose(fp);
		return respond(conn, MHD_HTTP_OK, om ? PROM_OPENMETRICS_CONTENT_TYPE : PROM_TEXT_CONTENT_TYPE,
		               buf, len);
	}
	if (strcmp(url, "/instances.json") == 0) {
		fp = open_memstream(&buf, &len);
		if (!fp)
			return MHD_NO;
		report_list(fp, s->f, REPORT_JSON, time(NULL));
		fclose(fp);
		return respond(conn, MHD_HTTP_OK, "application/json", buf, len);
	}
	return respond_text(conn, MHD_HTTP_NOT_FOUND, "not found: /metrics, /instances.json, /healthz\n");
}

/* ---- address ------------------------------------------------------------- */

static bool serve_parse_listen(const char *s, char **host, unsigned *port)
{
	const char *colon, *h = s;
	size_t hl;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return false;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return false;  /* a bare IPv6 address needs brackets */
		hl = (size_t)(colon - s);
	}
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p > 65535 || colon[1] == '-' || colon[1] == '+')
		return false;
	*port = (unsigned)p;
	*host = hl ? xstrndup(h, hl) : NULL;
	return true;
}

static struct MHD_Daemon *daemon_start(struct server *s, const char *listen, bool *usage, char **err)
{
	char *host = NULL, service[8];
	unsigned port;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai = NULL;

	if (!serve_parse_listen(listen, &host, &port)) {
		*usage = true;
		*err = xasprintf("--serve wants ADDR:PORT ([ADDR]:PORT for IPv6, :PORT for every address), "
		                 "not '%s'", listen);
		return NULL;
	}
	snprintf(service, sizeof(service), "%u", port);
	int rc = getaddrinfo(host, service, &hints, &ai);
	if (rc != 0) {
		*usage = true;
		*err = xasprintf("--serve %s: %s", listen, gai_strerror(rc));
		free(host);
		return NULL;
	}
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= host ? MHD_USE_IPv6 : MHD_USE_DUAL_STACK;
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, on_http, s,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		/* A scrape is small and quick; slow clients must not pile up. */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_END);
	if (!d)
		*err = xasprintf("cannot listen on %s: %s", listen, strerror(errno ? errno : EADDRINUSE));
	freeaddrinfo(ai);
	free(host);
	return d;
}

/* ---- re-listing (engine/relist.c) -------------------------------------- */

static void on_changed(void *ud, const struct instance *in, bool added)
{
	/* a discovered name is the provider's text: no escapes to the journal */
	char *name = textsafe_plain(in->name);

	(void)ud;
	if (added)
		fprintf(stderr, "tlsfleet: %s: discovered (%s %s, %s)\n", name, in->account->name,
		        service_kind_name(in->service), in->region);
	else
		fprintf(stderr, "tlsfleet: %s: no longer listed by %s, removed\n", name, in->account->name);
	free(name);
}

static void on_merged(void *ud, const struct relist_merge *m)
{
	struct server *s = ud;
	const struct discovery *d = m->d;

	if (!m->each && (m->added || m->removed))
		fprintf(stderr, "tlsfleet: discovery: %zu instance%s added, %zu removed\n", m->added,
		        m->added == 1 ? "" : "s", m->removed);
	discovery_report_failures(d, stderr);
	prom_counters_discovery(s->counters, d, time(NULL));
	if (m->added || m->removed)
		snapshot_keeper_fleet_changed(s->keep);
	s->relist_added = m->added;
}

/* ---- the loop ------------------------------------------------------------ */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int serve_run(struct fleet *f, struct engine *e, const struct serve_options *o, bool *usage,
              char **err)
{
	struct server s = {.f = f, .e = e, .keep = o->keep};
	struct MHD_Daemon *d;
	struct relist rl;
	bool relisting = relist_wanted(f);

	s.counters = o->counters ? o->counters : &s.own;

	*usage = false;
	d = daemon_start(&s, o->listen, usage, err);
	if (!d)
		return -1;
	if (signals_install(err) != 0) {
		MHD_stop_daemon(d);
		return -1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	const union MHD_DaemonInfo *bound = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	int fds[2] = {info->epoll_fd, signal_pipe[0]};
	fprintf(stderr, "tlsfleet: serving /metrics, /instances.json and /healthz on %s (port %u)\n",
	        o->listen, bound ? (unsigned)bound->port : 0u);

	engine_set_request_hook(e, on_request, &s);
	/* main.c listed before the engine started: the next listing is
	 * `interval` from now. */
	if (relisting)
		relist_init(&rl, f, e,
		            &(struct relist_hooks){.changed = on_changed, .merged = on_merged, .ud = &s},
		            mono_ms(), true);
	engine_refresh_all(e);
	engine_perform(e);
	bool in_round = true;
	int64_t next_round = -1;   /* monotonic ms; -1 = none planned */
	while (!stop_requested) {
		/* A merge rebuilds the instance array at the engine's idle point;
		 * the instances it added are being refreshed: a round to finish. */
		if (relisting && relist_update(&rl, mono_ms()) && s.relist_added) {
			s.relist_added = 0;
			in_round = true;
			engine_perform(e);
		}
		if (in_round && !engine_busy(e)) {
			in_round = false;
			s.first_round_done = true;
			if (o->round_done)
				o->round_done(o->ud);
			/* refresh_interval counts from the end of a round; 0 = only
			 * the first round (nobody here to ask for another). */
			if (f->settings.refresh_interval > 0)
				next_round = mono_ms() + (int64_t)f->settings.refresh_interval * 1000;
		}
		if (!in_round && next_round >= 0 && mono_ms() >= next_round &&
		    !(relisting && rl.merge_pending)) {
			next_round = -1;
			in_round = true;
			engine_refresh_all(e);
			engine_perform(e);
			continue;
		}
		char *serr = snapshot_keeper_tick(o->keep, mono_ms());
		if (serr) {
			fprintf(stderr, "tlsfleet: warning: %s\n", serr);
			free(serr);
		}
		long wait = 60000;
		long due = snapshot_keeper_due_ms(o->keep, mono_ms());
		if (due >= 0 && due < wait)
			wait = due;
		MHD_UNSIGNED_LONG_LONG mhd_ms;
		if (MHD_get_timeout(d, &mhd_ms) == MHD_YES && mhd_ms < (MHD_UNSIGNED_LONG_LONG)wait)
			wait = (long)mhd_ms;
		if (next_round >= 0 && next_round - mono_ms() < wait)
			wait = (long)(next_round - mono_ms() > 0 ? next_round - mono_ms() : 0);
		long relist_due = relisting ? relist_next_ms(&rl, mono_ms()) : -1;
		if (relist_due >= 0 && relist_due < wait)
			wait = relist_due;
		engine_poll(e, fds, 2, (int)wait);
		engine_perform(e);
		MHD_run(d);
	}
	engine_set_request_hook(e, NULL, NULL);
	/* List jobs still queued point into the round; the engine drops them
	 * later without reading a listing. */
	if (relisting)
		relist_free(&rl);
	MHD_stop_daemon(d);
	signals_remove();
	prom_counters_free(&s.own);
	fputs("tlsfleet: stopped\n", stderr);
	return 0;
}
