/* --list JSON/CSV and --check against the contract (tlsfleet(1), OUTPUT and CHECK), on a
 * fleet built by hand so every state and threshold is exercised. */
#include "report/check.h"
#include "core/fleet.h"
#include "engine/outcome.h"
#include "report/report.h"
#include "core/textsafe.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "tap.h"

#include <stdlib.h>
#include <limits.h>
#include <string.h>

#define DAY 86400
static const time_t NOW = 1790000000; /* 2026-09-21 */

static struct account acct = {.name = "tc", .provider = PROVIDER_TENCENT,
                              .credential_source = "env", .rate_limit = 20};

static void add(struct fleet *f, const char *name, enum tls_state state, long expiry_days)
{
	struct instance *in;

	f->instances = xreallocarray(f->instances, f->n_instances + 1, sizeof(*in));
	in = &f->instances[f->n_instances];
	memset(in, 0, sizeof(*in));
	in->name = xstrdup(name);
	in->account = &acct;
	in->service = SERVICE_REDIS;
	in->region = xstrdup("ap-guangzhou");
	in->id = xasprintf("crs-%zu", f->n_instances);
	in->warn_days = in->crit_days = in->require_tls = -1;
	in->index = f->n_instances++;
	instance_status_init(&in->st);
	in->st.state = state;
	if (expiry_days != LONG_MIN)
		in->st.cert_expires_api = NOW + expiry_days * DAY + 60;
}

static char *render(const struct fleet *f, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	report_list(fp, f, fmt, NOW);
	fclose(fp);
	return buf;
}

static char *run_check(const struct fleet *f, int *code)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	*code = check_report(fp, f, NOW);
	fclose(fp);
	return buf;
}

