/* Discovery without the network: list requests (page sizes, offsets, tag
 * filters), page parsing per cloud, the paging rule, filters, unique
 * names and the merge into a fleet. */
#include "tap.h"
#include "core/discovery.h"
#include "providers/listing.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct credentials cred = {.id = (char *)"AKIDtest", .secret = (char *)"secret"};

static struct account make_account(enum provider_kind p, const char *name)
{
	struct account a = {0};

	a.name = (char *)name;
	a.provider = p;
	a.ops = provider_for(p);
	a.endpoint = (char *)"https://127.0.0.1:1";
	a.project_id = (char *)"proj0";
	a.credential_source = (char *)"inline";
	return a;
}

static void parse(const struct account *a, enum service_kind k, long page, long status,
                  const char *body, struct list_page *out)
{
	struct list_query q = {.a = a, .kind = k, .region = "r1", .page = page};
	struct http_response resp = {.status = status, .body = body, .body_len = strlen(body)};
	const struct provider_lister *l = provider_lister(a->provider, k);

	list_page_init(out);
	l->parse(&q, &resp, out);
}

static void test_table(void)
{
	ok(provider_lister(PROVIDER_TENCENT, SERVICE_REDIS)->page_size == 1000, "Tencent Redis pages of 1000");
	ok(provider_lister(PROVIDER_TENCENT, SERVICE_POSTGRES)->page_size == 100, "Tencent PostgreSQL pages of 100");
	ok(provider_lister(PROVIDER_HUAWEI, SERVICE_DCS)->page_size == 1000, "Huawei pages of 1000");
	ok(provider_lister(PROVIDER_ALIBABA, SERVICE_REDIS)->page_size == 50, "Alibaba pages of 50");
	is_str(provider_lister(PROVIDER_TENCENT, SERVICE_POSTGRES)->action, "DescribeDBInstances",
	       "the action comes from services.def");
	ok(provider_lister(PROVIDER_HUAWEI, SERVICE_REDIS) == NULL, "no list call where no service");
	/* 1001 at 1000: two pages; an empty page ends whatever the total */
	is_int(list_next_page(0, 1000, 1000, 1001), 1, "page 2 of 1001");
	is_int(list_next_page(1, 1000, 1, 1001), -1, "done after 1001");
	is_int(list_next_page(0, 100, 100, 100), -1, "exactly one full page");
	is_int(list_next_page(3, 50, 0, 1000), -1, "an empty page ends the listing");
	/* the last page, which the engine asks for side by side with the others */
	is_int(list_last_page(0, 1000, 1000, 1001), 1, "1001 at 1000: the last page is 2");
	is_int(list_last_page(1, 1000, 1, 1001), 1, "page 2 of 1001 is the last");
	is_int(list_last_page(0, 100, 100, 100), 0, "exactly one full page: it is the last");
	is_int(list_last_page(0, 50, 50, 120), 2, "120 at 50: 3 pages");
	is_int(list_last_page(3, 50, 0, 1000), 3, "never past an empty page");
	is_int(list_last_page(0, 50, 3, 0), 0, "a total of 0 with items: this page only");
	for (long total = 1; total <= 301; total += 50) {
		long page = 0, last = list_last_page(0, 100, 1, total);
		while (list_next_page(page, 100, 1, total) >= 0)
			page++;
		ok(last == page, "last agrees with next at a total of %ld (%ld, %ld)", total, last, page);
	}
}

/* Pages answer in any order; the listing ends in list order, and a failed
 * page drops what the pages after it found. */
static struct found_instance found(const char *id, const char *name, const char *tagv);

static void test_order(void)
{
	struct account a = make_account(PROVIDER_TENCENT, "tc");
	struct discovery d = {.l = xcalloc(1, sizeof(*d.l)), .n = 1};
	struct listing *l = d.l;
	struct found_instance p2[2] = {found("i-5", "e", NULL), found("i-6", "f", NULL)};
	struct found_instance p0[2] = {found("i-1", "a", NULL), found("i-2", "b", NULL)};
	struct found_instance p1[2] = {found("i-3", "c", NULL), found("i-4", "d", NULL)};
	char order[16] = "";

	l->a = &a;
	l->region = xstrdup("r1");
	listing_take(l, 2, p2, 2);
	listing_take(l, 0, p0, 2);
	listing_take(l, 1, p1, 2);
	listing_order(l, -1);
	for (size_t i = 0; i < l->n_items; i++)
		strcat(order, l->items[i].name);
	is_str(order, "abcdef", "pages 2, 0, 1 answered: items in list order");
	listing_order(l, 1);
	is_int((long long)l->n_items, 2, "a failed page 2 (index 1): only page 1's items stay");
	is_str(l->items[1].name, "b", "in list order");
	discovery_free(&d);
}

