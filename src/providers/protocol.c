/* The client protocol of an instance (providers/protocol.h). */
#include "providers/protocol.h"

#include <string.h>
#include <strings.h>

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

static const char *alibaba_rds(const struct instance *in)
{
	const char *on = member(in->st.provider_status, "SSLEnabled");

	/* on/off is PostgreSQL's spelling; Yes/No is MySQL's and SQL
	 * Server's, so only the endpoint name tells those two apart. */
	if (on && (strcmp(on, "on") == 0 || strcmp(on, "off") == 0))
		return "postgres";
	return from_host(in->st.addr.host);
}

/* Huawei RDS: datastore.type of the instance (MySQL, PostgreSQL,
 * SQLServer, MariaDB; case-insensitive per the API). */
static const char *huawei_rds(const struct instance *in)
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
	return NULL;
}

const char *provider_protocol(const struct instance *in)
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
	case SERVICE_POLARDB:
		return from_host(in->st.addr.host);
	case SERVICE_RDS:
		return cloud == PROVIDER_HUAWEI ? huawei_rds(in) : alibaba_rds(in);
	default:
		/* Kinds of other clouds named only by their config value, so
		 * that a new kind row needs no change here when it is plain. */
		if (strcmp(service_kind_name(in->service), "mysql") == 0)
			return "mysql";
		if (strcmp(service_kind_name(in->service), "mariadb") == 0)
			return "mariadb";
		return NULL;
	}
}
