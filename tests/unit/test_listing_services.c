/* The list calls of Tencent MySQL, MongoDB and SQL Server, Huawei RDS and
 * Alibaba RDS, PolarDB and MongoDB without the network: the request of a
 * page (version, page size, offset rule, tag filters), the parse of every
 * documented example answer verbatim (tests/data/api/, sources in its
 * README) and of answers built in the documented shapes
 * (tests/data/listing/), dds's two passes (replica sets, then sharded
 * clusters), malformed bodies and error answers mapped by the product's
 * codes. */
#include "tap.h"
#include "fixtures.h"
#include "core/discovery.h"
#include "providers/listing.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct credentials cred = {.id = (char *)"AKIDtest", .secret = (char *)"secret"};
static struct discover_tag tags[] = {{(char *)"team", (char *)"pay"}, {(char *)"env", (char *)"prod"}};
static struct discover_spec spec = {.tags = tags, .n_tags = 2};

static struct account make_account(enum provider_kind p)
{
	struct account a = {0};

	a.name = (char *)"acct";
	a.provider = p;
	a.ops = provider_for(p);
	a.endpoint = (char *)"https://127.0.0.1:1";
	a.project_id = (char *)"proj0";
	a.credential_source = (char *)"inline";
	return a;
}

static int build(const struct account *a, enum service_kind k, long page,
                 const struct discover_spec *s, struct http_request *r, char **err)
{
	struct list_query q = {.a = a, .kind = k, .region = "r1", .page = page, .spec = s};
	struct sign_context ctx = {.now = 1700000000, .nonce = "n-1"};

	*err = NULL;
	return provider_lister(a->provider, k)->build(&q, &cred, &ctx, r, err);
}

static void parse_body(const struct account *a, enum service_kind k, long page,
                       const struct discover_spec *s, long status, const char *body,
                       struct list_page *out)
{
	struct list_query q = {.a = a, .kind = k, .region = "r1", .page = page, .spec = s};
	struct http_response resp = {.status = status, .body = body, .body_len = strlen(body)};

	list_page_init(out);
	provider_lister(a->provider, k)->parse(&q, &resp, out);
}

static void parse_file(const struct account *a, enum service_kind k, const char *file,
                       const struct discover_spec *s, struct list_page *out)
{
	char *body = fixture_read(file, NULL);

	parse_body(a, k, 0, s, 200, body, out);
	free(body);
}

static const char *tag(const struct found_instance *it, const char *key)
{
	for (size_t i = 0; i < it->n_tags; i++)
		if (strcmp(it->tags[i].key, key) == 0)
			return it->tags[i].value;
	return NULL;
}

static void test_table(void)
{
	static const struct {
		enum provider_kind cloud;
		enum service_kind kind;
		const char *action;
		long size;
	} rows[] = {
		{PROVIDER_TENCENT, SERVICE_MYSQL, "DescribeDBInstances", 2000},
		{PROVIDER_TENCENT, SERVICE_MONGODB, "DescribeDBInstances", 100},
		{PROVIDER_TENCENT, SERVICE_SQLSERVER, "DescribeDBInstances", 100},
		{PROVIDER_HUAWEI, SERVICE_RDS, "rds.instances.list", 100},
		{PROVIDER_ALIBABA, SERVICE_RDS, "DescribeDBInstances", 100},
		{PROVIDER_ALIBABA, SERVICE_POLARDB, "DescribeDBClusters", 100},
		{PROVIDER_ALIBABA, SERVICE_MONGODB, "DescribeDBInstances", 100},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct provider_lister *l = provider_lister(rows[i].cloud, rows[i].kind);
		ok(l && strcmp(l->action, rows[i].action) == 0 && l->page_size == rows[i].size,
		   "%s %s: %s, pages of %ld", provider_for(rows[i].cloud)->name,
		   service_kind_name(rows[i].kind), rows[i].action, rows[i].size);
	}
}

