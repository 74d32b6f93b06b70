/* Tencent MySQL, MongoDB and SQL Server TLS answers (see tencent_db.h).
 *
 *   mysql      cdb DescribeSSLStatus (2017-03-20): Status "ON"/"OFF", Url
 *   mongodb    mongodb DescribeInstanceSSL (2019-07-25): Status 0/1,
 *              ExpiredTime (certificate expiry, UTC+8, zone-less), CertUrl
 *   sqlserver  sqlserver DescribeDBInstancesAttribute (2018-03-28):
 *              SSLConfig.{Encryption, SSLValidityPeriod, SSLValidity}
 *
 * None of the three answers names the address it protects. */
#include "providers/tencent_db.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- error codes each product documents --------------------------------- */

/* cdb: single-node (cloud disk) and cluster editions have no SSL; the
 * parameter-style "not found" codes are cdb's own. */
static const char *const mysql_unsupported[] = {
	"OperationDenied.InstTypeNotSupport", "OperationDenied.ActionNotSupport", NULL,
};
static const char *const mysql_not_found[] = {
	"InvalidParameter.InstanceNotFound", "InvalidParameter.ResourceNotFound",
	"InvalidParameter.ResourceNotExists", NULL,
};
/* cdb DescribeDBInstances refuses a sub-account without a CAM policy so. */
static const char *const mysql_auth[] = {"OperationDenied.UserHasNoStrategy", NULL};
static const struct provider_codes mysql_codes = {
	.unsupported = mysql_unsupported,
	.not_found = mysql_not_found,
	.auth = mysql_auth,
};

static const char *const mongodb_unsupported[] = {
	"UnsupportedOperation.VersionNotSupport", "UnsupportedOperation.KernelVersionNotSupport",
	NULL,
};
static const char *const mongodb_not_found[] = {
	"InvalidParameterValue.NotFoundInstance", "InvalidParameterValue.InstanceHasBeenDeleted",
	NULL,
};
/* MongoDB's own throttling code, besides the common RequestLimitExceeded. */
static const char *const mongodb_throttled[] = {"LimitExceeded.TooManyRequests", NULL};
static const struct provider_codes mongodb_codes = {
	.unsupported = mongodb_unsupported,
	.not_found = mongodb_not_found,
	.throttled = mongodb_throttled,
};

static const char *const sqlserver_unsupported[] = {"FailedOperation.NotSupport", NULL};
/* SQL Server reports a CAM refusal as an internal error; it is a
 * permission problem, and retrying it changes nothing. */
static const char *const sqlserver_auth[] = {"InternalError.CamAuthFailed", NULL};
static const struct provider_codes sqlserver_codes = {
	.unsupported = sqlserver_unsupported,
	.auth = sqlserver_auth,
};

const struct provider_codes *tencent_db_codes(enum service_kind kind)
{
	switch (kind) {
	case SERVICE_MYSQL:
		return &mysql_codes;
	case SERVICE_MONGODB:
		return &mongodb_codes;
	case SERVICE_SQLSERVER:
		return &sqlserver_codes;
	default:
		return NULL;
	}
}

bool tencent_db_handles(enum service_kind kind)
{
	return tencent_db_codes(kind) != NULL;
}

/* ---- answers ------------------------------------------------------------ */

/* An integer field: -1 when absent or null, else its value; a non-integer
 * is InvalidResponse naming path. */
static int get_int(const cJSON *obj, const char *name, const char *path, long *out,
                   struct provider_result *r)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = -1;
	if (!j || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsNumber(j)) {
		provider_result_invalid(r, 200, "%s: expected integer, got %s", path,
		                        provider_json_type(j));
		return -1;
	}
	if (j->valuedouble != floor(j->valuedouble) || j->valuedouble < 0 ||
	    j->valuedouble > 1e9) {
		provider_result_invalid(r, 200, "%s: expected integer, got %g", path, j->valuedouble);
		return -1;
	}
	*out = (long)j->valuedouble;
	return 0;
}

/* A download URL: kept as received (an http:// one is refused when
 * downloading, not here); its expiry only from a presigned Expires=. */
static void keep_url(const char *url, struct provider_result *r)
{
	r->cert_url = provider_nonempty(url);
	r->cert_url_expires = TIME_NONE;
	if (r->cert_url)
		provider_url_expires(r->cert_url, &r->cert_url_expires);
}

/* A zone-less Tencent time (UTC+8). Empty, null or unparsable
 * ("0000-00-00 00:00:00") decides nothing and stays unknown. */
static time_t cst_or_none(const char *s)
{
	time_t t;

	return s && timefmt_parse_cst(s, &t) ? t : TIME_NONE;
}

static enum tls_state mysql_answer(const cJSON *resp, struct provider_result *r)
{
	const char *status, *url;

