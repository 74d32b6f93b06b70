/* The dashboard's model: filter, problems only, sort keys, stability,
 * incremental updates, counts. No terminal needed. */
#include "core/fleet_view.h"
#include "core/xalloc.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const time_t NOW = 1900000000;   /* 2030-03-17, fixed so days are exact */
#define DAY 86400

static struct fleet make_fleet(size_t n)
{
	struct fleet f;

	memset(&f, 0, sizeof(f));
	f.settings.warn_days = 30;
	f.settings.crit_days = 7;
	f.n_accounts = 3;
	f.accounts = xcalloc(3, sizeof(*f.accounts));
	f.accounts[0].name = xstrdup("tc");
	f.accounts[0].provider = PROVIDER_TENCENT;
	f.accounts[1].name = xstrdup("hw");
	f.accounts[1].provider = PROVIDER_HUAWEI;
	f.accounts[2].name = xstrdup("ali");
	f.accounts[2].provider = PROVIDER_ALIBABA;
	f.n_instances = n;
	f.instances = xcalloc(n ? n : 1, sizeof(*f.instances));
	for (size_t i = 0; i < n; i++) {
		struct instance *in = &f.instances[i];
		in->index = i;
		in->warn_days = in->crit_days = in->require_tls = -1;
		instance_status_init(&in->st);
	}
	return f;
}

static void set_inst(struct fleet *f, size_t i, const char *name, int acct,
                     enum service_kind svc, const char *region, const char *id)
{
	struct instance *in = &f->instances[i];

	in->name = xstrdup(name);
	in->account = &f->accounts[acct];
	in->service = svc;
	in->region = xstrdup(region);
	in->id = xstrdup(id);
}

static void set_status(struct fleet *f, size_t i, enum tls_state s, long days_left,
                       const char *host, long age)
{
	struct instance_status *st = &f->instances[i].st;

	st->state = s;
	st->cert_expires_api = days_left == LONG_MIN ? TIME_NONE : NOW + days_left * DAY + 3600;
	free(st->addr.host);
	st->addr.host = xstrdup(host);
	st->refreshed_at = age < 0 ? TIME_NONE : NOW - age;
}

/* Instance names in row order, comma separated, for compact checks. */
static char *order(const struct fleet_view *v)
{
	static char buf[4096];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t r = 0; r < v->n_rows && off < sizeof(buf) - 64; r++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", r ? "," : "",
		                        v->f->instances[v->rows[r]].name);
	return buf;
}


/* A small fleet with ties on purpose: two instances share a region and a
 * state, so the config-order tiebreak is visible. */
static struct fleet small_fleet(void)
{
	struct fleet f = make_fleet(6);

	set_inst(&f, 0, "orders-cache", 0, SERVICE_REDIS, "ap-guangzhou", "crs-2btr9ryn");
	set_inst(&f, 1, "Billing-DB", 0, SERVICE_POSTGRES, "ap-shanghai", "postgres-hf8jo5pr");
	set_inst(&f, 2, "sessions", 1, SERVICE_DCS, "eu-de", "9a1b-otc");
	set_inst(&f, 3, "auth-cache", 2, SERVICE_REDIS, "cn-hangzhou", "r-bp1zxszhcgatnx");
	set_inst(&f, 4, "zeta", 1, SERVICE_DCS, "eu-de", "77aa");
	set_inst(&f, 5, "Ünïcode-名前", 2, SERVICE_REDIS, "ap-guangzhou", "r-uni");
	set_status(&f, 0, STATE_ENABLED, 400, "orders.example", 5);
	set_status(&f, 1, STATE_DISABLED, LONG_MIN, NULL, 50);
	set_status(&f, 2, STATE_ENABLED, 10, "b.example", 600);
	set_status(&f, 3, STATE_ERROR, LONG_MIN, NULL, -1);
	set_status(&f, 4, STATE_ENABLED, -3, "a.example", 30);
	set_status(&f, 5, STATE_ENABLED, LONG_MIN, NULL, -1);
	free(f.instances[5].st.addr.ip);
	f.instances[5].st.addr.ip = xstrdup("10.0.0.5");
	return f;
}