static void test_tencent_requests(void)
{
	struct account tc = make_account(PROVIDER_TENCENT);
	struct http_request r;
	char *err;

	ok(build(&tc, SERVICE_MYSQL, 1, &spec, &r, &err) == 0, "cdb request");
	ok(strstr(r.body, "\"Limit\":2000,\"Offset\":2000") != NULL, "cdb: a record offset: %s", r.body);
	ok(strstr(r.body, "\"Tags\":[{\"Key\":\"team\",\"Value\":\"pay\"},{\"Key\":\"env\",\"Value\":\"prod\"}]") != NULL,
	   "cdb: tags as Tags [{Key, Value}]");
	is_str(http_request_header(&r, "X-TC-Version"), "2017-03-20", "cdb version");
	ok(strstr(http_request_header(&r, "Authorization"), "/cdb/tc3_request") != NULL, "cdb signing scope");
	ok(strstr(r.url, "://127.0.0.1:1") != NULL, "the account's endpoint");
	http_request_free(&r);

	ok(build(&tc, SERVICE_MONGODB, 2, &spec, &r, &err) == 0, "mongodb request");
	ok(strstr(r.body, "\"Limit\":100,\"Offset\":200") != NULL, "mongodb: a record offset: %s", r.body);
	ok(strstr(r.body, "\"Tags\":[{\"TagKey\":\"team\",\"TagValue\":\"pay\"}") != NULL,
	   "mongodb: tags as Tags [{TagKey, TagValue}]");
	is_str(http_request_header(&r, "X-TC-Version"), "2019-07-25", "mongodb version");
	ok(strstr(http_request_header(&r, "Authorization"), "/mongodb/tc3_request") != NULL,
	   "mongodb signing scope");
	http_request_free(&r);

	ok(build(&tc, SERVICE_SQLSERVER, 2, &spec, &r, &err) == 0, "sqlserver request");
	ok(strstr(r.body, "\"Limit\":100,\"Offset\":2") != NULL, "sqlserver: Offset a page number: %s", r.body);
	ok(strstr(r.body, "\"TagKeys\":[\"team\",\"env\"]") != NULL, "sqlserver: tag keys as TagKeys");
	is_str(http_request_header(&r, "X-TC-Version"), "2018-03-28", "sqlserver version");
	is_str(r.action, "DescribeDBInstances", "paced as DescribeDBInstances");
	http_request_free(&r);
}

static void test_other_requests(void)
{
	struct account hw = make_account(PROVIDER_HUAWEI);
	struct account ali = make_account(PROVIDER_ALIBABA);
	struct discover_tag six[6] = {{(char *)"a", (char *)"1"}, {(char *)"b", (char *)"2"},
	                              {(char *)"c", (char *)"3"}, {(char *)"d", (char *)"4"},
	                              {(char *)"e", (char *)"5"}, {(char *)"f", (char *)"6"}};
	struct discover_spec many = {.tags = six, .n_tags = 6};
	struct http_request r;
	char *err;

	ok(build(&hw, SERVICE_RDS, 1, &spec, &r, &err) == 0, "Huawei RDS request");
	ok(strstr(r.url, "/v3/proj0/instances?") && strstr(r.url, "limit=100") && strstr(r.url, "offset=100"),
	   "Huawei RDS: v3 path, offset in records: %s", r.url);
	ok(strstr(r.url, "tags=team%3Dpay%2Cenv%3Dprod") != NULL, "Huawei RDS tags query");
	is_str(r.method, "GET", "GET");
	http_request_free(&r);

	ok(build(&ali, SERVICE_RDS, 0, &spec, &r, &err) == 0, "Alibaba RDS request");
	ok(strstr(r.url, "Action=DescribeDBInstances") && strstr(r.url, "Version=2014-08-15") &&
	   strstr(r.url, "PageNumber=1") && strstr(r.url, "PageSize=100"), "RDS: version and paging: %s", r.url);
	ok(strstr(r.url, "Tag.1.key=team") && strstr(r.url, "Tag.2.value=prod"), "RDS: Tag.N.key/value");
	http_request_free(&r);
	ok(build(&ali, SERVICE_RDS, 0, &many, &r, &err) == -1 && err && strstr(err, "at most 5 tags"),
	   "RDS: more than 5 tag filters is refused before asking: %s", err ? err : "");
	free(err);

	ok(build(&ali, SERVICE_POLARDB, 2, &many, &r, &err) == 0, "PolarDB request");
	ok(strstr(r.url, "Action=DescribeDBClusters") && strstr(r.url, "Version=2017-08-01") &&
	   strstr(r.url, "PageNumber=3") && strstr(r.url, "Tag.6.Key=f"), "PolarDB: %s", r.url);
	http_request_free(&r);

	ok(build(&ali, SERVICE_MONGODB, 0, &spec, &r, &err) == 0, "dds request");
	ok(strstr(r.url, "Action=DescribeDBInstances") && strstr(r.url, "Version=2015-12-01") &&
	   strstr(r.url, "Tag.1.Key=team"), "dds: %s", r.url);
	http_request_free(&r);

	ok(build(&ali, SERVICE_RDS, 0, NULL, &r, &err) == 0 && !strstr(r.url, "DBInstanceType"),
	   "RDS asks every instance type (no DBInstanceType)");
	http_request_free(&r);
}