static void test_json(void)
{
	struct fleet f = {0};
	f.settings.warn_days = 30;
	f.settings.crit_days = 7;
	add(&f, "orders-cache", STATE_ENABLED, 100);
	add(&f, "never", STATE_UNKNOWN, LONG_MIN);
	struct instance *a = &f.instances[0];
	a->st.cert_url = xstrdup("https://bucket.example/ssl/ca.zip?AWSAccessKeyId=AK&Signature=SECRETSIG");
	a->st.addr.host = xstrdup("10.0.0.4");
	a->st.addr.port = 6379;
	a->st.provider_status = cJSON_Parse("{\"CertDownloadUrl\":\"https://x.example/a.zip?sign=SECRETSIG\",\"Status\":2,\"SSLConfig\":true}");
	a->st.http_status = 200;
	a->st.latency_ms = 12;
	a->st.refreshed_at = NOW;
	a->st.last_good_at = NOW;

	char *text = render(&f, REPORT_JSON);
	cJSON *arr = cJSON_Parse(text);
	ok(cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == 2, "JSON is an array of every instance");
	ok(!strstr(text, "SECRETSIG"), "presigned query strings never printed");
	cJSON *o = cJSON_GetArrayItem(arr, 0);
	static const char *const keys[] = {"name", "account", "provider", "service", "region",
		"instance_id", "state", "cert_url", "cert_url_expires", "cert_expires",
		"cert_expires_source", "days_left", "expiry_mismatch", "address", "provider_status",
		"error", "http_status", "request_id", "latency_ms", "refreshed_at", "last_good_at",
		"credential_source", "download", "ca_certs", "credential_expires"};
	int all = 1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!cJSON_GetObjectItemCaseSensitive(o, keys[i])) {
			diag("missing key %s", keys[i]);
			all = 0;
		}
	}
	ok(all, "every contract key present");
	is_str(cJSON_GetObjectItem(o, "cert_url")->valuestring, "https://bucket.example/ssl/ca.zip?...",
	       "cert_url query shown as ?...");
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "provider_status"), "CertDownloadUrl")->valuestring,
	       "https://x.example/a.zip?...", "provider_status URLs redacted too");
	is_int(cJSON_GetObjectItem(o, "days_left")->valueint, 100, "days_left is floor of days");
	is_str(cJSON_GetObjectItem(o, "cert_expires_source")->valuestring, "api", "source api");
	ok(cJSON_IsFalse(cJSON_GetObjectItem(o, "expiry_mismatch")), "expiry_mismatch is a boolean");
	cJSON *addr = cJSON_GetObjectItem(o, "address");
	is_int(cJSON_GetObjectItem(addr, "port")->valueint, 6379, "address.port is an integer");
	ok(cJSON_IsNull(cJSON_GetObjectItem(addr, "ipv6")), "unknown address fields are null");
	is_str(cJSON_GetObjectItem(o, "refreshed_at")->valuestring, "2026-09-21T14:13:20Z", "times are ISO UTC");
	ok(cJSON_IsNull(cJSON_GetObjectItem(o, "error")), "error null after success");
	is_str(cJSON_GetObjectItem(o, "credential_source")->valuestring, "env", "credential_source");
	ok(cJSON_IsArray(cJSON_GetObjectItem(o, "ca_certs")), "ca_certs is an array");
	cJSON *u = cJSON_GetArrayItem(arr, 1);
	is_str(cJSON_GetObjectItem(u, "state")->valuestring, "unknown", "not refreshed: unknown");
	ok(cJSON_IsNull(cJSON_GetObjectItem(u, "days_left")) && cJSON_IsNull(cJSON_GetObjectItem(u, "cert_expires")) &&
	   cJSON_IsNull(cJSON_GetObjectItem(u, "provider_status")) && cJSON_IsNull(cJSON_GetObjectItem(u, "latency_ms")),
	   "unknowns are null");
	is_int(report_list_exit_code(&f), 1, "--list exits 1 when an instance has no answer");
	cJSON_Delete(arr);
	free(text);

	/* An error keeps what was learned. */
	outcome_fail(a, STATE_ERROR, "CURLE_OPERATION_TIMEDOUT", "timed out", 0, 10000, NOW + 5);
	text = render(&f, REPORT_JSON);
	arr = cJSON_Parse(text);
	o = cJSON_GetArrayItem(arr, 0);
	is_str(cJSON_GetObjectItem(o, "state")->valuestring, "error", "state error after a timeout");
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "error"), "code")->valuestring,
	       "CURLE_OPERATION_TIMEDOUT", "error.code is libcurl's name");
	ok(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "error"), "http_status")),
	   "error.http_status null without an HTTP answer");
	ok(cJSON_IsString(cJSON_GetObjectItem(o, "cert_url")), "cert_url kept after a failure");
	ok(cJSON_IsObject(cJSON_GetObjectItem(o, "provider_status")), "provider_status kept after a failure");
	is_str(cJSON_GetObjectItem(o, "last_good_at")->valuestring, "2026-09-21T14:13:20Z", "last_good_at kept");
	cJSON_Delete(arr);
	free(text);

	/* CSV */
	text = render(&f, REPORT_CSV);
	const char *header = "name,account,provider,service,region,instance_id,state,cert_url,"
		"cert_url_expires,cert_expires,cert_expires_source,days_left,expiry_mismatch,http_status,"
		"request_id,latency_ms,refreshed_at,last_good_at,credential_source,address.host,address.ip,"
		"address.ipv6,address.port,address.domain,error.code,error.message,discovered,probe.result,"
		"probe.leaf.not_after,probe.leaf.days_left,check.status,check.reason,credential_expires\r\n";
	ok(strncmp(text, header, strlen(header)) == 0, "CSV header row is exactly the contract's");
	ok(strstr(text, "\r\norders-cache,tc,tencent,redis,ap-guangzhou,crs-0,error,"
	                "https://bucket.example/ssl/ca.zip?...,,") != NULL, "CSV row, null as empty field");
	ok(strstr(text, ",false,") != NULL, "CSV booleans are true/false");
	ok(strstr(text, ",6379,") != NULL, "CSV port");
	free(text);
	fleet_free(&f);
}

static void test_csv_quoting(void)
{
	struct fleet f = {0};
	add(&f, "we,ird \"name\"\x1b[31m", STATE_DISABLED, LONG_MIN);
	char *text = render(&f, REPORT_CSV);
	ok(strstr(text, "\"we,ird \"\"name\"\"?[31m\"") != NULL, "CSV quotes commas/quotes, escapes control chars");
	free(text);
	text = render(&f, REPORT_TABLE);
	ok(!strchr(text, '\x1b'), "table never prints an escape character");
	free(text);
	fleet_free(&f);
}

/* Found by fuzzing (tests/fuzz/corpus/textsafe): lead bytes F5..FF,
 * overlong forms, surrogates and code points past U+10FFFF went through
 * to the terminal as they were. */