static void test_sorting(void)
{
	struct fleet f = small_fleet();
	struct fleet_view v;

	fleet_view_init(&v, &f);
	is_int(v.sort, SORT_VERDICT, "the view opens sorted by verdict");
	ok(fleet_view_update(&v, NOW), "first update builds rows");
	is_str(order(&v), "zeta,sessions,auth-cache,Ünïcode-名前,orders-cache,Billing-DB",
	       "verdict: worst first (CRITICAL, WARNING, UNKNOWN, OK), then days left, then name");
	fleet_view_set_sort(&v, SORT_NAME, false);
	ok(fleet_view_update(&v, NOW), "a new sort rebuilds rows");
	is_int((long long)v.n_rows, 6, "all rows shown");
	is_str(order(&v), "auth-cache,Billing-DB,orders-cache,sessions,zeta,Ünïcode-名前",
	       "name: case-insensitive, UTF-8 after ASCII");
	ok(!fleet_view_update(&v, NOW), "nothing changed: no rebuild");

	fleet_view_set_sort(&v, SORT_REGION, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "orders-cache,Ünïcode-名前,Billing-DB,auth-cache,sessions,zeta",
	       "region ascending, ties in config order");
	fleet_view_set_sort(&v, SORT_REGION, true);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "sessions,zeta,auth-cache,Billing-DB,orders-cache,Ünïcode-名前",
	       "region descending, ties still in config order");

	fleet_view_set_sort(&v, SORT_STATE, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "orders-cache,sessions,zeta,Ünïcode-名前,Billing-DB,auth-cache",
	       "state in contract order (enabled, disabled, ..., error)");

	fleet_view_set_sort(&v, SORT_EXPIRY, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "zeta,sessions,orders-cache,Billing-DB,auth-cache,Ünïcode-名前",
	       "expiry ascending, unknown last");
	fleet_view_set_sort(&v, SORT_EXPIRY, true);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "orders-cache,sessions,zeta,Billing-DB,auth-cache,Ünïcode-名前",
	       "expiry descending, unknown still last");

	fleet_view_set_sort(&v, SORT_ADDRESS, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "Ünïcode-名前,zeta,sessions,orders-cache,Billing-DB,auth-cache",
	       "address: host, else IP; none last");

	fleet_view_set_sort(&v, SORT_AGE, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "orders-cache,zeta,Billing-DB,sessions,auth-cache,Ünïcode-名前",
	       "age: youngest answer first, never refreshed last");

	fleet_view_set_sort(&v, SORT_SERVICE, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "auth-cache,Ünïcode-名前,sessions,zeta,Billing-DB,orders-cache",
	       "provider/service: alibaba, huawei, tencent/postgres, tencent/redis");

	fleet_view_set_sort(&v, SORT_ID, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "zeta,sessions,orders-cache,Billing-DB,auth-cache,Ünïcode-名前",
	       "instance id");
	is_str(fleet_view_sort_name(SORT_EXPIRY), "expiry", "sort names");
	is_str(fleet_view_sort_name(SORT_COUNT), "?", "sort name out of range");

	fleet_view_free(&v);
	fleet_free(&f);
}

