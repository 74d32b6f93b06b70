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

static const char *alibaba_rds(const struct instance *in, const char **why)
{
	const char *on = member(in->st.provider_status, "SSLEnabled");

	/* on/off is PostgreSQL's spelling; Yes/No is MySQL's and SQL
	 * Server's, so only the endpoint name tells those two apart. */
	if (on && (strcmp(on, "on") == 0 || strcmp(on, "off") == 0))
		return "postgres";
	if (sqlserver_host(in->st.addr.host))
		*why = WHY_SQLSERVER;
	return from_host(in->st.addr.host);
}

/* Huawei RDS: datastore.type of the instance (MySQL, PostgreSQL,
 * SQLServer, MariaDB; case-insensitive per the API). */
static const char *huawei_rds(const struct instance *in, const char **why)
{
	const cJSON *ds = cJSON_GetObjectItemCaseSensitive(in->st.provider_status, "datastore");
	const char *type = member(ds, "type");

	if (!type)
		return NULL;
	if (strcasecmp(type, "MySQL") == 0)
		return "mysql";
	if (strcasecmp(type, "MariaDB") == 0)
		return "mariadb";
	if (strcasecmp(type, "PostgreSQL") == 0)
		return "postgres";
	if (strcasecmp(type, "SQLServer") == 0)
		*why = WHY_SQLSERVER;
	return NULL;
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
