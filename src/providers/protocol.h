/* Which client protocol an instance speaks: the name the probe
 * (probe_proto_from_name, probe/probe.h) and the connect line
 * (connect_spec.protocol, core/connect.h) take. Decided from the service
 * and, where one service hosts several engines (Alibaba RDS and PolarDB,
 * Huawei RDS), from what the last answer said about the engine. Pure.
 *
 *   redis, dcs, postgres   the service itself
 *   mongodb                Alibaba mongodb: TLS from the first byte
 *   mysql / mariadb        greeting, then SSLRequest
 *   NULL                   unknown engine, or SQL Server (TDS wraps TLS in
 *                          PRELOGIN packets: not probed, no connect line)
 *
 * Ownership: the returned string is static. */
#ifndef TLSFLEET_PROTOCOL_H
#define TLSFLEET_PROTOCOL_H

#include "core/fleet.h"

const char *provider_protocol(const struct instance *in);

#endif