static void test_sanitize(void)
{
	static const struct {
		const char *in, *want, *name;
	} cases[] = {
		{"plain", "plain", "ASCII kept"},
		{"\xe8\x85\xbe\xe8\xae\xaf \xc2\xa0 \xf0\x9f\x94\x92", "\xe8\x85\xbe\xe8\xae\xaf \xc2\xa0 \xf0\x9f\x94\x92",
		 "valid UTF-8 kept"},
		{"a\x1b[31m\x7f\tb", "a?[31m??b", "C0 controls and DEL"},
		{"\xc2\x85\xc2\x9f", "????", "C1 controls"},
		{"\xf8\x88\x80\x80\x80", "?????", "lead byte F8"},
		{"\xff\xbf\xbf", "???", "lead byte FF"},
		{"\xe0\x80\xaf", "???", "overlong 3-byte"},
		{"\xf0\x80\x80\xaf", "????", "overlong 4-byte"},
		{"\xed\xa0\x80", "???", "surrogate"},
		{"\xf4\x90\x80\x80", "????", "past U+10FFFF"},
		{"end\xe8\x85", "end??", "truncated sequence"},
		/* one module for every front end: bidi controls, which the
		 * dashboard always replaced, are now replaced here too */
		{"a\xe2\x80\xae" "gpj.exe", "a???gpj.exe", "bidi override (U+202E)"},
		{"\xe2\x81\xa6x\xe2\x81\xa9", "???x???", "bidi isolates (U+2066, U+2069)"},
		{"\xe2\x80\x8f", "???", "right-to-left mark"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = textsafe_plain(cases[i].in);
		is_str(got, cases[i].want, cases[i].name);
		free(got);
	}
}

static void test_check(void)
{
	struct fleet f = {0};
	int code;
	char *out;

	f.settings.warn_days = 30;
	f.settings.crit_days = 7;
	add(&f, "ok", STATE_ENABLED, 200);
	out = run_check(&f, &code);
	is_int(code, 0, "all fine: OK");
	/* The first line gained the worst instances and range syntax in the
	 * perfdata thresholds (the contract changed). */
	ok(strncmp(out, "TLSFLEET OK - 1 instances: 1 enabled | instances=1 enabled=1 disabled=0 configuring=0 "
	                "unsupported=0 no_info=0 not_found=0 auth_error=0 throttled=0 error=0 unknown=0 "
	                "min_days_left=200;30:;7:\n", 300) == 0, "summary line and perfdata");
	free(out);

	add(&f, "warn", STATE_ENABLED, 30);
	out = run_check(&f, &code);
	is_int(code, 1, "days_left == warn_days: WARNING");
	ok(strstr(out, "\nWARNING warn: CA certificate expires on") != NULL, "detail line for the warning");
	ok(strstr(out, "min_days_left=30;30:;7:") != NULL, "min_days_left is the smallest");
	free(out);
	f.instances[1].st.cert_expires_api += DAY;
	out = run_check(&f, &code);
	is_int(code, 0, "31 days with warn 30: OK");
	free(out);

	add(&f, "unknown-expiry", STATE_ENABLED, LONG_MIN);
	out = run_check(&f, &code);
	is_int(code, 3, "enabled with unknown expiry: UNKNOWN");
	free(out);

	add(&f, "crit", STATE_ENABLED, 7);
	out = run_check(&f, &code);
	is_int(code, 2, "days_left == crit_days: CRITICAL beats UNKNOWN");
	free(out);
	f.instances[3].crit_days = 5;
	f.instances[3].warn_days = 10;
	out = run_check(&f, &code);
	is_int(code, 1, "instance's own crit_days wins (7 > 5: WARNING), and WARNING beats UNKNOWN");
	ok(strstr(out, "WARNING crit:") != NULL, "per-instance thresholds");
	free(out);

	f.instances[2].st.state = STATE_DISABLED;
	out = run_check(&f, &code);
	is_int(code, 1, "disabled is OK without require_tls");
	free(out);
	f.settings.require_tls = true;
	out = run_check(&f, &code);
	is_int(code, 2, "disabled is CRITICAL under require_tls");
	ok(strstr(out, "CRITICAL unknown-expiry: TLS is disabled but required") != NULL, "reason names it");
	free(out);
	f.instances[2].require_tls = 0;
	out = run_check(&f, &code);
	is_int(code, 1, "an instance's require_tls = false wins");
	free(out);

	add(&f, "expired", STATE_ENABLED, -3);
	out = run_check(&f, &code);
	is_int(code, 2, "expired: CRITICAL");
	ok(strstr(out, "expired on") != NULL, "expired reason");
	ok(strstr(out, "min_days_left=-3;30:;7:") != NULL, "negative days in perfdata");
	free(out);

	struct fleet g = {0};
	g.settings.warn_days = 30;
	add(&g, "c", STATE_CONFIGURING, LONG_MIN);
	add(&g, "t", STATE_THROTTLED, LONG_MIN);
	g.instances[1].st.error = api_error_new("RequestLimitExceeded", "slow down", 200);
	out = run_check(&g, &code);
	is_int(code, 1, "configuring WARNING beats UNKNOWN (throttled)");
	ok(strstr(out, "2 instances: 1 configuring, 1 throttled |") != NULL, "non-zero states in order");
	ok(strstr(out, "min_days_left=U;30:;0:") != NULL, "U when no expiry known");
	ok(strstr(out, "UNKNOWN t: throttled: RequestLimitExceeded: slow down") != NULL, "reason with code");
	free(out);
	fleet_free(&g);
	fleet_free(&f);
}

/* First line: the worst instances by name (3, then "+N more"); long
 * output CRITICAL, WARNING, UNKNOWN, config order within each. */
static void test_check_order(void)
{
	struct fleet f = {0};
	int code;
	char *out;

	f.settings.warn_days = 30;
	f.settings.crit_days = 7;
	out = run_check(&f, &code);
	is_int(code, 3, "no instance selected: UNKNOWN");
	ok(strncmp(out, "TLSFLEET UNKNOWN - no instance selected | instances=0 ", 54) == 0,
	   "empty selection says so");
	free(out);

	add(&f, "u1", STATE_ERROR, LONG_MIN);
	add(&f, "w1", STATE_ENABLED, 20);
	add(&f, "fine", STATE_ENABLED, 300);
	add(&f, "c1", STATE_ENABLED, 3);
	add(&f, "w2", STATE_CONFIGURING, LONG_MIN);
	add(&f, "c2|pipe", STATE_ENABLED, -1);
	f.instances[0].st.error = api_error_new("CURLE_COULDNT_CONNECT", "refused | closed", 0);
	out = run_check(&f, &code);
	is_int(code, 2, "worst is CRITICAL");
	char *nl = strchr(out, '\n');
	*nl = '\0';
	ok(strncmp(out, "TLSFLEET CRITICAL - c1: CA certificate expires on ",
	           strlen("TLSFLEET CRITICAL - c1: CA certificate expires on ")) == 0, "first line starts with the worst");
	ok(strstr(out, "; c2/pipe: CA certificate expired on ") != NULL, "second worst, '|' replaced");
	ok(strstr(out, "; w1: CA certificate expires on ") != NULL, "third: first WARNING in config order");
	ok(strstr(out, "; +2 more - 6 instances: 4 enabled, 1 configuring, 1 error | instances=6 ") != NULL,
	   "then +N more and the census");
	ok(strchr(strchr(out, '|') + 1, '|') == NULL, "one pipe on the first line");
	const char *rest = nl + 1;
	static const char *const want[] = {"CRITICAL c1:", "CRITICAL c2/pipe:", "WARNING w1:", "WARNING w2:",
	                                   "UNKNOWN u1: error: CURLE_COULDNT_CONNECT: refused / closed"};
	bool order = true;
	for (size_t i = 0; i < 5; i++) {
		if (strncmp(rest, want[i], strlen(want[i])) != 0) {
			order = false;
			diag("line %zu: %.60s", i + 2, rest);
		}
		rest = strchr(rest, '\n');
		rest = rest ? rest + 1 : "";
	}
	ok(order && !*rest, "long output: worst first, config order within a status, OK left out");
	free(out);

	char *json = render(&f, REPORT_JSON);
	cJSON *arr = cJSON_Parse(json);
	cJSON *c = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "check");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(c, "status")), "OK", "JSON check.status");
	c = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 4), "check");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(c, "reason")), "TLS is being configured",
	       "JSON check.reason");
	cJSON *last = cJSON_GetArrayItem(arr, 0)->child;
	while (last->next)
		last = last->next;
	/* the keys added since the first contract, in its order: discovered,
	 * probe, connect, check, credential_expires (tlsfleet(1), JSON) */
	is_str(last->string, "credential_expires", "credential_expires is the last key");
	ok(cJSON_IsNull(last), "credential_expires null for long-lived keys");
	is_str(last->prev->string, "check", "check comes before it");
	is_str(last->prev->prev->string, "connect", "connect before check");
	is_str(last->prev->prev->prev->string, "probe", "probe before connect");
	ok(cJSON_IsNull(last->prev->prev->prev), "never probed: probe is null");
	is_str(last->prev->prev->prev->prev->string, "discovered", "discovered first of them");
	cJSON_Delete(arr);
	free(json);
	char *csv = render(&f, REPORT_CSV);
	ok(strstr(csv, ",false,,,,WARNING,TLS is being configured,\r\n") != NULL,
	   "CSV discovered, three empty probe columns, check columns, empty credential_expires");
	free(csv);
	fleet_free(&f);
}

int main(void)
{
	test_json();
	test_csv_quoting();
	test_sanitize();
	test_check();
	test_check_order();
	return done_testing();
}