static void test_filter(void)
{
	struct fleet f = small_fleet();
	struct fleet_view v;

	fleet_view_init(&v, &f);
	fleet_view_set_sort(&v, SORT_NAME, false);
	fleet_view_set_filter(&v, "CACHE");
	ok(fleet_view_dirty(&v), "setting a filter makes the view dirty");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "auth-cache,orders-cache", "filter is case-insensitive over names");
	fleet_view_set_filter(&v, "hf8jo");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "Billing-DB", "filter matches instance ids");
	fleet_view_set_filter(&v, "Huawei");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "sessions,zeta", "filter matches the provider");
	fleet_view_set_filter(&v, "tencent/postgres");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "Billing-DB", "filter matches provider/service");
	fleet_view_set_filter(&v, "guangzhou");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "orders-cache,Ünïcode-名前", "filter matches the region");
	fleet_view_set_filter(&v, "disab");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "Billing-DB", "filter matches the state name");
	fleet_view_set_filter(&v, "名前");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "Ünïcode-名前", "filter matches UTF-8 text");
	fleet_view_set_filter(&v, "nothing-like-this");
	fleet_view_update(&v, NOW);
	is_int((long long)v.n_rows, 0, "no match: no rows");
	fleet_view_set_filter(&v, "");
	fleet_view_update(&v, NOW);
	is_int((long long)v.n_rows, 6, "empty filter shows everything");
	ok(v.filter == NULL, "empty filter is no filter");

	ok(fleet_view_matches(&f.instances[0], "orders"), "matches(): name");
	ok(fleet_view_matches(&f.instances[0], "enabled"), "matches(): state");
	ok(!fleet_view_matches(&f.instances[0], "disabled"), "matches(): other state");
	ok(fleet_view_matches(&f.instances[0], NULL), "matches(): no needle");

	/* The state part of the filter follows changes. */
	fleet_view_set_filter(&v, "error");
	fleet_view_update(&v, NOW);
	is_str(order(&v), "auth-cache", "filter on state before change");
	f.instances[0].st.state = STATE_ERROR;
	fleet_view_instance_changed(&v, 0);
	ok(fleet_view_dirty(&v), "a changed instance makes the view dirty");
	ok(fleet_view_update(&v, NOW), "and the next update rebuilds");
	is_str(order(&v), "auth-cache,orders-cache", "filter on state after change");
	fleet_view_instance_changed(&v, 999);   /* out of range: ignored */

	/* n / N: next and previous matching row, wrapping. */
	fleet_view_set_filter(&v, NULL);
	fleet_view_update(&v, NOW);
	/* rows: auth-cache,Billing-DB,orders-cache,sessions,zeta,Ünïcode */
	is_int(fleet_view_find_next(&v, "cache", 0, 1), 2, "next match after row 0");
	is_int(fleet_view_find_next(&v, "cache", 2, 1), 0, "next match wraps around");
	is_int(fleet_view_find_next(&v, "CACHE", 0, -1), 2, "previous match wraps backwards");
	is_int(fleet_view_find_next(&v, "zzz", 0, 1), -1, "no match");
	is_int(fleet_view_row_of(&v, 4), 4, "row of zeta");
	is_int(fleet_view_row_of(&v, 0), 2, "row of orders-cache");
	fleet_view_set_filter(&v, "zeta");
	fleet_view_update(&v, NOW);
	is_int(fleet_view_row_of(&v, 0), -1, "filtered out: no row");

	fleet_view_free(&v);
	fleet_free(&f);
}

