/* The filter language (core/filter.h): free text over every searchable
 * field, field predicates, days comparisons, negation, quoting, Unicode
 * case folding and the highlight span. No terminal needed. */
#include "core/filter.h"
#include "core/xalloc.h"
#include "tap.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static const time_t NOW = 1900000000;
#define DAY 86400

static struct account acct_hw = { .name = (char *)"Prod-Ops", .provider = PROVIDER_HUAWEI };
static struct account acct_tc = { .name = (char *)"lab", .provider = PROVIDER_TENCENT };

static void make(struct instance *in, struct account *a, enum service_kind svc,
                 const char *name, const char *id, enum tls_state st, long days)
{
	memset(in, 0, sizeof(*in));
	instance_status_init(&in->st);
	in->warn_days = in->crit_days = in->require_tls = -1;
	in->name = xstrdup(name);
	in->id = xstrdup(id);
	in->region = xstrdup("eu-de");
	in->account = a;
	in->service = svc;
	in->st.state = st;
	in->st.cert_expires_api = days == -9999 ? TIME_NONE : NOW + days * DAY + 3600;
}

static bool m(const char *text, const struct instance *in)
{
	struct filter *flt = filter_compile(text);
	bool r = filter_match(flt, in, NOW, NULL, NULL);

	filter_free(flt);
	return r;
}

int main(void)
{
	struct instance a, b, c;

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	make(&a, &acct_hw, SERVICE_REDIS, "Café-Sessions", "dcs-1234", STATE_ENABLED, 12);
	a.st.addr.host = xstrdup("redis-1.example.net");
	a.st.addr.ip = xstrdup("192.0.2.7");
	a.st.addr.domain = xstrdup("dcs-abc.eu-de.example");
	make(&b, &acct_tc, SERVICE_POSTGRES, "billing", "postgres-9x", STATE_AUTH_ERROR, -9999);
	b.st.error = xcalloc(1, sizeof(*b.st.error));
	b.st.error->code = xstrdup("AuthFailure.SignatureExpire");
	make(&c, &acct_tc, SERVICE_REDIS, "ΣΟΦΙΑ", "crs-77", STATE_ERROR, 400);

	ok(filter_compile(NULL) == NULL && filter_compile("  \t ") == NULL, "blank text is no filter");
	ok(m("café", &a) && m("CAFÉ", &a), "CAFÉ finds café (towlower over decoded UTF-8)");
	ok(m("σοφια", &c), "Greek capitals fold to small letters");
	ok(m("1234", &a) && !m("1234", &b), "free text: id");
	ok(m("signatureexpire", &b), "free text: error code");
	ok(m("192.0.2", &a) && m("example.net", &a) && m("dcs-abc", &a), "free text: addresses");
	ok(m("prod-ops", &a) && !m("prod-ops", &b), "free text: account");
	ok(m("huawei/redis", &a), "free text: provider/service");

	ok(m("state:error", &c) && !m("state:error", &b), "state: is a prefix (error, not auth_error)");
	ok(m("state:auth", &b), "state: prefix");
	ok(m("provider:huawei", &a) && !m("provider:huawei", &b), "provider:");
	ok(m("provider:HUA", &a), "provider: prefix, case-folded");
	ok(m("service:redis", &a) && m("service:redis", &c) && !m("service:redis", &b), "service:");
	ok(m("account:lab", &b) && !m("account:lab", &a), "account:");
	ok(m("code:signature", &b) && !m("code:signature", &a), "code:");
	ok(m("address:192.0.2.7", &a) && !m("address:192", &b), "address:");
	ok(!m("name:1234", &a) && m("id:1234", &a), "name: and id: look at their field only");
	ok(m("region:eu-de", &a), "region:");

	ok(m("days<30", &a) && !m("days<30", &c), "days<30");
	ok(m("days<=12", &a) && !m("days<12", &a), "days<= and < at the boundary");
	ok(m("days>=7", &a) && m("days>11", &a) && !m("days>12", &a), "days>= and >");
	ok(m("days=12", &a) && !m("days=13", &a), "days=");
	ok(!m("days<30", &b) && !m("days>=0", &b), "unknown expiry never satisfies days");
	ok(m("-days<30", &b), "negated days matches an unknown expiry");
	ok(m("days<abc", &a) == false, "a malformed days term is free text");

	ok(!m("-state:enabled", &a) && m("-state:enabled", &b), "negation with -");
	ok(!m("!state:enabled", &a) && m("!state:enabled", &c), "negation with !");
	ok(m("service:redis -state:error", &a) && !m("service:redis -state:error", &c),
	   "terms combine with AND");
	ok(m("redis-1.example.net:6379", &a) == false && m("host:6379", &a) == false,
	   "unknown field names are free text");
	ok(m("\"café-sessions\"", &a) && !m("\"café sessions\"", &a), "quotes group a word");
	ok(m("-", &a) && !m("-x", &a), "a lone - is free text, not a negation");

	{
		struct filter *flt = filter_compile("state:enabled CAFÉ");
		const wchar_t *cell = L"my-Café-Sessions";
		size_t st = 0, len = 0;
		ok(filter_highlight(flt, cell, wcslen(cell), &st, &len) && st == 3 && len == 4,
		   "highlight spans the folded match");
		ok(!filter_highlight(flt, L"nothing", 7, &st, &len), "no highlight without a match");
		filter_free(flt);
		flt = filter_compile("-café");
		ok(!filter_highlight(flt, cell, wcslen(cell), &st, &len), "negated terms are not highlighted");
		filter_free(flt);
	}
	{
		char *f = filter_fold("ÀÉÎ\xff" "Z");
		is_str(f, "àéî\xff" "z", "fold keeps invalid bytes as they are");
		free(f);
	}

	for (struct instance *in = &a; in; in = in == &a ? &b : in == &b ? &c : NULL) {
		free(in->name);
		free(in->id);
		free(in->region);
		instance_status_free(&in->st);
	}
	return done_testing();
}