/* dds: replica sets (DBInstanceType=replicate) page by page, then sharded
 * clusters (sharding) page by page, in one listing. */
static void test_dds_passes(void)
{
	struct account ali = make_account(PROVIDER_ALIBABA);
	const long shard0 = 1000000;   /* listing_alibaba.c's PASS_PAGES */
	struct http_request r;
	struct list_page p;
	char *err;

	ok(build(&ali, SERVICE_MONGODB, 0, NULL, &r, &err) == 0 &&
	   strstr(r.url, "DBInstanceType=replicate") && strstr(r.url, "PageNumber=1&"),
	   "dds page 0: replica sets, PageNumber 1");
	http_request_free(&r);
	ok(build(&ali, SERVICE_MONGODB, 1, NULL, &r, &err) == 0 &&
	   strstr(r.url, "DBInstanceType=replicate") && strstr(r.url, "PageNumber=2&"),
	   "dds page 1: replica sets, PageNumber 2");
	http_request_free(&r);
	ok(build(&ali, SERVICE_MONGODB, shard0, NULL, &r, &err) == 0 &&
	   strstr(r.url, "DBInstanceType=sharding") && strstr(r.url, "PageNumber=1&"),
	   "dds second pass: sharded clusters from PageNumber 1");
	http_request_free(&r);
	ok(build(&ali, SERVICE_MONGODB, shard0 + 1, NULL, &r, &err) == 0 &&
	   strstr(r.url, "DBInstanceType=sharding") && strstr(r.url, "PageNumber=2&"),
	   "dds second pass, its page 2");
	http_request_free(&r);
	int rc = build(&ali, SERVICE_MONGODB, 2 * shard0, NULL, &r, &err);
	ok(rc == -1 && err && strstr(err, "no page"), "no third pass: %s", err ? err : "");
	free(err);

	/* 150 replica sets and 101 sharded clusters: 2 + 2 pages of 100. */
	static const struct {
		long page, total;
		size_t n;
		long next, last;
		const char *what;
	} seq[] = {
		{0, 150, 100, 1, 1, "replica sets page 1 of 2: next page 2"},
		{1, 150, 50, 1000000, 1, "replica sets page 2 of 2: next the sharded clusters' page 1"},
		{1000000, 101, 100, 1000001, 1000001, "sharded clusters page 1 of 2: next page 2"},
		{1000001, 101, 1, -1, 1000001, "sharded clusters page 2 of 2: done"},
		{0, 0, 0, 1000000, 0, "no replica set: straight to the sharded clusters"},
		{1000000, 0, 0, -1, 1000000, "no sharded cluster: done"},
	};
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct strbuf b = STRBUF_INIT;
		strbuf_addf(&b, "{\"RequestId\":\"r\",\"PageNumber\":%ld,\"TotalCount\":%ld,"
		            "\"DBInstances\":{\"DBInstance\":[", seq[i].page % shard0 + 1, seq[i].total);
		for (size_t k = 0; k < seq[i].n; k++)
			strbuf_addf(&b, "%s{\"DBInstanceId\":\"dds-%zu\",\"RegionId\":\"r1\"}", k ? "," : "", k);
		strbuf_addf(&b, "]}}");
		parse_body(&ali, SERVICE_MONGODB, seq[i].page, NULL, 200, strbuf_str(&b), &p);
		ok(p.ok && p.n_items == seq[i].n && p.next == seq[i].next && p.last == seq[i].last,
		   "%s (next %ld, last of the pass %ld)", seq[i].what, p.next, p.last);
		list_page_free(&p);
		strbuf_free(&b);
	}
}

