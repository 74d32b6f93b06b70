"""Simulator support for service group B: Alibaba ApsaraDB RDS
(DescribeDBInstanceSSL 2014-08-15), PolarDB (DescribeDBClusterSSL
2017-08-01), ApsaraDB for MongoDB (dds DescribeDBInstanceSSL 2015-12-01) and
Huawei / OTC RDS (GET /v3/{project}/instances?id=..., GET
/v3/{project}/instances/{id}/ssl-cert/download-link).

tlsfleet_sim.py calls install(module) once; it adds the services to the
fleet tables and wraps the Alibaba and Huawei parse/answer steps and the
router, so the signature checks, faults, scenarios and logging stay the
simulator's own. Instance keys this module adds to a fleet file:

  engine         rds: "mysql" (SSLEnabled Yes/No, no CA URL; the default) or
                 "postgres" (on/off, ServerCAUrl serves the CA archive)
  endpoints      polardb: number of cluster endpoints (default 2)
  endpoints_off  polardb: how many of them have SSL off (default 0)

Every RDS answer carries ServerKey, a private key the client must drop:
its body holds SIM_KEY_MARKER so the tests can grep for it anywhere.
"""

import uuid

SIM_KEY_MARKER = "SIMULATED-RDS-SERVER-PRIVATE-KEY"

# (Action, Version) -> (service, id parameter)
ALI_ACTIONS = {
    ("DescribeDBInstanceSSL", "2014-08-15"): ("rds", "DBInstanceId"),
    ("DescribeDBClusterSSL", "2017-08-01"): ("polardb", "DBClusterId"),
    ("DescribeDBInstanceSSL", "2015-12-01"): ("mongodb", "DBInstanceId"),
}
ALI_VERSIONS = {"DescribeDBInstanceSSL": ("2014-08-15", "2015-12-01"),
                "DescribeDBClusterSSL": ("2017-08-01",)}
ALI_NOT_FOUND = {"rds": ("InvalidDBInstanceId.NotFound", "The specified instance is not found."),
                 "polardb": ("InvalidDBClusterId.NotFound",
                             "The DBClusterId provided does not exist in our records."),
                 "mongodb": ("InvalidDBInstanceId.NotFound", "The specified instance is not found.")}
ALI_UNSUPPORTED = {"rds": ("IncorrectDBInstanceType",
                           "Current DB instance type does not support this operation."),
                   "polardb": ("IncorrectEngineVersion", "Current engine version does not support operations."),
                   "mongodb": ("IncorrectEngineVersion", "Current engine version does not support operations.")}
HW_STATUS, HW_LINK = "RdsListInstances", "ListSslCertDownloadLink"


def install(m):
    m.PROVIDERS["alibaba"]["services"] = tuple(m.PROVIDERS["alibaba"]["services"]) + (
        "rds", "polardb", "mongodb")
    m.PROVIDERS["huawei"]["services"] = tuple(m.PROVIDERS["huawei"]["services"]) + ("rds",)
    m.INSTANCE_KEYS.update({"engine", "endpoints", "endpoints_off"})
    m.DEFAULT_FILE.update({("alibaba", "rds"): "ApsaraDB-CA-Chain.zip",
                           ("alibaba", "polardb"): "ApsaraDB-CA-Chain.zip",
                           ("alibaba", "mongodb"): "ApsaraDB-CA-Chain.zip",
                           ("huawei", "rds"): "Certificate_Download.zip"})
    _wrap_alibaba(m, m.ALIBABA)
    _wrap_huawei(m, m.HUAWEI)
    route = m.Handler.route

    def route_v3(self, url):
        if url.path.startswith("/v3/"):
            return m.HUAWEI
        return route(self, url)
    m.Handler.route = route_v3


# ---- Alibaba -------------------------------------------------------------------