static void test_requests(void)
{
	struct account tc = make_account(PROVIDER_TENCENT, "tc");
	struct account hw = make_account(PROVIDER_HUAWEI, "hw");
	struct account ali = make_account(PROVIDER_ALIBABA, "ali");
	struct discover_tag tags[] = {{(char *)"team", (char *)"pay"}, {(char *)"env", (char *)"prod"}};
	struct discover_spec spec = {.tags = tags, .n_tags = 2};
	struct sign_context ctx = {.now = 1700000000, .nonce = "n-1"};
	struct http_request r;
	char *err = NULL;
	struct list_query q = {.a = &tc, .kind = SERVICE_REDIS, .region = "ap-x", .page = 2, .spec = &spec};

	ok(list_build_tencent_redis(&q, &cred, &ctx, &r, &err) == 0, "Tencent Redis request");
	ok(r.body && strstr(r.body, "\"Limit\":1000") && strstr(r.body, "\"Offset\":2000"),
	   "Offset a multiple of Limit: %s", r.body);
	ok(strstr(r.body, "\"TagList\":[{\"TagKey\":\"team\",\"TagValue\":\"pay\"}") != NULL,
	   "tags sent as TagList");
	is_str(http_request_header(&r, "X-TC-Action"), "DescribeInstances", "action header");
	is_str(r.action, "DescribeInstances", "paced as DescribeInstances");
	http_request_free(&r);

	q.kind = SERVICE_POSTGRES;
	q.page = 1;
	ok(list_build_tencent_postgres(&q, &cred, &ctx, &r, &err) == 0, "Tencent PostgreSQL request");
	ok(strstr(r.body, "\"Limit\":100,\"Offset\":100") != NULL, "record offset: %s", r.body);
	ok(strstr(r.body, "db-tag-key") != NULL, "tag keys sent as a filter");
	is_str(http_request_header(&r, "X-TC-Version"), "2017-03-12", "PostgreSQL version");
	http_request_free(&r);

	q.a = &hw;
	q.kind = SERVICE_DCS;
	q.page = 0;
	ok(list_build_huawei_dcs(&q, &cred, &ctx, &r, &err) == 0, "Huawei request");
	ok(strstr(r.url, "/v2/proj0/instances?") && strstr(r.url, "limit=1000") && strstr(r.url, "offset=0"),
	   "Huawei URL %s", r.url);
	ok(strstr(r.url, "tags=team%3Dpay%2Cenv%3Dprod") != NULL, "Huawei tags query");
	is_str(r.method, "GET", "Huawei GET");
	http_request_free(&r);

	q.a = &ali;
	q.kind = SERVICE_REDIS;
	q.page = 4;
	ok(list_build_alibaba_redis(&q, &cred, &ctx, &r, &err) == 0, "Alibaba request");
	ok(strstr(r.url, "PageNumber=5") && strstr(r.url, "PageSize=50") && strstr(r.url, "RegionId=ap-x"),
	   "Alibaba pages from 1: %s", r.url);
	ok(strstr(r.url, "Tag.2.Key=env") && strstr(r.url, "Tag.2.Value=prod"), "Alibaba Tag.N");
	http_request_free(&r);

	struct credentials none = {0};
	ok(list_build_alibaba_redis(&q, &none, &ctx, &r, &err) == -1 && err, "no keys: no request");
	free(err);
}