/* One instance as a documented example lists it. */
struct want {
	const char *id, *name, *region, *host, *ip;
	int port;
	const char *engine;
	const char *tag_key, *tag_value;   /* NULL: the instance has no tags */
};

static void check_item(const char *file, const struct found_instance *it, const struct want *w)
{
	char n[512];

#define NAME(what) (snprintf(n, sizeof(n), "%s %s: %s", file, w->id, what), n)
	is_str(it->id, w->id, NAME("id"));
	is_str(it->name, w->name, NAME("name"));
	is_str(it->region, w->region, NAME("region"));
	is_str(it->addr.host, w->host, NAME("host"));
	is_str(it->addr.ip, w->ip, NAME("ip"));
	is_int(it->addr.port, w->port, NAME("port"));
	is_str(it->engine, w->engine, NAME("engine"));
	if (w->tag_key)
		ok(it->n_tags == 1 && strcmp(it->tags[0].key, w->tag_key) == 0 &&
		   strcmp(it->tags[0].value, w->tag_value) == 0, "%s %s: tag %s=%s", file, w->id,
		   w->tag_key, w->tag_value);
	else
		is_int((long long)it->n_tags, 0, NAME("no tags"));
#undef NAME
}

/* Every documented example answer of the seven list calls, verbatim
 * (tests/data/api/README names each page). Tencent lists no engine name
 * (the product is the engine), nor do PolarDB's and dds's examples an
 * address (their status calls give it). */
