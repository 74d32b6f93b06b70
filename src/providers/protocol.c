/* The client protocol of an instance (providers/protocol.h). */
#include "providers/protocol.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Why there is none, completing "not probed: ". */
static const char WHY_SQLSERVER[] =
	"SQL Server wraps TLS in TDS pre-login, which tlsfleet does not speak";
static const char WHY_UNKNOWN[] = "engine unknown";

static const char *member(const cJSON *obj, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

/* Alibaba's endpoint names carry the engine: rm-….mysql.rds.aliyuncs.com,
 * pgm-….pg.rds.aliyuncs.com, rm-….sqlserver.rds.aliyuncs.com,
 * pc-….mysql.polardb.rds.aliyuncs.com. */
static const char *from_host(const char *host)
{
	if (!host)
		return NULL;
	if (strstr(host, ".mysql.") || strstr(host, ".mariadb."))
		return strstr(host, ".mariadb.") ? "mariadb" : "mysql";
	if (strstr(host, ".pg.") || strstr(host, ".pgsql."))
		return "postgres";
	return NULL;
}

static bool sqlserver_host(const char *host)
{
	return host && strstr(host, ".sqlserver.");
}

/* An engine's name as the clouds spell it (case-insensitive): Alibaba
 * RDS Engine, PolarDB DBType, Huawei RDS datastore.type. PolarDB's
 * Oracle-compatible edition speaks PostgreSQL's protocol. */
static const char *from_engine(const char *type, const char **why)
{
	if (!type)
		return NULL;
	if (strcasecmp(type, "MySQL") == 0)
		return "mysql";
	if (strcasecmp(type, "MariaDB") == 0)
		return "mariadb";
	if (strcasecmp(type, "PostgreSQL") == 0 || strcasecmp(type, "Oracle") == 0)
		return "postgres";
	if (strcasecmp(type, "SQLServer") == 0)
		*why = WHY_SQLSERVER;
	return NULL;
}

static const char *alibaba_rds(const struct instance *in, const char **why)
{
	const char *on = member(in->st.provider_status, "SSLEnabled");

	/* The listing names the engine outright (Engine); the status answer
	 * and the endpoint name only hint at it. */
	if (in->listed_engine)
		return from_engine(in->listed_engine, why);

	/* on/off is PostgreSQL's spelling; Yes/No is MySQL's and SQL
	 * Server's, so only the endpoint name tells those two apart. */
	if (on && (strcmp(on, "on") == 0 || strcmp(on, "off") == 0))
		return "postgres";
	if (sqlserver_host(in->st.addr.host))
		*why = WHY_SQLSERVER;
	return from_host(in->st.addr.host);
}

/* Huawei RDS: datastore.type of the status answer, else what the listing
 * said. */
static const char *huawei_rds(const struct instance *in, const char **why)
{
	const cJSON *ds = cJSON_GetObjectItemCaseSensitive(in->st.provider_status, "datastore");
	const char *type = member(ds, "type");

	return from_engine(type ? type : in->listed_engine, why);
}

static const char *decide(const struct instance *in, const char **why)
{
	enum provider_kind cloud = in->account ? in->account->provider : PROVIDER_COUNT;

	switch (in->service) {
	case SERVICE_REDIS:
		return "redis";
	case SERVICE_DCS:
		return "dcs";
	case SERVICE_POSTGRES:
		return "postgres";
	case SERVICE_MONGODB:
		return "mongodb";
	case SERVICE_MYSQL:
		return "mysql";
	case SERVICE_SQLSERVER:
		*why = WHY_SQLSERVER;
		return NULL;
	case SERVICE_POLARDB:
		if (in->listed_engine)
			return from_engine(in->listed_engine, why);
		return from_host(in->st.addr.host);
	case SERVICE_RDS:
		return cloud == PROVIDER_HUAWEI ? huawei_rds(in, why) : alibaba_rds(in, why);
	default:
		return NULL;
	}
}

const char *provider_protocol(const struct instance *in, const char **why)
{
	const char *reason = NULL;
	const char *proto = decide(in, &reason);

	if (why)
		*why = proto ? NULL : reason ? reason : WHY_UNKNOWN;
	return proto;
}
