/* tlsfleet: command line, then one of five modes (dashboard, --list,
 * --check, --download, --serve). Everything else lives in the layers below. */
#include "report/check.h"
#include "report/prometheus.h"
#include "exporter/serve.h"
#include "config/config_load.h"
#include "config/reload.h"
#include "engine/engine.h"
#include "core/fleet.h"
#include "providers/provider.h"
#include "report/report.h"
#include "store/statefile.h"
#include "store/snapshot.h"
#include "core/textsafe.h"
#include "core/timefmt.h"
#include "dashboard/tui.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <math.h>
#include "core/discovery.h"
#include <locale.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


enum mode { MODE_DASHBOARD, MODE_LIST, MODE_CHECK, MODE_DOWNLOAD, MODE_SERVE, MODE_DISCOVER,
	    MODE_CHECK_CONFIG };

struct options {
	enum mode mode;
	const char *config;
	const char *theme;
	bool no_color;
	enum report_format format;
	int warn_days, crit_days;   /* -1 = from config */
	bool require_tls;
	const char **download;      /* instance names (argv strings) */
	size_t n_download;
	bool download_all;
	const char *output_dir;
	const char *serve;
	/* Selection (--only, --account): borrowed from argv. */
	const char **only, **accounts;
	size_t n_only, n_accounts;
	double deadline;            /* seconds; < 0 = none */
	int64_t deadline_end_ms;    /* now_ms() when the run must end: the whole run's */
	bool debug;                 /* -v, --debug */
	double max_age;             /* --max-age seconds; < 0 = none */
	int refresh;                /* --refresh seconds; -1 = from config */
};

static int usage_code(const struct options *o)
{
	return o->mode == MODE_CHECK ? 3 : 2;
}

static void print_help(void)
{
	fputs("Usage:\n"
	      "  tlsfleet [-c FILE] [--theme NAME] [--no-color]       the dashboard\n"
	      "  tlsfleet [-c FILE] --list [--format table|json|csv|prometheus] [SELECTION]\n"
	      "  tlsfleet [-c FILE] --check [--warn-days N] [--crit-days N] [--require-tls] [SELECTION]\n"
	      "  tlsfleet [-c FILE] --download NAME... | --all [--output-dir DIR] [SELECTION]\n"
	      "  tlsfleet [-c FILE] --serve ADDR:PORT                  Prometheus exporter\n"
	      "  tlsfleet [-c FILE] --discover [--account NAME]       print the listed instances\n"
	      "  tlsfleet [-c FILE] --check-config                     validate, no network\n"
	      "  tlsfleet --help | --version\n"
	      "\n"
	      "Shows whether TLS is on for every managed database instance (configured or\n"
	      "listed by discovery: Redis, PostgreSQL, MySQL, SQL Server, MongoDB, PolarDB) on\n",
	      stdout);
	/* The clouds, from their descriptors: "A, B and C, when". */
	for (int p = 0; p < PROVIDER_COUNT; p++)
		printf("%s%s", p == 0 ? "" : p + 1 == PROVIDER_COUNT ? " and " : ", ",
		       provider_for((enum provider_kind)p)->help_title);
	fputs(", when\n"
	      "their CA certificates expire, and downloads the CA file clients need.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE    configuration (default $XDG_CONFIG_HOME/tlsfleet/config)\n"
	      "      --theme NAME     colour theme of the dashboard\n"
	      "      --no-color       attributes only, no colours (also: NO_COLOR)\n"
	      "      --list           refresh every instance once and print the states\n"
	      "      --format FMT     table (default), json, csv or prometheus\n"
	      "      --check          monitoring-plugin check: exit 0 OK, 1 WARNING,\n"
	      "                       2 CRITICAL, 3 UNKNOWN\n"
	      "      --warn-days N    WARNING when a CA expires within N days\n"
	      "      --crit-days N    CRITICAL when a CA expires within N days\n"
	      "      --require-tls    TLS disabled/unsupported/no info is CRITICAL\n"
	      "      --download NAME... save the CA certificate of each NAME (ca.pem and\n"
	      "                       truststore.p12 beside it) and print what it is\n"
	      "      --all            with --download: every instance with TLS on\n"
	      "      --output-dir DIR where --download saves (default: download_dir)\n"
	      "      --only GLOB      SELECTION: instances whose name matches (repeatable)\n"
	      "      --account NAME   SELECTION: instances of that account (repeatable)\n"
	      "      --discover       list the instances of the accounts with 'discover' and\n"
	      "                       print them as a config snippet (instances = (...);)\n"
	      "      --deadline SECS  end a --list/--check/--download run by then; what has\n"
	      "                       not answered is reported as it stands (unknown)\n"
	      "      --max-age SECS   with --list/--check: instances the snapshot file saw\n"
	      "                       answer within SECS are reported from it, unasked\n"
	      "      --serve ADDR:PORT  run for good, serving /metrics, /instances.json and\n"
	      "                       /healthz (ADDR:PORT, [IPv6]:PORT or :PORT)\n"
	      "  -v, --debug          a line per API request on stderr (action, region,\n"
	      "                       host, status, request id, latency, clock skew)\n"
	      "      --refresh SECS   dashboard/--serve: refresh every SECS seconds\n"
	      "                       (0 = on request), overriding refresh_interval\n"
	      "      --check-config   validate the configuration and credentials only\n"
	      "                       (no network): exit 0 when valid, 2 when not\n"
	      "  -h, --help           this help\n"
	      "  -V, --version        version\n"
	      "\n"
	      "See tlsfleet(1) and tlsfleet.conf(5).\n",
	      stdout);
}

