/* Which client protocol an instance speaks: the one mapping the probe
 * (engine/probes.c, through probe_proto_from_name, probe/probe.h), the
 * connect line (core/connect.h) and the verdict's "not probed" note read,
 * through the fleet's protocol_of (core/fleet.h; config_load installs this
 * function there). Decided from the service and, where one service hosts
 * several engines (Alibaba RDS and PolarDB, Huawei RDS), from what the last
 * answer said about the engine. Pure.
 *
 *   redis, dcs, postgres   the service itself
 *   mongodb                TLS from the first byte
 *   mysql / mariadb        greeting, then SSLRequest
 *   NULL                   not probed, no connect line: SQL Server (TDS
 *                          wraps TLS in PRELOGIN packets), or an engine not
 *                          known (yet); *why then says which, worded to
 *                          follow "not probed: "
 *
 * Ownership: the returned strings (and *why) are static. why may be NULL;
 * else *why is set: NULL when a protocol is returned. */
#ifndef TLSFLEET_PROTOCOL_H
#define TLSFLEET_PROTOCOL_H

#include "core/fleet.h"

const char *provider_protocol(const struct instance *in, const char **why);

#endif