def _wrap_alibaba(m, ali):
    parse, answer = ali.parse, ali.answer

    def ali_parse(h, body, url):
        call = parse(h, body, url)
        p = getattr(call, "params", {})
        act = p.get("Action")
        if act not in ALI_VERSIONS or call.error is None or call.error.code != "InvalidAction.NotFound":
            return call
        # The generic step knows no such action: finish the checks here.
        call.error = None
        spec = ALI_ACTIONS.get((act, p.get("Version")))
        call.kind = "status"
        if spec is None:
            call.error = ali.err(call, 400, "InvalidVersion", "Specified parameter Version is not valid.")
            return call
        call.service, id_param = spec
        call.instance_id = p.get(id_param)
        call.region = p.get("RegionId")
        if p["SignatureMethod"] != "HMAC-SHA1":
            call.error = ali.err(call, 400, "InvalidSignatureMethod",
                                 "Specified signature method is not supported.")
        elif p["SignatureVersion"] != "1.0":
            call.error = ali.err(call, 400, "InvalidSignatureVersion",
                                 "Specified signature version is not supported.")
        elif not call.instance_id:
            call.error = ali.err(call, 400, "Missing" + id_param, "%s is mandatory for this action." % id_param)
        return call

    def ali_answer(sim, call, inst, rt, sc):
        if call.service not in ALI_NOT_FOUND:
            return answer(sim, call, inst, rt, sc)
        svc = call.service
        if inst is not None and inst["service"] != svc:
            sc = "not_found"       # another product's instance id
        if sc == "not_found":
            code, msg = ALI_NOT_FOUND[svc]
            return ali.err(call, 404, code, msg)
        if sc == "unsupported":
            code, msg = ALI_UNSUPPORTED[svc]
            return ali.err(call, 403, inst.get("error_code", code), msg)
        if sc == "auth_error":
            return ali.err(call, 403, inst.get("error_code", "Forbidden.RAM"),
                           "User not authorized to operate on the specified resource, or this API "
                           "doesn't support RAM.")
        if sc == "throttled":
            return ali.throttle(call)
        if sc == "error_500":
            return ali.err(call, int(inst.get("http_status", 500)), inst.get("error_code", "InternalError"),
                           "The request processing has failed due to some unknown error.")
        if sc == "provider_error":
            return ali.err(call, int(inst.get("http_status", 400)), inst["error_code"],
                           inst.get("error_message", "Simulated error."))
        rid = str(uuid.uuid4()).upper()
        on = sc != "disabled"
        expiry = m.iso_z(sim.api_expiry(inst))
        if svc == "rds":
            pg = inst.get("engine", "mysql") == "postgres"
            host = inst.get("cert_common_name", "%s.%s.rds.aliyuncs.com" % (
                inst["id"], "pg" if pg else "mysql"))
            r = {"RequestId": rid, "SSLEnabled": ("on" if on else "off") if pg else ("Yes" if on else "No"),
                 "SSLExpireTime": expiry if on else "", "ConnectionString": host if on else "",
                 "RequireUpdate": ("0" if pg else "No"), "RequireUpdateReason": "-",
                 "ServerCAUrl": sim.plain_url(inst) if (pg and on) else "-",
                 "CAType": "aliyun", "ACL": "prefer" if pg else "-", "ReplicationACL": "-",
                 "ServerCert": "-----BEGIN CERTIFICATE-----MIIDsim%s-----END CERTIFICATE-----" % inst["id"],
                 "ServerKey": "-----BEGIN PRIVATE KEY-----\n%s-%s\n-----END PRIVATE KEY-----\n" % (
                     SIM_KEY_MARKER, m.short_hash(inst["id"])),
                 "ForceEncryption": "0", "TlsVersion": "1.2"}
            if sc == "wrong_type":
                r["SSLEnabled"] = True
            root = "DescribeDBInstanceSSLResponse"
        elif svc == "polardb":
            n = int(inst.get("endpoints", 2))
            off = int(inst.get("endpoints_off", 0)) if on else n
            items = []
            for i in range(n):
                ep_on = i >= off
                # the first enabled endpoint carries the instance's expiry, later ones expire later
                items.append({"DBEndpointId": "pe-%s%d" % (m.short_hash(inst["id"])[:8], i),
                              "SSLConnectionString": "%s-%d.mysql.polardb.rds.aliyuncs.com" % (inst["id"], i),
                              "SSLEnabled": "Enabled" if ep_on else "Disabled",
                              "SSLExpireTime": m.iso_z(sim.api_expiry(inst) + (i - off) * 86400 * 30)
                              if ep_on else ""})
            if sc == "wrong_type" and items:
                items[0]["SSLEnabled"] = 1
            r = {"RequestId": rid, "SSLAutoRotate": "Enable", "Items": items}
            root = "DescribeDBClusterSSLResponse"
        else:
            r = {"RequestId": rid, "SSLStatus": "Open" if on else "Closed",
                 "SSLExpiredTime": expiry if on else "",
                 "CertCommonName": inst.get("cert_common_name", "%s.mongodb.rds.aliyuncs.com" % inst["id"])
                 if on else "",
                 "ForceEncryption": "0"}
            if sc == "wrong_type":
                r["SSLStatus"] = 1
            root = "DescribeDBInstanceSSLResponse"
        r.update(inst.get("extra", {}))
        return ali.reply(root, r, call, rid)

    ali.parse, ali.answer = ali_parse, ali_answer