static void test_documented(void)
{
	struct account tc = make_account(PROVIDER_TENCENT);
	struct account hw = make_account(PROVIDER_HUAWEI);
	struct account ali = make_account(PROVIDER_ALIBABA);
	static const struct {
		enum provider_kind cloud;
		enum service_kind kind;
		const char *file;
		long total, next;
		const char *request_id;
		size_t n;
		struct want items[2];
	} ex[] = {
		{PROVIDER_TENCENT, SERVICE_MYSQL, "tencent-cdb-DescribeDBInstances-example-intl.json", 1, -1,
		 "97939db3-ef94-4a60-9b64-2a1f4e2f1ea3", 1,
		 {{"cdn-ahend", "cdbandy", "ap-beijing", "13.1.1.1", "13.1.1.1", 3306, NULL, "name", "andy"}}},
		{PROVIDER_TENCENT, SERVICE_MYSQL, "tencent-cdb-DescribeDBInstances-example-cn.json", 1, -1,
		 "97939db3-ef94-4a60-9b64-2a1f4e2f1ea3", 1,
		 {{"cdn-ahend", "cdbandy", "ap-beijing", "13.1.1.1", "13.1.1.1", 3306, NULL, "name", "andy"}}},
		/* Vip "10.5.2.12;10.5.2.14;10.5.2.10": the first node's address */
		{PROVIDER_TENCENT, SERVICE_MONGODB, "tencent-mongodb-DescribeDBInstances-example-intl.json", 1, -1,
		 "230c9c0e-a56f-4639-81ee-3cb46905c087", 1,
		 {{"cmgo-3vgr****", "Test instance", "ap-guangzhou", "10.5.2.12", "10.5.2.12", 27017, NULL,
		   NULL, NULL}}},
		{PROVIDER_TENCENT, SERVICE_MONGODB, "tencent-mongodb-DescribeDBInstances-example-cn.json", 1, -1,
		 "230c9c0e-a56f-4639-81ee-3cb46905c087", 1,
		 {{"cmgo-3vgr****", "\xe6\xb5\x8b\xe8\xaf\x95\xe5\xae\x9e\xe4\xbe\x8b", "ap-guangzhou",
		   "10.5.2.12", "10.5.2.12", 27017, NULL, NULL, NULL}}},
		/* ResourceTags null */
		{PROVIDER_TENCENT, SERVICE_SQLSERVER, "tencent-sqlserver-DescribeDBInstances-example-cn.json", 1, -1,
		 "eca79e80-7c7a-11ef-95d0-525400853186", 1,
		 {{"mssql-25psend9", "ac9488be-9cd7-4db9-93f0-d698795833db", "ap-guangzhou", "172.16.64.6",
		   "172.16.64.6", 1433, NULL, NULL, NULL}}},
		/* RDS lists no tags: the query's are carried (spec below) */
		{PROVIDER_ALIBABA, SERVICE_RDS, "alibaba-rds-DescribeDBInstances-example.json", 100, -1,
		 "1AD222E9-E606-4A42-BF6D-8A4442913CEF", 1,
		 {{"rm-uf6wjk5****", "testdb", "cn-hangzhou", "rm-uf6wjk5****.mysql.rds.aliyuncs.com", NULL, -1,
		   "MySQL", "team", "pay"}}},
		{PROVIDER_ALIBABA, SERVICE_POLARDB, "alibaba-polardb-DescribeDBClusters-example.json", 16, -1,
		 "9B7BFB11-C077-4FE3-B051-F69CEB******", 1,
		 {{"pc-****************", "GDN-1", "cn-hangzhou", NULL, NULL, -1, "MySQL", "MySQL", "5.6"}}},
		/* a sharded cluster, read on the replica-set pass: next the sharding pass */
		{PROVIDER_ALIBABA, SERVICE_MONGODB, "alibaba-mongodb-DescribeDBInstances-example.json", 5, 1000000,
		 "0E4FE33F-5510-5758-8FA7-A6672CDE****", 1,
		 {{"dds-bp18b0934e70****", "\xe6\xb5\x8b\xe8\xaf\x95\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93",
		   "cn-hangzhou", NULL, NULL, -1, NULL, "test", "api"}}},
		{PROVIDER_ALIBABA, SERVICE_MONGODB, "alibaba-mongodb-DescribeDBInstances-example-2021.json", 1,
		 1000000, "D1FF92B8-3714-4182-BA0B-D04F917F0463", 1,
		 {{"dds-bpxxxxxxxx", "testdata", "cn-hangzhou", NULL, NULL, -1, NULL, NULL, NULL}}},
		/* private_dns_names []: the private IP is the host; tags [] */
		{PROVIDER_HUAWEI, SERVICE_RDS, "huawei-rds-ListInstances-example-filtered.json", 1, -1, NULL, 1,
		 {{"ed7cc6166ec24360a5ed5c5c9c2ed726in01", "mysql-0820-022709-01", "eu-de", "192.168.0.142",
		   "192.168.0.142", 3306, "MySQL", NULL, NULL}}},
		{PROVIDER_HUAWEI, SERVICE_RDS, "huawei-rds-ListInstances-example-all.json", 2, -1, NULL, 2,
		 {{"ed7cc6166ec24360a5ed5c5c9c2ed726in01", "mysql-0820-022709-01", "eu-de", "192.168.0.142",
		   "192.168.0.142", 3306, "MySQL", NULL, NULL},
		  {"ed7cc6166ec24360a5ed5c5c9c2ed726in02", "mysql-0820-022709-02", "eu-de", "192.168.0.142",
		   "192.168.0.142", 3306, "MySQL", NULL, NULL}}},
	};
	static struct discover_tag one[] = {{(char *)"team", (char *)"pay"}};
	static struct discover_spec rds_spec = {.tags = one, .n_tags = 1};
	struct list_page p;
	char path[256];

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		const struct account *a = ex[i].cloud == PROVIDER_TENCENT ? &tc
		                        : ex[i].cloud == PROVIDER_HUAWEI ? &hw : &ali;
		snprintf(path, sizeof(path), "data/api/%s", ex[i].file);
		parse_file(a, ex[i].kind, path, ex[i].kind == SERVICE_RDS && a == &ali ? &rds_spec : NULL, &p);
		ok(p.ok && p.total == ex[i].total && p.n_items == ex[i].n && p.next == ex[i].next,
		   "%s: %zu of %ld, next %ld", ex[i].file, p.n_items, p.total, p.next);
		if (ex[i].request_id)
			ok(p.r.request_id && strcmp(p.r.request_id, ex[i].request_id) == 0, "%s: RequestId",
			   ex[i].file);
		for (size_t k = 0; k < ex[i].n && k < p.n_items; k++)
			check_item(ex[i].file, &p.items[k], &ex[i].items[k]);
		list_page_free(&p);
	}

	/* The intl SQL Server example is published without the comma after
	 * "Zone": it is refused whole, never half read. */
	parse_file(&tc, SERVICE_SQLSERVER, "data/api/tencent-sqlserver-DescribeDBInstances-example-intl.json",
	           NULL, &p);
	ok(!p.ok && p.n_items == 0 && p.r.state == STATE_ERROR && p.r.error,
	   "SQL Server intl example (not JSON as published): refused, %s",
	   p.r.error ? p.r.error->code : "no error");
	list_page_free(&p);
}