static void test_problems(void)
{
	struct fleet f = small_fleet();
	struct fleet_view v;
	struct fleet_counts c;

	ok(!fleet_view_is_problem(&f, &f.instances[0], NOW), "enabled, 400 days: fine");
	ok(!fleet_view_is_problem(&f, &f.instances[1], NOW), "disabled: OK for --check, not a problem");
	f.settings.require_tls = true;
	ok(fleet_view_is_problem(&f, &f.instances[1], NOW), "disabled under require_tls: a problem");
	f.settings.require_tls = false;
	ok(fleet_view_is_problem(&f, &f.instances[2], NOW), "enabled, 10 days: expiring");
	ok(fleet_view_is_problem(&f, &f.instances[3], NOW), "error: a problem");
	ok(fleet_view_is_problem(&f, &f.instances[4], NOW), "expired: a problem");
	ok(fleet_view_is_problem(&f, &f.instances[5], NOW), "enabled, expiry unknown: UNKNOWN, a problem");
	fleet_view_count(&f, NOW, &c);
	ok(c.verdict[VERDICT_CRITICAL] == 1 && c.verdict[VERDICT_WARNING] == 1 &&
	   c.verdict[VERDICT_UNKNOWN] == 2 && c.verdict[VERDICT_OK] == 2, "counts by verdict");
	f.instances[0].warn_days = 500;
	ok(fleet_view_is_problem(&f, &f.instances[0], NOW), "instance warn_days wins over the global");
	f.instances[0].warn_days = -1;
	set_status(&f, 0, STATE_ENABLED, 30, "orders.example", 5);
	ok(fleet_view_is_problem(&f, &f.instances[0], NOW), "exactly warn_days left: expiring");
	set_status(&f, 0, STATE_ENABLED, 31, "orders.example", 5);
	ok(!fleet_view_is_problem(&f, &f.instances[0], NOW), "warn_days + 1: fine");
	set_status(&f, 0, STATE_ENABLED, 400, "orders.example", 5);

	fleet_view_init(&v, &f);
	fleet_view_set_sort(&v, SORT_NAME, false);
	fleet_view_set_problems(&v, true);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "auth-cache,sessions,zeta,Ünïcode-名前", "problems only");
	fleet_view_set_filter(&v, "e");
	fleet_view_set_sort(&v, SORT_STATE, false);
	fleet_view_update(&v, NOW);
	is_str(order(&v), "sessions,zeta,Ünïcode-名前,auth-cache", "problems with filter and sort");

	/* Time passes: an expiry enters the window once the view is told. */
	fleet_view_set_filter(&v, NULL);
	fleet_view_all_changed(&v);
	fleet_view_update(&v, NOW + 371 * (time_t)DAY);
	ok(fleet_view_row_of(&v, 0) >= 0, "orders-cache becomes a problem 30 days before expiry");
	fleet_view_free(&v);

	fleet_view_count(&f, NOW, &c);
	is_int((long long)c.total, 6, "count: total");
	is_int((long long)c.state[STATE_ENABLED], 4, "count: enabled");
	is_int((long long)c.state[STATE_DISABLED], 1, "count: disabled");
	is_int((long long)c.errors, 1, "count: errors");
	is_int((long long)c.expiring, 1, "count: expiring");
	is_int((long long)c.expired, 1, "count: expired");
	/* the header's counts come from the view's keys: the same figures */
	fleet_view_init(&v, &f);
	fleet_view_update(&v, NOW);
	ok(memcmp(&v.counts, &c, sizeof(c)) == 0, "the view's counts are fleet_view_count's");
	fleet_view_free(&v);
	fleet_free(&f);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 100k instances: correctness of the big sort, and the time it takes
 * reported (a benchmark, not an assertion). */
static void test_large(void)
{
	size_t n = 100000, bad = 0;
	struct fleet f = make_fleet(n);
	struct fleet_view v;
	char name[32], id[32];
	double t0, t_first, t_state, t_filter, t_incr;

	srand(42);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "inst-%06d", rand() % 1000000);
		snprintf(id, sizeof(id), "id-%zu", i);
		set_inst(&f, i, name, (int)(i % 3), (enum service_kind)(i % 3), i % 2 ? "eu-de" : "ap-x", id);
		set_status(&f, i, (enum tls_state)(rand() % STATE_COUNT),
		           rand() % 5 ? rand() % 800 - 10 : LONG_MIN, NULL, rand() % 1000);
	}
	fleet_view_init(&v, &f);
	fleet_view_set_sort(&v, SORT_NAME, false);
	t0 = now_ms();
	fleet_view_update(&v, NOW);
	t_first = now_ms() - t0;
	for (size_t r = 1; r < v.n_rows; r++) {
		int c = strcmp(f.instances[v.rows[r - 1]].name, f.instances[v.rows[r]].name);
		if (c > 0 || (c == 0 && v.rows[r - 1] > v.rows[r]))
			bad++;
	}
	is_int((long long)bad, 0, "100k by name: sorted, ties in config order");

	fleet_view_set_sort(&v, SORT_EXPIRY, false);
	t0 = now_ms();
	fleet_view_update(&v, NOW);
	t_state = now_ms() - t0;
	bad = 0;
	for (size_t r = 1; r < v.n_rows; r++) {
		time_t a = f.instances[v.rows[r - 1]].st.cert_expires_api;
		time_t b = f.instances[v.rows[r]].st.cert_expires_api;
		if ((a == TIME_NONE && b != TIME_NONE) ||
		    (a != TIME_NONE && b != TIME_NONE && a > b))
			bad++;
	}
	is_int((long long)bad, 0, "100k by expiry: sorted, unknown last");

	fleet_view_set_filter(&v, "inst-0");
	t0 = now_ms();
	fleet_view_update(&v, NOW);
	t_filter = now_ms() - t0;
	ok(v.n_rows > 0 && v.n_rows < n, "100k filtered");

	for (size_t i = 0; i < 1000; i++) {
		f.instances[i * 7].st.state = STATE_ENABLED;
		fleet_view_instance_changed(&v, i * 7);
	}
	t0 = now_ms();
	fleet_view_update(&v, NOW);
	t_incr = now_ms() - t0;
	ok(v.n_rows > 0, "100k after 1000 changes");
	diag("100k instances: first update %.1f ms, re-sort by expiry %.1f ms, filter %.1f ms, "
	     "1000 changes %.1f ms (target <= 50 ms)", t_first, t_state, t_filter, t_incr);
	fleet_view_free(&v);
	fleet_free(&f);
}