# ---- Huawei RDS -------------------------------------------------------------------

def _wrap_huawei(m, hw):
    parse, answer = hw.parse, hw.answer

    def hw_parse(h, body, url):
        if not url.path.startswith("/v3/"):
            return parse(h, body, url)
        call = m.Call(hw.name)
        segs = url.path.split("/")
        call.query = dict(m.parse_qsl(url.query, keep_blank_values=True))
        # ['', 'v3', project, 'instances'] or [..., id, 'ssl-cert', 'download-link']
        if len(segs) == 4 and segs[3] == "instances" and h.command == "GET" and call.query.get("id"):
            call.action, call.instance_id = HW_STATUS, call.query["id"]
        elif len(segs) == 7 and segs[3] == "instances" and segs[5:] == ["ssl-cert", "download-link"] \
                and h.command == "GET":
            call.action, call.instance_id = HW_LINK, m.unquote(segs[4])
        else:
            call.error = hw.err(call, 404, "APIG.0101",
                                "The API does not exist or has not been published in the environment.")
            return call
        call.service = "rds"
        call.project = m.unquote(segs[2])
        auth = h.headers.get("Authorization", "")
        for item in auth.replace("SDK-HMAC-SHA256 ", "", 1).split(","):
            k, _, v = item.strip().partition("=")
            if k == "Access":
                call.key_id = v
        return call

    def hw_answer(sim, call, inst, rt, sc):
        if call.action not in (HW_STATUS, HW_LINK):
            return answer(sim, call, inst, rt, sc)
        rid = uuid.uuid4().hex
        if inst is not None and inst["service"] != "rds":
            sc = "not_found"
        if sc == "not_found":
            if call.action == HW_STATUS:    # an unknown id is an empty list
                return m.json_resp(200, {"instances": [], "total_count": 0}, None, [("X-Request-Id", rid)])
            return hw.err(call, 404, "DBS.200002", "The DB instance does not exist.")
        if sc == "unsupported":
            return hw.err(call, 400, inst.get("error_code", "DBS.200040"),
                          "The DB engine or version is not supported.")
        if sc == "auth_error":
            return hw.err(call, int(inst.get("http_status", 403)), inst.get("error_code", "DBS.200010"),
                          "The DB instance ID or user ID may be null, or the operation is not authorized.")
        if sc == "throttled":
            return hw.throttle(call)
        if sc == "error_500":
            return hw.err(call, int(inst.get("http_status", 500)), inst.get("error_code", "DBS.108000"),
                          "Server failure.")
        if sc == "provider_error":
            return hw.err(call, int(inst.get("http_status", 400)), inst["error_code"],
                          inst.get("error_message", "Simulated error."))
        if call.action == HW_LINK:
            expires = sim.now() + inst.get("url_ttl_s", 3600)
            r = {"cert_info_list": [{"category": "international", "download_link": sim.obs_url(inst, expires)}]}
            if sc == "wrong_type":
                r["cert_info_list"][0]["download_link"] = 12345
            return m.json_resp(200, r, None, [("X-Request-Id", rid)])
        h = int(m.short_hash(inst["id"])[:4], 16)
        ip = inst.get("ip", "192.168.%d.%d" % (h >> 8 & 255, h & 255 | 1))
        row = {"id": inst["id"], "name": m.provider_name(inst), "status": "ACTIVE",
               "enable_ssl": sc != "disabled", "private_ips": [ip],
               "private_dns_names": [inst.get("domain_name", "%s.internal.%s.mysql.rds.myhuaweicloud.com"
                                              % (inst["id"], inst["region"]))],
               "public_ips": [], "port": int(inst.get("port", "3306")), "type": "Single",
               "region": inst["region"], "datastore": {"type": "MySQL", "version": "8.0"},
               "created": "2024-01-01T00:00:00+0000", "updated": "2024-01-01T00:00:00+0000",
               "related_instance": [], "nodes": []}
        if sc == "wrong_type":
            row["enable_ssl"] = "true"
        row.update(inst.get("extra", {}))
        return m.json_resp(200, {"instances": [row], "total_count": 1}, None, [("X-Request-Id", rid)])

    hw.parse, hw.answer = hw_parse, hw_answer