static void test_pages(void)
{
	struct account tc = make_account(PROVIDER_TENCENT, "tc");
	struct account hw = make_account(PROVIDER_HUAWEI, "hw");
	struct account ali = make_account(PROVIDER_ALIBABA, "ali");
	struct list_page p;

	parse(&tc, SERVICE_REDIS, 0, 200,
	      "{\"Response\":{\"TotalCount\":1001,\"RequestId\":\"r\",\"InstanceSet\":[{\"InstanceName\":\"a\","
	      "\"InstanceId\":\"crs-1\",\"WanIp\":\"10.0.0.1\",\"Port\":6380,\"InstanceTags\":[{\"TagKey\":\"team\","
	      "\"TagValue\":\"pay\"}]},{\"InstanceName\":\"\",\"InstanceId\":\"crs-2\"}]}}", &p);
	ok(p.ok && p.total == 1001 && p.n_items == 2, "Tencent Redis page");
	is_str(p.items[0].addr.ip, "10.0.0.1", "WanIp");
	is_int(p.items[0].addr.port, 6380, "Port");
	is_str(p.items[0].tags[0].value, "pay", "tags");
	is_str(p.items[1].name, "", "a nameless instance");
	is_int(p.next, 1, "more to come");
	is_int(p.last, 1, "page 2 is the last");
	list_page_free(&p);

	parse(&tc, SERVICE_REDIS, 0, 200,
	      "{\"Response\":{\"Error\":{\"Code\":\"RequestLimitExceeded\",\"Message\":\"slow\"},\"RequestId\":\"r\"}}", &p);
	ok(!p.ok && p.r.throttled && p.r.retry, "Tencent throttling is retried");
	list_page_free(&p);
	parse(&tc, SERVICE_REDIS, 0, 200,
	      "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.UnauthorizedOperation\",\"Message\":\"no\"}}}", &p);
	ok(!p.ok && p.r.state == STATE_AUTH_ERROR && !p.r.retry, "Tencent auth error fails the page");
	list_page_free(&p);
	parse(&tc, SERVICE_REDIS, 0, 200, "{\"Response\":{\"InstanceSet\":[]}}", &p);
	ok(!p.ok && p.r.error && strcmp(p.r.error->code, "InvalidResponse") == 0, "no TotalCount: invalid");
	list_page_free(&p);

	parse(&tc, SERVICE_POSTGRES, 1, 200,
	      "{\"Response\":{\"TotalCount\":150,\"DBInstanceSet\":[{\"DBInstanceName\":\"pg\",\"DBInstanceId\":"
	      "\"postgres-1\",\"DBInstanceNetInfo\":[{\"NetType\":\"public\",\"Port\":1},{\"NetType\":\"private\","
	      "\"Address\":\"pg.internal\",\"Ip\":\"10.1.1.1\",\"Port\":5432}]}]}}", &p);
	ok(p.ok && p.n_items == 1 && p.next == -1, "PostgreSQL last page");
	is_int(p.items[0].addr.port, 5432, "the private net's port");
	is_str(p.items[0].addr.ip, "10.1.1.1", "the private net's ip");
	list_page_free(&p);

	parse(&hw, SERVICE_DCS, 0, 200,
	      "{\"instance_num\":3,\"instances\":[{\"name\":\"d\",\"instance_id\":\"i-1\",\"ip\":\"192.168.0.1\","
	      "\"port\":6379,\"domain_name\":\"redis-1.dcs.example\",\"tags\":[{\"key\":\"team\",\"value\":\"x\"}]}]}", &p);
	ok(p.ok && p.total == 3 && p.n_items == 1 && p.next == -1, "Huawei page (3 of 3 at 1000)");
	is_str(p.items[0].addr.host, "redis-1.dcs.example", "Huawei host is the domain");
	is_int(p.items[0].addr.port, 6379, "Huawei port");
	list_page_free(&p);
	/* domain_name with its port (as the status answer has it) */
	parse(&hw, SERVICE_DCS, 0, 200,
	      "{\"instance_num\":1,\"instances\":[{\"name\":\"d\",\"instance_id\":\"i-1\",\"ip\":\"192.168.0.1\","
	      "\"port\":6379,\"domain_name\":\"redis-1.dcs.example:6379\"}]}", &p);
	is_str(p.items[0].addr.host, "redis-1.dcs.example", "Huawei host without domain_name's port");
	is_str(p.items[0].addr.domain, "redis-1.dcs.example:6379", "domain kept verbatim");
	list_page_free(&p);
	parse(&hw, SERVICE_DCS, 0, 503, "{\"error_code\":\"DCS.5000\",\"error_msg\":\"busy\"}", &p);
	ok(!p.ok && p.r.retry, "Huawei 5xx is retried");
	list_page_free(&p);

	parse(&ali, SERVICE_REDIS, 0, 200,
	      "{\"RequestId\":\"x\",\"TotalCount\":120,\"PageNumber\":1,\"PageSize\":50,\"Instances\":{\"KVStoreInstance\":"
	      "[{\"InstanceId\":\"r-1\",\"InstanceName\":\"n\",\"RegionId\":\"cn-x\",\"ConnectionDomain\":\"r-1.redis.example\","
	      "\"Port\":\"6379\",\"Tags\":{\"Tag\":[{\"Key\":\"team\",\"Value\":\"y\"}]}}]}}", &p);
	ok(p.ok && p.total == 120 && p.next == 1 && p.last == 2, "Alibaba page 1 of 3");
	is_str(p.items[0].region, "cn-x", "Alibaba RegionId");
	is_int(p.items[0].addr.port, 6379, "a port as a string");
	list_page_free(&p);
	parse(&ali, SERVICE_REDIS, 0, 403, "{\"Code\":\"Forbidden.RAM\",\"Message\":\"no\"}", &p);
	ok(!p.ok && p.r.state == STATE_AUTH_ERROR, "Alibaba RAM refusal");
	list_page_free(&p);
}