/* The address sort against a plain reference comparator, on addresses
 * built to collide: shared prefixes, case-only differences, duplicates,
 * prefixes of each other, unknowns; both directions. */
static const struct fleet *ref_fleet;
static bool ref_desc;

static const char *ref_addr(size_t i)
{
	const struct address *a = &ref_fleet->instances[i].st.addr;

	return a->host && *a->host ? a->host : a->ip && *a->ip ? a->ip : NULL;
}

static int ref_cmp(const void *pa, const void *pb)
{
	size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
	const char *ax = ref_addr(x), *ay = ref_addr(y);
	int c;

	if (!ax || !ay) {
		c = !ax - !ay;
	} else {
		c = strcasecmp(ax, ay);
		if (c == 0)
			c = strcmp(ax, ay);
		if (ref_desc)
			c = -c;
	}
	return c ? c : (x > y) - (x < y);
}

static void test_address_sort(void)
{
	static const char *const parts[] = {"redis-", "Redis-", "r", "10.0.0.", "", "a.b", "A.B", "dcs.example.com"};
	size_t n = 5000;
	struct fleet f = make_fleet(n);
	struct fleet_view v;
	char host[64], name[32];

	srand(7);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "n%zu", i);
		set_inst(&f, i, name, 0, SERVICE_REDIS, "r", name);
		snprintf(host, sizeof(host), "%s%d%s", parts[rand() % 8], rand() % 40,
		         rand() % 3 ? "" : parts[rand() % 8]);
		set_status(&f, i, STATE_ENABLED, 100, rand() % 10 ? host : "", 5);
		if (!*f.instances[i].st.addr.host) {
			free(f.instances[i].st.addr.host);
			f.instances[i].st.addr.host = NULL;
		}
	}
	ref_fleet = &f;
	size_t *want = xcalloc(n, sizeof(*want));
	fleet_view_init(&v, &f);
	for (int desc = 0; desc < 2; desc++) {
		fleet_view_set_sort(&v, SORT_ADDRESS, desc);
		fleet_view_update(&v, NOW);
		for (size_t i = 0; i < n; i++)
			want[i] = i;
		ref_desc = desc;
		qsort(want, n, sizeof(*want), ref_cmp);
		ok(v.n_rows == n && memcmp(v.rows, want, n * sizeof(*want)) == 0,
		   "address sort matches the reference order (%s)", desc ? "descending" : "ascending");
	}
	free(want);
	fleet_view_free(&v);
	fleet_free(&f);
}

int main(void)
{
	test_address_sort();
	test_sorting();
	test_filter();
	test_problems();
	test_large();
	return done_testing();
}