	if (provider_json_string(resp, "Status", &status, r, 200) < 0 ||
	    provider_json_string(resp, "Url", &url, r, 200) < 0)
		return STATE_ERROR;
	if (!status || !*status) {
		provider_result_invalid(r, 200, "Status: missing");
		return STATE_ERROR;
	}
	if (strcmp(status, "ON") != 0 && strcmp(status, "OFF") != 0) {
		provider_result_invalid(r, 200, "Status: unexpected value (expected \"ON\" or \"OFF\")");
		return STATE_ERROR;
	}
	keep_url(url, r);
	return strcmp(status, "ON") == 0 ? STATE_ENABLED : STATE_DISABLED;
}

static enum tls_state mongodb_answer(const cJSON *resp, struct provider_result *r)
{
	const char *expires, *url;
	long status;

	if (get_int(resp, "Status", "Status", &status, r) < 0 ||
	    provider_json_string(resp, "ExpiredTime", &expires, r, 200) < 0 ||
	    provider_json_string(resp, "CertUrl", &url, r, 200) < 0)
		return STATE_ERROR;
	if (status < 0) {
		provider_result_invalid(r, 200, "Status: missing");
		return STATE_ERROR;
	}
	if (status > 1) {
		provider_result_invalid(r, 200, "Status: unexpected value %ld (expected 0 or 1)", status);
		return STATE_ERROR;
	}
	keep_url(url, r);
	/* ExpiredTime is the certificate's, not the link's. */
	r->cert_expires = cst_or_none(expires);
	return status == 1 ? STATE_ENABLED : STATE_DISABLED;
}

/* SSLConfig.Encryption, as the SQL Server API documents it; every
 * "_doing" value is a change under way. */
static const struct {
	const char *value;
	enum tls_state state;
} encryption_states[] = {
	{"enable", STATE_ENABLED},
	{"disable", STATE_DISABLED},
	{"enable_doing", STATE_CONFIGURING},
	{"disable_doing", STATE_CONFIGURING},
	{"renew_doing", STATE_CONFIGURING},
	{"wait_doing", STATE_CONFIGURING},
};

static enum tls_state sqlserver_answer(const cJSON *resp, struct provider_result *r)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(resp, "SSLConfig");
	const char *enc, *period;
	long validity;

	if (!cfg || cJSON_IsNull(cfg)) {
		provider_result_invalid(r, 200, "SSLConfig: missing");
		return STATE_ERROR;
	}
	if (!cJSON_IsObject(cfg)) {
		provider_result_invalid(r, 200, "SSLConfig: expected object, got %s",
		                        provider_json_type(cfg));
		return STATE_ERROR;
	}
	if (provider_json_string(cfg, "Encryption", &enc, r, 200) < 0 ||
	    provider_json_string(cfg, "SSLValidityPeriod", &period, r, 200) < 0 ||
	    get_int(cfg, "SSLValidity", "SSLConfig.SSLValidity", &validity, r) < 0) {
		/* provider_json_string names the bare field: say where it is. */
		if (r->error && r->error->message && strncmp(r->error->message, "SSLConfig.", 10) != 0) {
			char *m = xasprintf("SSLConfig.%s", r->error->message);

			free(r->error->message);
			r->error->message = m;
		}
		return STATE_ERROR;
	}
	if (!enc || !*enc) {
		provider_result_invalid(r, 200, "SSLConfig.Encryption: missing");
		return STATE_ERROR;
	}
	for (size_t i = 0; i < sizeof(encryption_states) / sizeof(encryption_states[0]); i++) {
		if (strcmp(enc, encryption_states[i].value) == 0) {
			/* SSLValidityPeriod is the certificate's expiry; SSLValidity
			 * stays in provider_status. The answer carries no download
			 * link: the CA comes from the console only. */
			r->cert_expires = cst_or_none(period);
			return encryption_states[i].state;
		}
	}
	provider_result_invalid(r, 200, "SSLConfig.Encryption: unexpected value");
	return STATE_ERROR;
}

enum tls_state tencent_db_answer(enum service_kind kind, const cJSON *resp,
                                 struct provider_result *r)
{
	enum tls_state st;

	switch (kind) {
	case SERVICE_MYSQL:
		st = mysql_answer(resp, r);
		break;
	case SERVICE_MONGODB:
		st = mongodb_answer(resp, r);
		break;
	case SERVICE_SQLSERVER:
		st = sqlserver_answer(resp, r);
		break;
	default:
		provider_result_invalid(r, 200, "service: not a Tencent database service");
		st = STATE_ERROR;
		break;
	}
	if (st == STATE_ERROR) {
		/* a wrong type decides nothing: keep nothing half-normalised */
		free(r->cert_url);
		r->cert_url = NULL;
		r->cert_url_expires = TIME_NONE;
		r->cert_expires = TIME_NONE;
	}
	return st;
}