static struct found_instance found(const char *id, const char *name, const char *tagv)
{
	struct found_instance it = {0};

	it.id = xstrdup(id);
	it.name = xstrdup(name);
	it.region = xstrdup("r1");
	it.addr.port = -1;
	if (tagv) {
		it.tags = xcalloc(1, sizeof(*it.tags));
		it.tags[0].key = xstrdup("team");
		it.tags[0].value = xstrdup(tagv);
		it.n_tags = 1;
	}
	return it;
}

static bool taken_ab(void *ud, const char *name)
{
	(void)ud;
	return strcmp(name, "a") == 0 || strcmp(name, "a (i-2)") == 0;
}

static void test_filters_and_names(void)
{
	struct discover_tag tag = {(char *)"team", (char *)"pay"};
	struct discover_spec s = {.tags = &tag, .n_tags = 1, .match = (char *)"orders-*"};
	struct found_instance a = found("i-1", "orders-1", "pay"), b = found("i-2", "orders-2", "search"),
	                      c = found("i-3", "cache", "pay"), d = found("orders-9", "", "pay");

	ok(discovery_matches(&s, &a), "tag and glob match");
	ok(!discovery_matches(&s, &b), "a tag with another value does not");
	ok(!discovery_matches(&s, &c), "a name outside the glob does not");
	ok(discovery_matches(&s, &d), "a nameless instance matches by its id");
	char *n = discovery_unique_name(&c, taken_ab, NULL);
	is_str(n, "cache", "a free name is kept");
	free(n);
	struct found_instance e = found("i-2", "a", NULL), f = found("i-9", "", NULL);
	n = discovery_unique_name(&e, taken_ab, NULL);
	is_str(n, "a (i-2) 2", "a taken name gets the id, then a number");
	free(n);
	n = discovery_unique_name(&f, taken_ab, NULL);
	is_str(n, "i-9", "no name: the id");
	free(n);
	struct found_instance g = found("i-7", "evil\033[2Jname", NULL), h = found("i-8", "bad\xff", NULL);
	n = discovery_unique_name(&g, taken_ab, NULL);
	is_str(n, "i-7", "a name with a control character: the id (the config would refuse it)");
	free(n);
	n = discovery_unique_name(&h, taken_ab, NULL);
	is_str(n, "i-8", "a name that is not UTF-8: the id");
	free(n);
	found_instance_free(&g);
	found_instance_free(&h);
	found_instance_free(&a);
	found_instance_free(&b);
	found_instance_free(&c);
	found_instance_free(&d);
	found_instance_free(&e);
	found_instance_free(&f);
}

static void log_change(void *ud, const struct instance *in, bool added)
{
	struct {
		int n;
		char names[8][32];
		bool added[8];
	} *log = ud;

	if (log->n < 8) {
		snprintf(log->names[log->n], sizeof(log->names[0]), "%s", in->name);
		log->added[log->n] = added;
	}
	log->n++;
}