static void test_examples(void)
{
	struct account tc = make_account(PROVIDER_TENCENT);
	struct account hw = make_account(PROVIDER_HUAWEI);
	struct account ali = make_account(PROVIDER_ALIBABA);
	struct list_page p;

	parse_file(&tc, SERVICE_MYSQL, "data/listing/tencent-mysql.json", NULL, &p);
	ok(p.ok && p.total == 3 && p.n_items == 2, "cdb example: 2 of 3");
	is_str(p.items[0].id, "cdb-3kwa3gfj", "cdb InstanceId");
	is_str(p.items[0].name, "orders-db", "cdb InstanceName");
	is_str(p.items[0].addr.host, "10.0.0.12", "cdb Vip");
	is_int(p.items[0].addr.port, 3306, "cdb Vport");
	is_str(tag(&p.items[0], "team"), "payments", "cdb TagList");
	ok(p.items[1].n_tags == 0 && strcmp(p.items[1].name, "") == 0, "TagList null: no tags; no name");
	is_str(p.r.request_id, "6a2f2d5e-3b51-4c27-9c2a-7e1b6f1f0a01", "RequestId kept");
	list_page_free(&p);

	parse_file(&tc, SERVICE_MONGODB, "data/listing/tencent-mongodb.json", NULL, &p);
	ok(p.ok && p.total == 1 && p.n_items == 1 && p.next == -1, "mongodb example");
	ok(strcmp(p.items[0].addr.host, "10.0.0.20") == 0 && p.items[0].addr.port == 27017, "mongodb Vip:Vport");
	is_str(tag(&p.items[0], "env"), "prod", "mongodb Tags");
	is_str(p.items[0].region, "ap-guangzhou", "mongodb Region");
	list_page_free(&p);

	parse_file(&tc, SERVICE_SQLSERVER, "data/listing/tencent-sqlserver.json", NULL, &p);
	ok(p.ok && p.total == 250 && p.next == 1, "sqlserver example: more pages");
	is_str(p.items[0].name, "erp", "sqlserver Name");
	ok(p.items[0].addr.port == 1433 && strcmp(tag(&p.items[0], "team"), "finance") == 0,
	   "sqlserver Vport and ResourceTags");
	list_page_free(&p);

	parse_file(&hw, SERVICE_RDS, "data/listing/huawei-rds.json", NULL, &p);
	ok(p.ok && p.total == 150 && p.n_items == 2 && p.next == 1, "Huawei RDS example: page 1 of 2");
	is_str(p.items[0].addr.host,
	       "ed7cc6166ec24360a5ed5c5c9c2ed726in01.internal.eu-de.mysql.rds.myhuaweicloud.com",
	       "Huawei RDS host: the private DNS name");
	is_str(p.items[0].addr.ip, "192.168.0.142", "Huawei RDS private ip");
	is_int(p.items[0].addr.port, 3306, "Huawei RDS port");
	is_str(p.items[0].engine, "MySQL", "Huawei RDS datastore.type");
	is_str(p.items[1].addr.host, "192.168.0.7", "no DNS name: the ip");
	is_str(p.items[1].engine, "PostgreSQL", "PostgreSQL engine");
	is_str(tag(&p.items[0], "team"), "payments", "Huawei RDS tags");
	list_page_free(&p);

	parse_file(&ali, SERVICE_RDS, "data/listing/alibaba-rds.json", &spec, &p);
	ok(p.ok && p.total == 2 && p.n_items == 2 && p.next == -1, "Alibaba RDS example");
	is_str(p.items[0].name, "orders", "RDS DBInstanceDescription is the name");
	is_str(p.items[0].addr.host, "rm-uf6wjk5xxxxxxxxxx.mysql.rds.aliyuncs.com", "RDS ConnectionString");
	is_int(p.items[0].addr.port, -1, "RDS lists no port");
	is_str(p.items[0].engine, "MySQL", "RDS Engine MySQL");
	is_str(p.items[1].engine, "PostgreSQL", "RDS Engine PostgreSQL");
	is_str(tag(&p.items[1], "env"), "prod", "RDS shows no tags: the filtered ones are carried");
	list_page_free(&p);

	parse_file(&ali, SERVICE_POLARDB, "data/listing/alibaba-polardb.json", NULL, &p);
	ok(p.ok && p.total == 31 && p.n_items == 1, "PolarDB example");
	is_str(p.items[0].id, "pc-bp1s826a1up******", "DBClusterId");
	is_str(p.items[0].engine, "MySQL", "PolarDB DBType");
	ok(p.items[0].addr.host == NULL && strcmp(tag(&p.items[0], "team"), "billing") == 0,
	   "PolarDB: no address listed, Tags.Tag");
	list_page_free(&p);

	parse_file(&ali, SERVICE_MONGODB, "data/listing/alibaba-mongodb.json", NULL, &p);
	ok(p.ok && p.total == 1 && p.n_items == 1, "dds example");
	is_str(p.items[0].name, "events", "dds DBInstanceDescription");
	is_str(tag(&p.items[0], "env"), "prod", "dds Tags.Tag");
	is_str(p.items[0].region, "cn-hangzhou", "dds RegionId");
	list_page_free(&p);
}

