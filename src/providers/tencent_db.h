/* Tencent Cloud's database services beyond Redis and PostgreSQL: MySQL
 * (cdb DescribeSSLStatus), MongoDB (mongodb DescribeInstanceSSL) and
 * SQL Server (sqlserver DescribeDBInstancesAttribute). Their requests are
 * the common Tencent ones (TC3 with the product's own service name, body
 * {"InstanceId": ...}); this module only knows their answers and the error
 * codes each product documents. Pure: no I/O.
 *
 * Ownership: the result's fields are owned by the result
 * (provider_result_free); the cJSON answer stays the caller's. */
#ifndef TLSFLEET_TENCENT_DB_H
#define TLSFLEET_TENCENT_DB_H

#include "providers/provider.h"

/* True for the services this module answers for. */
bool tencent_db_handles(enum service_kind kind);

/* The state of a success answer (the inner Response object) and its
 * normalised fields (cert URL, link expiry, CA expiry). A wrong type or
 * an undocumented value is STATE_ERROR with r->error set to
 * InvalidResponse naming the field, and no normalised field kept. */
enum tls_state tencent_db_answer(enum service_kind kind, const cJSON *resp,
                                 struct provider_result *r);

/* Codes the product documents beyond Tencent's common ones (which still
 * apply): a code listed here decides its state first. NULL for none. */
const struct provider_codes *tencent_db_codes(enum service_kind kind);

#endif