static void test_apply(void)
{
	struct fleet fl = {0};
	struct discovery d = {0};
	struct discover_spec spec = {0};

	fl.accounts = xcalloc(1, sizeof(*fl.accounts));
	fl.n_accounts = 1;
	fl.accounts[0] = make_account(PROVIDER_TENCENT, "tc");
	fl.accounts[0].name = xstrdup("tc");
	fl.accounts[0].endpoint = NULL;
	fl.accounts[0].project_id = NULL;
	fl.accounts[0].credential_source = NULL;
	fl.accounts[0].discover = xcalloc(1, sizeof(spec));
	fl.accounts[0].discover->regions = xcalloc(2, sizeof(char *));
	fl.accounts[0].discover->regions[0] = xstrdup("r1");
	fl.accounts[0].discover->regions[1] = xstrdup("r2");
	fl.accounts[0].discover->n_regions = 2;
	fl.accounts[0].discover->interval = 3600;
	/* the two services whose listings this test fills (Tencent lists five) */
	fl.accounts[0].discover->services = 1u << SERVICE_REDIS | 1u << SERVICE_POSTGRES;
	fl.instances = xcalloc(1, sizeof(*fl.instances));
	fl.n_instances = 1;
	struct instance *in = &fl.instances[0];
	instance_status_init(&in->st);
	in->name = xstrdup("mine");
	in->account = &fl.accounts[0];
	in->service = SERVICE_REDIS;
	in->region = xstrdup("r1");
	in->id = xstrdup("i-1");
	in->listed_addr.port = -1;

	discovery_plan(&d, &fl, NULL, 0);
	is_int((long long)d.n, 4, "2 regions x 2 services with list calls");
	struct found_instance items[4] = {found("i-1", "theirs", NULL), found("i-2", "mine", NULL),
	                                  found("i-3", "x", NULL), found("bad id", "y", NULL)};
	items[0].addr.ip = xstrdup("10.0.0.9");
	items[0].addr.port = 6379;
	listing_take(&d.l[0], 0, items, 4);
	d.l[0].done = true;
	d.l[1].done = d.l[2].done = d.l[3].done = true;
	ok(!discovery_failed(&d), "every listing done");
	is_int((long long)discovery_apply(&fl, &d), 2, "two added (configured and bad id are not)");
	is_int((long long)fl.n_instances, 3, "fleet of 3");
	is_str(fl.instances[0].name, "mine", "the configured instance keeps its name");
	is_int(fl.instances[0].listed_addr.port, 6379, "and learns the listed port");
	is_str(fl.instances[1].name, "mine (i-2)", "a clash gets the id");
	ok(fl.instances[1].discovered && !fl.instances[0].discovered, "discovered flags");
	is_int((long long)fl.instances[2].index, 2, "index follows the fleet");
	d.l[2].error = xstrdup("boom");
	ok(discovery_failed(&d), "a failed listing is a failure");

	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	discovery_write_snippet(out, &fl, &d);
	fclose(out);
	ok(strstr(buf, "{ name = \"mine\"; account = \"tc\"; service = \"redis\"; region = \"r1\"; id = \"i-1\"; }") != NULL,
	   "snippet names the configured instance as configured");
	ok(strstr(buf, "\"mine (i-2)\"") && !strstr(buf, "bad id"), "snippet: the clash renamed, the bad id left out");
	free(buf);
	discovery_free(&d);

	/* A re-listing: i-3 is gone from a complete listing, i-2 stays, i-4
	 * joins; r2's listing failed, so what it found before stays. */
	discovery_plan(&d, &fl, NULL, 0);
	struct found_instance again[2] = {found("i-2", "mine", NULL), found("i-4", "new", NULL)};
	listing_take(&d.l[0], 0, again, 2);
	d.l[0].done = true;
	d.l[1].done = true;
	d.l[2].error = xstrdup("throttled");
	d.l[3].error = xstrdup("throttled");
	/* a discovered instance of the failed region */
	struct found_instance r2 = found("i-7", "far", NULL);
	free(r2.region);
	r2.region = xstrdup("r2");
	struct discovery d2 = {0};
	discovery_plan(&d2, &fl, NULL, 0);
	listing_take(&d2.l[2], 0, &r2, 1);
	d2.l[0].done = d2.l[1].done = d2.l[2].done = d2.l[3].done = true;
	size_t added = 0, *map = NULL;
	discovery_apply(&fl, &d2);
	is_int((long long)fl.n_instances, 4, "r2's instance added");
	discovery_free(&d2);
	struct {
		int n;
		char names[8][32];
		bool added[8];
	} log = {0};
	discovery_reconcile(&fl, &d, log_change, &log, &map, &added);
	is_int((long long)fl.n_instances, 4, "one gone, one new");
	is_int((long long)added, 1, "one added");
	is_int((long long)map[2], (long long)SIZE_MAX, "i-3 left");
	is_int((long long)map[3], 2, "r2's instance moved up, kept (its listing failed)");
	is_str(fl.instances[3].id, "i-4", "the new one is last");
	is_int((long long)fl.instances[3].index, 3, "indexes follow");
	is_int(log.n, 2, "two changes reported");
	is_str(log.names[0], "x", "i-3 (named x) reported gone");
	ok(!log.added[0] && log.added[1], "gone first, then added");
	free(map);
	discovery_free(&d);
	fleet_free(&fl);
}

int main(void)
{
	test_table();
	test_order();
	test_requests();
	test_pages();
	test_filters_and_names();
	test_apply();
	return done_testing();
}