static void test_bad_and_errors(void)
{
	struct account tc = make_account(PROVIDER_TENCENT);
	struct account hw = make_account(PROVIDER_HUAWEI);
	struct account ali = make_account(PROVIDER_ALIBABA);
	struct list_page p;

	parse_body(&tc, SERVICE_MYSQL, 0, NULL, 200, "{\"Response\":{\"Items\":[],\"RequestId\":\"x\"}}", &p);
	ok(!p.ok && p.r.error && strstr(p.r.error->message, "TotalCount"), "cdb: no TotalCount");
	list_page_free(&p);
	parse_body(&tc, SERVICE_SQLSERVER, 0, NULL, 200,
	           "{\"Response\":{\"TotalCount\":1,\"DBInstances\":[{\"Name\":\"x\"}]}}", &p);
	ok(!p.ok && p.r.error && strstr(p.r.error->message, "DBInstances[0].InstanceId"),
	   "sqlserver: an instance without an id");
	list_page_free(&p);
	parse_body(&tc, SERVICE_MONGODB, 0, NULL, 200, "{\"Response\":{\"TotalCount\":1,\"InstanceDetails\":{}}}", &p);
	ok(!p.ok && p.r.error && strstr(p.r.error->message, "expected array"), "mongodb: not an array");
	list_page_free(&p);
	/* counted instances and no array: broken, never an empty last page */
	parse_body(&tc, SERVICE_MONGODB, 0, NULL, 200, "{\"Response\":{\"TotalCount\":3}}", &p);
	ok(!p.ok && p.r.error && strstr(p.r.error->message, "InstanceDetails: missing"),
	   "mongodb: a count without the array is an invalid answer");
	list_page_free(&p);
	parse_body(&tc, SERVICE_MONGODB, 0, NULL, 200, "{\"Response\":{\"TotalCount\":0}}", &p);
	ok(p.ok && p.n_items == 0, "mongodb: no array and a count of 0 is an empty listing");
	list_page_free(&p);
	parse_body(&hw, SERVICE_RDS, 0, NULL, 200, "{\"instances\":[], \"total_count\":-1}", &p);
	ok(!p.ok && p.r.error && strstr(p.r.error->message, "total_count"), "Huawei RDS: a bad total");
	list_page_free(&p);
	parse_body(&ali, SERVICE_POLARDB, 0, NULL, 200, "{\"TotalRecordCount\":1,\"Items\":[]}", &p);
	ok(!p.ok && p.r.error && strstr(p.r.error->message, "Items: expected object"), "PolarDB: Items not an object");
	list_page_free(&p);
	parse_body(&ali, SERVICE_RDS, 0, NULL, 200, "{\"TotalRecordCount\":1,", &p);
	ok(!p.ok && p.r.state == STATE_ERROR, "RDS: not JSON");
	list_page_free(&p);

	/* Each product's refusal and throttling: auth errors fail the page at
	 * once, throttling is retried. */
	static const struct {
		enum provider_kind cloud;
		enum service_kind kind;
		long status;
		const char *code;
		bool auth;
	} errs[] = {
		{PROVIDER_TENCENT, SERVICE_MYSQL, 200, "OperationDenied.UserHasNoStrategy", true},
		{PROVIDER_TENCENT, SERVICE_MONGODB, 200, "InvalidParameter.PermissionDenied", true},
		{PROVIDER_TENCENT, SERVICE_MONGODB, 200, "LimitExceeded.TooManyRequests", false},
		{PROVIDER_TENCENT, SERVICE_SQLSERVER, 200, "UnauthorizedOperation.PermissionDenied", true},
		{PROVIDER_TENCENT, SERVICE_SQLSERVER, 200, "RequestLimitExceeded", false},
		{PROVIDER_HUAWEI, SERVICE_RDS, 403, "DBS.200010", true},
		{PROVIDER_HUAWEI, SERVICE_RDS, 429, "APIGW.0308", false},
		{PROVIDER_ALIBABA, SERVICE_POLARDB, 403, "Forbidden.RAM", true},
		{PROVIDER_ALIBABA, SERVICE_MONGODB, 503, "Throttling.User", false},
	};
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct account a = make_account(errs[i].cloud);
		char *body;
		if (errs[i].cloud == PROVIDER_TENCENT)
			body = xasprintf("{\"Response\":{\"Error\":{\"Code\":\"%s\",\"Message\":\"m\"},"
			                 "\"RequestId\":\"r\"}}", errs[i].code);
		else if (errs[i].cloud == PROVIDER_HUAWEI)
			body = xasprintf("{\"%s\":\"%s\",\"error_msg\":\"m\"}",
			                 errs[i].status == 429 ? "errorCode" : "error_code", errs[i].code);
		else
			body = xasprintf("{\"RequestId\":\"r\",\"Code\":\"%s\",\"Message\":\"m\"}", errs[i].code);
		parse_body(&a, errs[i].kind, 0, NULL, errs[i].status, body, &p);
		if (errs[i].auth)
			ok(!p.ok && p.r.state == STATE_AUTH_ERROR && !p.r.retry, "%s %s %s: auth error, not retried",
			   a.ops->name, service_kind_name(errs[i].kind), errs[i].code);
		else
			ok(!p.ok && p.r.throttled && p.r.retry, "%s %s %s: throttled, retried", a.ops->name,
			   service_kind_name(errs[i].kind), errs[i].code);
		list_page_free(&p);
		free(body);
	}
}

int main(void)
{
	test_table();
	test_tencent_requests();
	test_other_requests();
	test_dds_passes();
	test_documented();
	test_examples();
	test_bad_and_errors();
	return done_testing();
}
