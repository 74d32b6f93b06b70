/* The one protocol mapping (providers/protocol.c) for every services.def
 * row, and what reads it: the engine's probe protocol (engine/probes.c,
 * "mariadb" speaks MySQL, no protocol never falls back to another), the
 * fleet's protocol_of as config_load installs it, the connect line, the
 * "not probed" note and that it never changes the verdict's status. */
#include "tap.h"
#include "providers/protocol.h"
#include "engine/probes.h"
#include "core/connect.h"
#include "core/verdict.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SQLSERVER_WHY "SQL Server wraps TLS in TDS pre-login"

/* One case: the answer an instance last got (provider_status, address
 * host) and the protocol, or the words of why there is none. */
struct pcase {
	enum provider_kind cloud;
	enum service_kind kind;
	const char *status;    /* provider_status JSON, or NULL */
	const char *host;      /* st.addr.host, or NULL */
	const char *proto;     /* NULL: none */
	const char *why;       /* a part of *why when proto is NULL */
	const char *listed;    /* the engine the listing named, or NULL */
};

static const struct pcase cases[] = {
	{PROVIDER_TENCENT, SERVICE_REDIS, NULL, NULL, "redis", NULL, NULL},
	{PROVIDER_TENCENT, SERVICE_POSTGRES, NULL, NULL, "postgres", NULL, NULL},
	{PROVIDER_HUAWEI, SERVICE_DCS, NULL, NULL, "dcs", NULL, NULL},
	{PROVIDER_ALIBABA, SERVICE_REDIS, NULL, NULL, "redis", NULL, NULL},
	{PROVIDER_TENCENT, SERVICE_MYSQL, "{\"Status\":\"ON\"}", NULL, "mysql", NULL, NULL},
	{PROVIDER_TENCENT, SERVICE_MONGODB, NULL, NULL, "mongodb", NULL, NULL},
	{PROVIDER_TENCENT, SERVICE_SQLSERVER, NULL, NULL, NULL, SQLSERVER_WHY, NULL},
	{PROVIDER_TENCENT, SERVICE_SQLSERVER, "{\"SSLConfig\":{\"Encryption\":\"enable\"}}", "10.0.0.9",
	 NULL, SQLSERVER_WHY, NULL},
	{PROVIDER_ALIBABA, SERVICE_RDS, NULL, NULL, NULL, "engine unknown", NULL},
	{PROVIDER_ALIBABA, SERVICE_RDS, "{\"SSLEnabled\":\"Yes\"}", "rm-1.mysql.rds.aliyuncs.com", "mysql", NULL, NULL},
	{PROVIDER_ALIBABA, SERVICE_RDS, "{\"SSLEnabled\":\"Yes\"}", "rm-1.mariadb.rds.aliyuncs.com", "mariadb", NULL, NULL},
	{PROVIDER_ALIBABA, SERVICE_RDS, "{\"SSLEnabled\":\"on\"}", "pgm-1.pg.rds.aliyuncs.com", "postgres", NULL, NULL},
	{PROVIDER_ALIBABA, SERVICE_RDS, "{\"SSLEnabled\":\"Yes\"}", "rm-1.sqlserver.rds.aliyuncs.com",
	 NULL, SQLSERVER_WHY, NULL},
	{PROVIDER_ALIBABA, SERVICE_RDS, "{\"SSLEnabled\":\"Yes\"}", NULL, NULL, "engine unknown", NULL},
	{PROVIDER_ALIBABA, SERVICE_POLARDB, NULL, "pc-1-0.mysql.polardb.rds.aliyuncs.com", "mysql", NULL, NULL},
	{PROVIDER_ALIBABA, SERVICE_POLARDB, NULL, "pc-1.o.polardb.rds.aliyuncs.com", NULL, "engine unknown", NULL},
	{PROVIDER_ALIBABA, SERVICE_MONGODB, NULL, NULL, "mongodb", NULL, NULL},
	{PROVIDER_HUAWEI, SERVICE_RDS, NULL, NULL, NULL, "engine unknown", NULL},
	{PROVIDER_HUAWEI, SERVICE_RDS, "{\"datastore\":{\"type\":\"MySQL\"}}", NULL, "mysql", NULL, NULL},
	{PROVIDER_HUAWEI, SERVICE_RDS, "{\"datastore\":{\"type\":\"MariaDB\"}}", NULL, "mariadb", NULL, NULL},
	{PROVIDER_HUAWEI, SERVICE_RDS, "{\"datastore\":{\"type\":\"PostgreSQL\"}}", NULL, "postgres", NULL, NULL},
	{PROVIDER_HUAWEI, SERVICE_RDS, "{\"datastore\":{\"type\":\"SQLServer\"}}", NULL, NULL, SQLSERVER_WHY, NULL},
	{PROVIDER_HUAWEI, SERVICE_RDS, "{\"datastore\":{\"type\":\"GaussDB\"}}", NULL, NULL, "engine unknown", NULL},
	/* discovered: the listing's engine decides before any answer, and
	 * over the endpoint's hint */
	{PROVIDER_ALIBABA, SERVICE_RDS, NULL, NULL, "mysql", NULL, "MySQL"},
	{PROVIDER_ALIBABA, SERVICE_RDS, NULL, NULL, "postgres", NULL, "PostgreSQL"},
	{PROVIDER_ALIBABA, SERVICE_RDS, NULL, NULL, "mariadb", NULL, "MariaDB"},
	{PROVIDER_ALIBABA, SERVICE_RDS, "{\"SSLEnabled\":\"Yes\"}", "rm-1.mysql.rds.aliyuncs.com", NULL,
	 SQLSERVER_WHY, "SQLServer"},
	{PROVIDER_ALIBABA, SERVICE_POLARDB, NULL, NULL, "mysql", NULL, "MySQL"},
	{PROVIDER_ALIBABA, SERVICE_POLARDB, NULL, NULL, "postgres", NULL, "PostgreSQL"},
	{PROVIDER_ALIBABA, SERVICE_POLARDB, NULL, "pc-1.o.polardb.rds.aliyuncs.com", "postgres", NULL, "Oracle"},
	{PROVIDER_HUAWEI, SERVICE_RDS, NULL, NULL, "mysql", NULL, "MySQL"},
	{PROVIDER_HUAWEI, SERVICE_RDS, NULL, NULL, NULL, SQLSERVER_WHY, "SQLServer"},
	{PROVIDER_HUAWEI, SERVICE_RDS, "{\"datastore\":{\"type\":\"PostgreSQL\"}}", NULL, "postgres", NULL,
	 "MySQL"},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static struct account A;
static struct instance I;

static void setup(const struct pcase *c)
{
	cJSON_Delete(I.st.provider_status);
	free(I.st.addr.host);
	free(I.listed_engine);
	memset(&A, 0, sizeof(A));
	memset(&I, 0, sizeof(I));
	A.name = "acct";
	A.provider = c->cloud;
	A.probe = -1;
	I.name = "db";
	I.account = &A;
	I.service = c->kind;
	I.probe = -1;
	I.port = -1;
	I.probe_port = -1;
	I.st.addr.port = -1;
	I.st.provider_status = c->status ? cJSON_Parse(c->status) : NULL;
	I.st.addr.host = c->host ? xstrdup(c->host) : NULL;
	I.listed_engine = c->listed ? xstrdup(c->listed) : NULL;
}

static void test_every_row(void)
{
	static const struct { enum provider_kind cloud; enum service_kind kind; } rows[] = {
#define KIND(id, name)
#define SERVICE(cloud, kind, status, list, link, signing, version, host) \
	{PROVIDER_##cloud, SERVICE_##kind},
#include "providers/services.def"
#undef SERVICE
#undef KIND
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		size_t n = 0;
		for (size_t i = 0; i < N_CASES; i++)
			n += cases[i].cloud == rows[r].cloud && cases[i].kind == rows[r].kind;
		ok(n > 0, "services.def row %s %s has a protocol case here",
		   provider_kind_name(rows[r].cloud), service_kind_name(rows[r].kind));
	}
	for (size_t i = 0; i < N_CASES; i++) {
		const struct pcase *c = &cases[i];
		const char *why = "unset";
		char name[200];

		setup(c);
		snprintf(name, sizeof(name), "%s %s %s %s%s%s: %s", provider_kind_name(c->cloud),
		         service_kind_name(c->kind), c->status ? c->status : "(no answer)",
		         c->host ? c->host : "-", c->listed ? " listed " : "", c->listed ? c->listed : "",
		         c->proto ? c->proto : "none");
		is_str(provider_protocol(&I, &why), c->proto, name);
		if (c->proto)
			ok(why == NULL, "  why is NULL when there is a protocol");
		else
			ok(why && strstr(why, c->why), "  why: %s", why ? why : "(null)");
		ok(provider_protocol(&I, NULL) == provider_protocol(&I, &why), "  why may be NULL");

		/* the engine's choice: the same, "mariadb" as MySQL, never another */
		enum probe_proto p = PROBE_PROTO_COUNT;
		bool has = probes_protocol(&I, &p);
		ok(has == (c->proto != NULL), "  the engine probes it: %s", has ? "yes" : "no");
		if (c->proto)
			is_str(probe_proto_name(p), strcmp(c->proto, "mariadb") == 0 ? "mysql" : c->proto,
			       "  probe protocol");
		else
			ok(p == PROBE_PROTO_COUNT, "  no probe protocol chosen");
	}
}

/* The fleet as config_load leaves it: protocol_of installed. */
static void test_fleet_readers(void)
{
	struct fleet f = {0};
	const char *why = "unset";
	char *line;

	f.settings.probe = true;
	setup(&(struct pcase){PROVIDER_TENCENT, SERVICE_SQLSERVER, NULL, "10.0.0.9", NULL, NULL, NULL});
	I.st.addr.port = 1433;
	I.st.state = STATE_ENABLED;
	ok(instance_protocol(&f, &I, &why) == NULL && why == NULL,
	   "no protocol_of installed: no protocol and no reason");
	ok(instance_not_probed(&f, &I) == NULL, "no protocol_of: no not-probed note");

	f.protocol_of = provider_protocol;
	ok(instance_protocol(&f, &I, &why) == NULL && why && strstr(why, SQLSERVER_WHY),
	   "sqlserver through the fleet: none, TDS named");
	ok(instance_not_probed(&f, &I) && strstr(instance_not_probed(&f, &I), SQLSERVER_WHY),
	   "sqlserver, TLS on, probe on: not probed, why");
	line = connect_line_of(&f, &I);
	ok(line == NULL, "sqlserver: no connect line");
	free(line);

	/* the verdict: the note joins the reason, the status stays */
	I.st.cert_expires_api = time(NULL) + 300 * 86400;
	struct verdict_input vi;
	verdict_input_of(&f, &I, &vi);
	struct verdict v;
	verdict_compute(&vi, time(NULL), &v);
	is_str(verdict_status_name(v.status), "OK", "not probed: the verdict stays OK");
	ok(strstr(v.reason, "days left); not probed: " SQLSERVER_WHY) != NULL, "reason: %s", v.reason);
	verdict_clear(&v);

	f.settings.probe = false;
	ok(instance_not_probed(&f, &I) == NULL, "probe off: no note");
	verdict_input_of(&f, &I, &vi);
	verdict_compute(&vi, time(NULL), &v);
	ok(strstr(v.reason, "not probed") == NULL, "probe off: reason without note (%s)", v.reason);
	verdict_clear(&v);
	f.settings.probe = true;
	I.st.state = STATE_DISABLED;
	ok(instance_not_probed(&f, &I) == NULL, "TLS off: no note (not probed anyway)");

	setup(&(struct pcase){PROVIDER_ALIBABA, SERVICE_RDS, "{\"SSLEnabled\":\"Yes\"}",
	                      "rm-1.mysql.rds.aliyuncs.com", NULL, NULL, NULL});
	I.st.addr.port = 3306;
	I.st.state = STATE_ENABLED;
	ok(instance_not_probed(&f, &I) == NULL, "rds mysql: probed");
	line = connect_line_of(&f, &I);
	ok(line && strncmp(line, "mysql --ssl-mode=VERIFY_IDENTITY", 32) == 0,
	   "rds mysql: the mysql connect line (%s)", line ? line : "null");
	free(line);

	setup(&(struct pcase){PROVIDER_ALIBABA, SERVICE_RDS, NULL, NULL, NULL, NULL, NULL});
	I.host = "10.0.0.5";
	I.port = 3306;
	I.st.state = STATE_ENABLED;
	ok(instance_not_probed(&f, &I) && strcmp(instance_not_probed(&f, &I), "engine unknown") == 0,
	   "rds without an answer: not probed, engine unknown");
	line = connect_line_of(&f, &I);
	ok(line == NULL, "rds, engine unknown: no connect line even with host and port");
	free(line);
	I.host = NULL;
	cJSON_Delete(I.st.provider_status);
	I.st.provider_status = NULL;
}

int main(void)
{
	test_every_row();
	test_fleet_readers();
	cJSON_Delete(I.st.provider_status);
	free(I.st.addr.host);
	free(I.listed_engine);
	return done_testing();
}