static bool parse_days(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0 || v > 36500)
		return false;
	*out = (int)v;
	return true;
}

__attribute__((format(printf, 2, 3)))
static _Noreturn void usage_error(const struct options *o, const char *fmt, ...)
{
	va_list ap;

	fputs("tlsfleet: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'tlsfleet --help'.\n", stderr);
	exit(usage_code(o));
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_THEME = 256, OPT_NO_COLOR, OPT_LIST, OPT_FORMAT, OPT_CHECK, OPT_WARN, OPT_CRIT,
	       OPT_REQUIRE_TLS, OPT_DOWNLOAD, OPT_ALL, OPT_OUTPUT_DIR, OPT_ONLY, OPT_ACCOUNT,
	       OPT_DEADLINE, OPT_SERVE, OPT_DEBUG, OPT_DISCOVER, OPT_MAX_AGE, OPT_REFRESH,
	       OPT_CHECK_CONFIG };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"theme", required_argument, NULL, OPT_THEME},
		{"no-color", no_argument, NULL, OPT_NO_COLOR},
		{"list", no_argument, NULL, OPT_LIST},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"check", no_argument, NULL, OPT_CHECK},
		{"warn-days", required_argument, NULL, OPT_WARN},
		{"crit-days", required_argument, NULL, OPT_CRIT},
		{"require-tls", no_argument, NULL, OPT_REQUIRE_TLS},
		/* optional: --download=NAME, or names as operands, or --all */
		{"download", optional_argument, NULL, OPT_DOWNLOAD},
		{"all", no_argument, NULL, OPT_ALL},
		{"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
		{"only", required_argument, NULL, OPT_ONLY},
		{"account", required_argument, NULL, OPT_ACCOUNT},
		{"deadline", required_argument, NULL, OPT_DEADLINE},
		{"max-age", required_argument, NULL, OPT_MAX_AGE},
		{"serve", required_argument, NULL, OPT_SERVE},
		{"debug", no_argument, NULL, OPT_DEBUG},
		{"discover", no_argument, NULL, OPT_DISCOVER},
		{"refresh", required_argument, NULL, OPT_REFRESH},
		{"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	int c, modes = 0;

	o->download = xcalloc((size_t)argc, sizeof(*o->download));

	/* The exit code of a usage error depends on the mode (3 for --check),
	 * so find the mode before complaining about anything. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--check") == 0)
			o->mode = MODE_CHECK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:hVv", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case OPT_THEME: o->theme = optarg; break;
		case OPT_NO_COLOR: o->no_color = true; break;
		case OPT_LIST: o->mode = MODE_LIST; modes++; break;
		case OPT_CHECK: o->mode = MODE_CHECK; modes++; break;
		case OPT_DOWNLOAD:
			o->mode = MODE_DOWNLOAD;
			modes++;
			if (optarg)
				o->download[o->n_download++] = optarg;
			break;
		case OPT_ALL: o->download_all = true; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_WARN:
			if (!parse_days(optarg, &o->warn_days))
				usage_error(o, "--warn-days wants a number of days (0-36500), not '%s'", optarg);
			break;
		case OPT_CRIT:
			if (!parse_days(optarg, &o->crit_days))
				usage_error(o, "--crit-days wants a number of days (0-36500), not '%s'", optarg);
			break;
		case OPT_REQUIRE_TLS: o->require_tls = true; break;
		case OPT_OUTPUT_DIR: o->output_dir = optarg; break;
		case OPT_SERVE: o->mode = MODE_SERVE; o->serve = optarg; modes++; break;
		case OPT_DISCOVER: o->mode = MODE_DISCOVER; modes++; break;
		case OPT_ONLY:
			o->only = xreallocarray(o->only, o->n_only + 1, sizeof(*o->only));
			o->only[o->n_only++] = optarg;
			break;
		case OPT_ACCOUNT:
			o->accounts = xreallocarray(o->accounts, o->n_accounts + 1, sizeof(*o->accounts));
			o->accounts[o->n_accounts++] = optarg;
			break;
		case OPT_DEADLINE: {
			char *end;
			o->deadline = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(o->deadline) || o->deadline <= 0 || o->deadline > 86400)
				usage_error(o, "--deadline wants seconds (0-86400), not '%s'", optarg);
			break;
		}
		case 'v':
		case OPT_DEBUG: o->debug = true; break;
		case OPT_MAX_AGE: {
			char *end;
			o->max_age = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(o->max_age) || o->max_age < 0 ||
			    o->max_age > 10 * 365 * 86400.0)
				usage_error(o, "--max-age wants seconds (0 or more), not '%s'", optarg);
			break;
		}
		case OPT_REFRESH: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 0 || v > 86400 * 7)
				usage_error(o, "--refresh wants seconds (0-604800), not '%s'", optarg);
			o->refresh = (int)v;
			break;
		}
		case OPT_CHECK_CONFIG: o->mode = MODE_CHECK_CONFIG; modes++; break;
		case 'h': print_help(); exit(0);
		case 'V': printf("tlsfleet %s\n", PACKAGE_VERSION); exit(0);
		case ':': usage_error(o, "option '%s' needs a value", argv[optind - 1]); break;
		default: usage_error(o, "unknown option '%s'", argv[optind - 1]); break;
		}
	}
	if (modes > 1)
		usage_error(o, "%s", "choose one of --list, --check, --download, --serve, --discover and --check-config");
	if (o->mode == MODE_DOWNLOAD)
		while (optind < argc)
			o->download[o->n_download++] = argv[optind++];
	if (optind < argc)
		usage_error(o, "unexpected argument '%s'", argv[optind]);
	if (o->download_all && o->mode != MODE_DOWNLOAD)
		usage_error(o, "%s", "--all goes with --download");
	if (o->mode == MODE_DOWNLOAD && o->download_all && o->n_download)
		usage_error(o, "%s", "--download takes instance names or --all, not both");
	if (o->mode == MODE_DOWNLOAD && !o->download_all && !o->n_download)
		usage_error(o, "%s", "--download needs an instance name (or --all)");
	if (format) {
		if (o->mode != MODE_LIST)
			usage_error(o, "%s", "--format goes with --list");
		if (!report_format_from_name(format, &o->format))
			usage_error(o, "--format is table, json, csv or prometheus, not '%s'", format);
	}
	if ((o->warn_days >= 0 || o->crit_days >= 0 || o->require_tls) && o->mode != MODE_CHECK)
		usage_error(o, "%s", "--warn-days, --crit-days and --require-tls go with --check");
	if (o->output_dir && o->mode != MODE_DOWNLOAD)
		usage_error(o, "%s", "--output-dir goes with --download");
	if (o->mode == MODE_DISCOVER && o->n_only)
		usage_error(o, "%s", "--discover takes --account, not --only");
	if ((o->n_only || o->n_accounts || o->deadline >= 0) && o->mode != MODE_LIST &&
	    o->mode != MODE_CHECK && o->mode != MODE_DOWNLOAD && o->mode != MODE_DISCOVER)
		usage_error(o, "%s", "--only, --account and --deadline go with --list, --check and --download");
	if (o->max_age >= 0 && o->mode != MODE_LIST && o->mode != MODE_CHECK)
		usage_error(o, "%s", "--max-age goes with --list and --check");
	if ((o->theme || o->no_color) && o->mode != MODE_DASHBOARD)
		usage_error(o, "%s", "--theme and --no-color are for the dashboard");
	if (o->refresh >= 0 && o->mode != MODE_DASHBOARD && o->mode != MODE_SERVE)
		usage_error(o, "%s", "--refresh goes with the dashboard and --serve");
}

/* ---- the configuration: first run, --check-config ------------------------ */

/* No file at all is a first run, not an error to decode: say which file was
 * looked for and where to start from. */
static bool first_run_help(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 || errno != ENOENT)
		return false;
	fprintf(stderr,
	        "tlsfleet: no configuration file: %s does not exist\n"
	        "tlsfleet: an example to start from: %s/examples/config.example\n"
	        "tlsfleet: (copy it there and edit it, or name another file with -c FILE);\n"
	        "tlsfleet: the format is described in tlsfleet.conf(5)\n",
	        path, TLSFLEET_DOCDIR);
	return true;
}

static int check_config(const char *path, const struct fleet *f)
{
	printf("%s: valid: %zu account%s, %zu instance%s\n", path, f->n_accounts,
	       f->n_accounts == 1 ? "" : "s", f->n_instances, f->n_instances == 1 ? "" : "s");
	return 0;
}

/* ---- headless progress and results --------------------------------------- */

struct headless {
	struct engine *engine;
	struct fleet *fleet;
	bool progress;          /* stderr is a terminal */
	int64_t last_draw_ms;
	bool *saved;            /* per instance (fleet order): saved by this run */
	struct snapshot_keeper *keep;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void headless_notify(void *ud, struct instance *in, enum engine_event ev, const char *msg)
{
	struct headless *h = ud;

	if (ev == ENGINE_EV_UPDATED)
		snapshot_keeper_mark(h->keep);
	if (ev == ENGINE_EV_DOWNLOADED) {
		if (in && h->saved)
			h->saved[in - h->fleet->instances] = true;
		if (msg)
			fprintf(stderr, "tlsfleet: %s\n", msg);
	} else if (ev == ENGINE_EV_FAILED && msg) {
		fprintf(stderr, "%stlsfleet: %s\n", h->progress ? "\r\033[K" : "", msg);
	}
	if (h->progress && ev == ENGINE_EV_UPDATED) {
		int64_t t = now_ms();
		if (t - h->last_draw_ms < 100)
			return;
		h->last_draw_ms = t;
		struct engine_stats s;
		engine_get_stats(h->engine, &s);
		fprintf(stderr, "\r\033[Ktlsfleet: refreshed %zu/%zu (%zu in flight, %zu waiting, %zu throttled)",
		        s.done, s.round_total, s.in_flight, s.queued, s.throttled);
		fflush(stderr);
	}
}

static void headless_done(struct headless *h)
{
	if (h->progress && h->last_draw_ms)
		fputs("\r\033[K", stderr);
}

static void save_state(const struct fleet *f)
{
	char *err = NULL;

	char *path = statefile_path();
	if (!path)
		return; /* no home directory: nothing to keep */
	if (statefile_save(f, path, &err) != 0) {
		fprintf(stderr, "tlsfleet: warning: %s\n", err);
		free(err);
	}
	free(path);
}

static void load_state(struct fleet *f)
{
	char *err = NULL;

	char *path = statefile_path();
	if (!path)
		return;
	if (statefile_load(f, path, &err) != 0) {
		fprintf(stderr, "tlsfleet: warning: %s (ignored)\n", err);
		free(err);
	}
	free(path);
}

/* The dashboard and --serve open on the last known state; --max-age
 * answers from it. Other headless runs start from nothing, as before. */
static void load_snapshot(struct fleet *f, const char *path, struct snapshot_mark *mark)
{
	char *err = NULL;

	if (snapshot_load(f, path, NULL, mark, &err) != 0 || err) {
		fprintf(stderr, "tlsfleet: warning: %s\n", err);
		free(err);
	}
}

static void keep_snapshot(struct snapshot_keeper *k)
{
	struct timespec ts;
	char *err;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	err = snapshot_keeper_flush(k, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	if (err) {
		fprintf(stderr, "tlsfleet: warning: %s\n", err);
		free(err);
	}
}

/* Answered recently enough for --max-age: the snapshot's word stands. */
static bool fresh_enough(const struct instance *in, double max_age, time_t now)
{
	return max_age >= 0 && in->st.from_snapshot && in->st.refreshed_at != TIME_NONE &&
	       (double)(now - in->st.refreshed_at) < max_age;   /* "more recently than" */
}

/* The dashboard's Ctrl-R: the new file is loaded beside the old fleet
 * (config/reload.c carries the statuses of the instances that remain),
 * then the engine, whose jobs point into the old instances, is replaced. */
struct reload_ctx {
	struct fleet *fleet;
	const char *path;
	int refresh;        /* --refresh, or -1 */
};

static bool reload_config(void *ud, struct engine **e, char **err)
{
	struct reload_ctx *r = ud;
	struct fleet nf;
	char *path = statefile_path(), *serr = NULL;

	if (config_reload(r->path, r->fleet, &nf, NULL, err) != 0) {
		free(path);
		return false;
	}
	if (r->refresh >= 0)
		nf.settings.refresh_interval = r->refresh;
	/* New instances start from what the state file knows of them; its
	 * warnings would land on the curses screen, so they are dropped. */
	if (path && statefile_save(r->fleet, path, &serr) != 0) {
		free(serr);
		serr = NULL;
	}
	engine_free(*e);
	fleet_free(r->fleet);
	*r->fleet = nf;
	if (path && statefile_load(r->fleet, path, &serr) != 0)
		free(serr);
	free(path);
	*e = engine_new(r->fleet, err);
	if (!*e) {
		/* The old engine is gone: nothing sensible to go back to. */
		fprintf(stderr, "tlsfleet: %s\n", *err ? *err : "cannot restart the engine");
		exit(1);
	}
	return true;
}

/* ---- selection and deadline ---------------------------------------------- */

/* Which instances --only and --account name (every one without them).
 * An --account naming no configured account is a usage error: exit code
 * through *code, NULL returned. */
static bool *select_instances(struct fleet *f, const struct options *o, int *code)
{
	bool *sel = xcalloc(f->n_instances + 1, sizeof(bool));

	for (size_t a = 0; a < o->n_accounts; a++) {
		if (!fleet_find_account(f, o->accounts[a])) {
			fprintf(stderr, "tlsfleet: no account named '%s' in %s\n", o->accounts[a],
			        f->settings.config_path);
			free(sel);
			*code = usage_code(o);
			return NULL;
		}
	}
	for (size_t i = 0; i < f->n_instances; i++) {
		const struct instance *in = &f->instances[i];
		bool name_ok = !o->n_only, account_ok = !o->n_accounts;
		for (size_t k = 0; !name_ok && k < o->n_only; k++)
			name_ok = fnmatch(o->only[k], in->name, 0) == 0;
		for (size_t k = 0; !account_ok && k < o->n_accounts; k++)
			account_ok = strcmp(o->accounts[k], in->account->name) == 0;
		sel[i] = name_ok && account_ok;
	}
	return sel;
}

/* A fleet that shows only the selected instances: shares every pointer
 * with f (free only view->instances, never fleet_free it). Built after the
 * run, from the instances the engine updated. */
static void selection_view(const struct fleet *f, const bool *sel, struct fleet *view)
{
	*view = *f;
	view->instances = xcalloc(f->n_instances + 1, sizeof(struct instance));
	view->n_instances = 0;
	for (size_t i = 0; i < f->n_instances; i++)
		if (sel[i])
			view->instances[view->n_instances++] = f->instances[i];
}

/* engine_run, but done by the run's deadline (--deadline counts from the
 * start, across discovery, refresh and downloads): whatever has not
 * answered by then keeps the state it had (unknown when never refreshed). */
static void run_until(struct engine *e, const struct options *o)
{
	if (o->deadline < 0) {
		engine_run(e);
		return;
	}
	engine_perform(e);
	while (engine_busy(e)) {
		int64_t left = o->deadline_end_ms - now_ms();
		if (left <= 0) {
			struct engine_stats st;
			engine_get_stats(e, &st);
			fprintf(stderr, "tlsfleet: deadline of %g s reached: %zu request%s unanswered\n",
			        o->deadline, st.queued + st.in_flight, st.queued + st.in_flight == 1 ? "" : "s");
			return;
		}
		engine_poll(e, NULL, 0, left < 1000 ? (int)left : 1000);
		engine_perform(e);
	}
}

static void count_request(void *ud, const struct account *a, const char *action, const char *outcome)
{
	prom_counters_add(ud, a->name, action, outcome);
}

/* Discovery, before anything holds an instance pointer: list with an
 * engine of its own (list calls are paced per (account, product, list action),
 * keys no status call shares), merge into the fleet, and for --discover
 * print the snippet. false when a list call failed (named on stderr).
 * counters (may be NULL) count the listings for the metrics. */
static bool discover_fleet(struct fleet *f, const struct options *o, bool snippet,
                           struct prom_counters *counters)
{
	struct discovery d;
	char *err = NULL;
	bool ok;

	/* --discover checks its --account names; the other modes' selection does */
	for (size_t a = 0; snippet && a < o->n_accounts; a++) {
		if (!fleet_find_account(f, o->accounts[a])) {
			fprintf(stderr, "tlsfleet: no account named '%s' in %s\n", o->accounts[a],
			        f->settings.config_path);
			exit(2);
		}
	}
	/* only the selected accounts are listed (--account): another account's
	 * failing list call is not this run's business */
	discovery_plan(&d, f, o->accounts, o->n_accounts);
	if (d.n) {
		struct engine *e = engine_new(f, &err);
		if (!e) {
			fprintf(stderr, "tlsfleet: %s\n", err);
			free(err);
			discovery_free(&d);
			return false;
		}
		if (counters)   /* the listing's requests count in tlsfleet_api_requests_total */
			engine_set_request_hook(e, count_request, counters);
		/* (the dashboard lists in its own loop; this is before it starts) */
		if (o->debug && (o->mode != MODE_DASHBOARD || !isatty(STDERR_FILENO)))
			engine_set_debug(e, true);
		engine_discover(e, &d);
		run_until(e, o);
		engine_free(e);
	} else if (snippet) {
		fprintf(stderr, "tlsfleet: no account%s with a 'discover' setting in %s\n",
		        o->n_accounts ? " named" : "", f->settings.config_path);
	}
	discovery_apply(f, &d);
	if (counters && d.n)
		prom_counters_discovery(counters, &d, time(NULL));
	ok = !discovery_failed(&d);
	discovery_report_failures(&d, stderr);
	if (snippet)
		discovery_write_snippet(stdout, f, &d);
	discovery_free(&d);
	return ok;
}

static void serve_round_done(void *ud)
{
	save_state(ud);
}

/* What --download prints for a saved instance: path, size, sha256 and the
 * certificates as before, then where clients find ca.pem and the trust
 * store. With several instances each block starts with its name. */
static void print_saved(const struct instance *in, bool named)
{
	const struct download_info *d = in->st.download;

	if (named) {
		char *name = textsafe_plain(in->name);
		printf("instance: %s\n", name);
		free(name);
	}
	printf("path: %s\nsize: %lld\nsha256: %s\n", d->path, d->size, d->sha256);
	for (size_t i = 0; i < in->st.n_ca_certs; i++) {
		char date[21];
		const struct cert_summary *c = &in->st.ca_certs[i];
		char *subject = textsafe_plain(c->subject);
		timefmt_iso_utc(c->not_after, date);
		printf("certificate: %s (expires %s, sha256 %s)\n", subject, date, c->sha256);
		free(subject);
	}
	if (d->ca_pem)
		printf("ca_pem: %s\n", d->ca_pem);
	if (d->truststore)
		printf("truststore: %s\n", d->truststore);
}

/* The instances to download, in config order for --all and in command
 * line order (duplicates once) otherwise; NULL after printing why (exit
 * code in *code). */
static struct instance **download_targets(struct fleet *f, struct engine *e, struct headless *h,
                                          const struct options *o, const bool *sel, size_t *n,
                                          int *code)
{
	struct instance **list = xcalloc(f->n_instances + o->n_download + 1, sizeof(*list));

	*n = 0;
	if (o->download_all) {
		/* "TLS on" is what the providers say now, not what was last seen */
		for (size_t i = 0; i < f->n_instances; i++)
			if (sel[i])
				engine_refresh(e, &f->instances[i]);
		run_until(e, o);
		headless_done(h);
		for (size_t i = 0; i < f->n_instances; i++)
			if (sel[i] && f->instances[i].st.state == STATE_ENABLED)
				list[(*n)++] = &f->instances[i];
		if (!*n) {
			fputs("tlsfleet: no instance has TLS on: nothing to download\n", stderr);
			*code = 1;
			free(list);
			return NULL;
		}
		return list;
	}
	for (size_t k = 0; k < o->n_download; k++) {
		struct instance *in = fleet_find(f, o->download[k]);
		bool dup = false;

		if (!in) {
			char *name = textsafe_plain(o->download[k]);
			fprintf(stderr, "tlsfleet: no instance named '%s' in %s\n", name, f->settings.config_path);
			free(name);
			*code = 2;
			free(list);
			return NULL;
		}
		if (!sel[in->index]) {
			char *name = textsafe_plain(o->download[k]);
			fprintf(stderr, "tlsfleet: '%s' is not among the instances --only/--account select\n",
			        name);
			free(name);
			*code = 2;
			free(list);
			return NULL;
		}
		for (size_t i = 0; i < *n; i++)
			dup |= list[i] == in;
		if (!dup)
			list[(*n)++] = in;
	}
	return list;
}

static int run_download(struct fleet *f, struct engine *e, struct headless *h, const struct options *o,
                        const bool *sel)
{
	size_t n, saved = 0;
	int code = 0;
	struct instance **list = download_targets(f, e, h, o, sel, &n, &code);

	if (!list)
		return code;
	for (size_t i = 0; i < n; i++) {
		char *why = NULL;
		if (!engine_download(e, list[i], o->output_dir, &why)) {
			fprintf(stderr, "tlsfleet: %s\n", why);
			free(why);
		}
	}
	run_until(e, o);
	headless_done(h);
	for (size_t i = 0; i < n; i++) {
		if (!h->saved[list[i] - f->instances] || !list[i]->st.download)
			continue;
		if (saved++)
			putchar('\n');
		print_saved(list[i], n > 1 || o->download_all);
	}
	if (n > 1 && saved < n)
		fprintf(stderr, "tlsfleet: %zu of %zu CA certificates saved\n", saved, n);
	free(list);
	return saved == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct options o = {.mode = MODE_DASHBOARD, .warn_days = -1, .crit_days = -1, .deadline = -1,
	                    .max_age = -1, .refresh = -1};
	struct snapshot_keeper keep;
	struct prom_counters counters = {0};
	bool *sel = NULL;
	struct fleet fleet = {0};
	char *err = NULL, *path;
	int code = 0;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	/* A size limit must surface as a write error, not kill us mid-file. */
	signal(SIGXFSZ, SIG_IGN);
	parse_args(argc, argv, &o);
	if (o.deadline >= 0)
		o.deadline_end_ms = now_ms() + (int64_t)(o.deadline * 1000);

	if (o.mode == MODE_DASHBOARD && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fputs("tlsfleet: the dashboard needs a terminal; use --list or --check for scripts\n", stderr);
		free(o.download);
		return 2;
	}
	/* A report to a pipe or file goes out in 64 KiB writes, not stdio's
	 * 4 KiB: a 10k JSON report was 2,700 write(2) calls. Write errors
	 * still surface at fflush/fclose (exit 3). */
	static char out_buf[1 << 16];
	if (o.mode != MODE_DASHBOARD && !isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	path = o.config ? xstrdup(o.config) : config_default_path();
	if (config_load(path, &fleet, &err) != 0) {
		if (!first_run_help(path))
			fprintf(stderr, "tlsfleet: %s\n", err);
		free(err);
		free(path);
		free(o.download);
		return usage_code(&o);
	}
	/* (--check-config too: a group-readable key file is what it is for) */
	for (size_t i = 0; i < fleet.n_accounts; i++)
		if (fleet.accounts[i].credential_warning)
			fprintf(stderr, "tlsfleet: warning: %s\n", fleet.accounts[i].credential_warning);
	if (o.mode == MODE_CHECK_CONFIG) {
		code = check_config(path, &fleet);
		free(path);
		fleet_free(&fleet);
		free(o.download);
		return code;
	}
	free(path);
	if (o.refresh >= 0)
		fleet.settings.refresh_interval = o.refresh;
	if (o.warn_days >= 0)
		fleet.settings.warn_days = o.warn_days;
	if (o.crit_days >= 0)
		fleet.settings.crit_days = o.crit_days;
	if (o.require_tls)
		fleet.settings.require_tls = true;
	/* The dashboard lists while it runs (instances appear as found). */
	bool metrics = o.mode == MODE_SERVE || (o.mode == MODE_LIST && o.format == REPORT_PROMETHEUS);
	bool listed_ok = o.mode == MODE_DASHBOARD ||
	                 discover_fleet(&fleet, &o, o.mode == MODE_DISCOVER, metrics ? &counters : NULL);
	if (o.mode == MODE_DISCOVER) {
		fleet_free(&fleet);
		free(o.download);
		free(o.only);
		free(o.accounts);
		if (fflush(stdout) != 0 || ferror(stdout))
			return 1;
		return listed_ok ? 0 : 1;
	}
	load_state(&fleet);
	char *snap = snapshot_path();
	snapshot_keeper_init(&keep, &fleet, snap);
	if (o.mode == MODE_DASHBOARD || o.mode == MODE_SERVE || o.max_age >= 0)
		load_snapshot(&fleet, snap, &keep.mark);
	free(snap);

	struct engine *engine = engine_new(&fleet, &err);
	if (!engine) {
		fprintf(stderr, "tlsfleet: %s\n", err);
		free(err);
		fleet_free(&fleet);
		free(o.download);
		prom_counters_free(&counters);
		return usage_code(&o);
	}
	struct headless h = {.engine = engine, .fleet = &fleet, .progress = isatty(STDERR_FILENO) != 0,
	                     .saved = xcalloc(fleet.n_instances + 1, sizeof(bool)), .keep = &keep};
	engine_set_notify(engine, headless_notify, &h);
	/* The dashboard owns the terminal: its debug lines go only to a
	 * redirected stderr. */
	if (o.debug && (o.mode != MODE_DASHBOARD || !isatty(STDERR_FILENO)))
		engine_set_debug(engine, true);
	if (o.mode == MODE_LIST || o.mode == MODE_CHECK || o.mode == MODE_DOWNLOAD) {
		sel = select_instances(&fleet, &o, &code);
		if (!sel) {
			snapshot_keeper_free(&keep);
			free(h.saved);
			engine_free(engine);
			fleet_free(&fleet);
			free(o.download);
			free(o.only);
			free(o.accounts);
			prom_counters_free(&counters);
			return code;
		}
	}

	switch (o.mode) {
	case MODE_LIST:
	case MODE_CHECK: {
		struct fleet view;
		if (o.mode == MODE_LIST && o.format == REPORT_PROMETHEUS)
			engine_set_request_hook(engine, count_request, &counters);
		time_t start = time(NULL);
		for (size_t i = 0; i < fleet.n_instances; i++)
			if (sel[i] && !fresh_enough(&fleet.instances[i], o.max_age, start))
				engine_refresh(engine, &fleet.instances[i]);
		run_until(engine, &o);
		headless_done(&h);
		selection_view(&fleet, sel, &view);
		if (o.mode == MODE_LIST && o.format == REPORT_PROMETHEUS) {
			prometheus_write(stdout, &view, &counters, PROM_TEXT, time(NULL));
			code = report_list_exit_code(&view);
		} else if (o.mode == MODE_LIST) {
			report_list(stdout, &view, o.format, time(NULL));
			code = report_list_exit_code(&view);
		} else {
			code = check_report(stdout, &view, time(NULL));
		}
		if (o.mode == MODE_LIST && !listed_ok)
			code = 1;  /* a failed listing may have left instances out */
		free(view.instances);
		break;
	}
	case MODE_DOWNLOAD:
		code = run_download(&fleet, engine, &h, &o, sel);
		break;
	case MODE_SERVE: {
		struct serve_options so = {.listen = o.serve, .round_done = serve_round_done, .ud = &fleet,
		                           .keep = &keep, .counters = &counters};
		bool usage = false;
		if (serve_run(&fleet, engine, &so, &usage, &err) != 0) {
			fprintf(stderr, "tlsfleet: %s\n", err);
			free(err);
			code = usage ? 2 : 1;
		} else {
			code = 0;
		}
		break;
	}
	default:
		{
			char *cpath = o.config ? xstrdup(o.config) : config_default_path();
			struct reload_ctx rc = {.fleet = &fleet, .path = cpath, .refresh = o.refresh};
			struct tui_options to = {.theme = o.theme, .no_color = o.no_color,
			                         .refresh_from_cli = o.refresh >= 0,
			                         .reload = reload_config, .reload_ud = &rc,
			                         .engine_out = &engine, .keep = &keep};
			code = tui_run(&fleet, engine, &to);
			free(cpath);
		}
		break;
	}
	save_state(&fleet);
	keep_snapshot(&keep);
	snapshot_keeper_free(&keep);
	free(h.saved);
	engine_free(engine);
	fleet_free(&fleet);
	prom_counters_free(&counters);
	free(sel);
	free(o.only);
	free(o.accounts);
	free(o.download);
	/* Output that could not be written is a failure, not a result; under
	 * --check the plugin rules call that UNKNOWN, whatever was found. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (o.mode == MODE_CHECK)
			code = 3;
		else if (code == 0)
			code = 1;
	}
	return code;
}
