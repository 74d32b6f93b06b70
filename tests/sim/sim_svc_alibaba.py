"""Simulator support for service group B: Alibaba ApsaraDB RDS
(DescribeDBInstanceSSL 2014-08-15), PolarDB (DescribeDBClusterSSL
2017-08-01), ApsaraDB for MongoDB (dds DescribeDBInstanceSSL 2015-12-01) and
Huawei / OTC RDS (GET /v3/{project}/instances?id=..., GET
/v3/{project}/instances/{id}/ssl-cert/download-link).

tlsfleet_sim.py loads it like every sim_*.py module and calls
register(module) once; it adds the services to the fleet tables and wraps
the Alibaba and Huawei parse/answer/list steps and the router, so the
signature checks, faults, scenarios, paging checks and logging stay the
simulator's own. The list calls of discovery, each in its documented
shape:

  rds      DescribeDBInstances 2014-08-15   PageSize 1..100 (default 30),
           Tag.N.key/Tag.N.value (N 1..5); Items.DBInstance[], TotalRecordCount
  polardb  DescribeDBClusters 2017-08-01    PageSize 30, 50 or 100;
           Tag.N.Key/Value; Items.DBCluster[], TotalRecordCount
  mongodb  DescribeDBInstances 2015-12-01   PageSize 30, 50 or 100;
           Tag.N.Key/Value; DBInstances.DBInstance[], TotalCount;
           DBInstanceType replicate (the default: replica sets and
           standalone instances) or sharding (sharded clusters) lists one
           architecture; the log record's list_type names it
  Huawei rds  GET /v3/{project}/instances without id: offset, limit 1..100
           (default 100), tags=k=v,...; instances[], total_count

Instance keys this module adds to a fleet file:

  engine         rds: "mysql" (SSLEnabled Yes/No, no CA URL; the default) or
                 "postgres" (on/off, ServerCAUrl serves the CA archive)
  endpoints      polardb: number of cluster endpoints (default 2)
  endpoints_off  polardb: how many of them have SSL off (default 0)
  architecture   mongodb: "replicate" (the default) or "sharding", the
                 DBInstanceType it is listed under

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
                "DescribeDBClusterSSL": ("2017-08-01",),
                "DescribeDBInstances": ("2014-08-15", "2015-12-01"),
                "DescribeDBClusters": ("2017-08-01",)}
ALI_NOT_FOUND = {"rds": ("InvalidDBInstanceId.NotFound", "The specified instance is not found."),
                 "polardb": ("InvalidDBClusterId.NotFound",
                             "The DBClusterId provided does not exist in our records."),
                 "mongodb": ("InvalidDBInstanceId.NotFound", "The specified instance is not found.")}
ALI_UNSUPPORTED = {"rds": ("IncorrectDBInstanceType",
                           "Current DB instance type does not support this operation."),
                   "polardb": ("IncorrectEngineVersion", "Current engine version does not support operations."),
                   "mongodb": ("IncorrectEngineVersion", "Current engine version does not support operations.")}
HW_STATUS, HW_LINK, HW_LIST = "RdsListInstances", "ListSslCertDownloadLink", "RdsListInstancesPage"
HW_AUTH = ("DBS.200010", "The DB instance ID or user ID may be null, or the operation is not authorized.")
HW_INTERNAL = ("DBS.108000", "Server failure.")

# List calls: (Action, Version) -> (service, PageSize rule, tag key, tag value
# spelling, total member, set member, item member)
ALI_LISTS = {
    ("DescribeDBInstances", "2014-08-15"): ("rds", range(1, 101), "key", "value",
                                            "TotalRecordCount", "Items", "DBInstance"),
    ("DescribeDBClusters", "2017-08-01"): ("polardb", (30, 50, 100), "Key", "Value",
                                           "TotalRecordCount", "Items", "DBCluster"),
    ("DescribeDBInstances", "2015-12-01"): ("mongodb", (30, 50, 100), "Key", "Value",
                                            "TotalCount", "DBInstances", "DBInstance"),
}
ALI_LIST_ROOTS = {"rds": "DescribeDBInstancesResponse", "polardb": "DescribeDBClustersResponse",
                  "mongodb": "DescribeDBInstancesResponse"}
ENGINES = {"mysql": ("MySQL", "8.0", "mysql"), "postgres": ("PostgreSQL", "14.0", "pg"),
           "sqlserver": ("SQLServer", "2019_std_ha", "sqlserver"), "mariadb": ("MariaDB", "10.3", "mariadb")}


def register(m):
    m.PROVIDERS["alibaba"]["services"] = tuple(m.PROVIDERS["alibaba"]["services"]) + (
        "rds", "polardb", "mongodb")
    m.PROVIDERS["huawei"]["services"] = tuple(m.PROVIDERS["huawei"]["services"]) + ("rds",)
    m.INSTANCE_KEYS.update({"engine", "endpoints", "endpoints_off", "architecture"})
    m.DEFAULT_FILE.update({("alibaba", "rds"): "ApsaraDB-CA-Chain.zip",
                           ("alibaba", "polardb"): "ApsaraDB-CA-Chain.zip",
                           ("alibaba", "mongodb"): "ApsaraDB-CA-Chain.zip",
                           ("huawei", "rds"): "Certificate_Download.zip"})
    _wrap_alibaba(m, m.ALIBABA)
    _wrap_huawei(m, m.HUAWEI)
    base_address = m.list_address

    def list_address(inst):
        if (inst["provider"], inst["service"]) in LIST_ADDRESS:
            return LIST_ADDRESS[inst["provider"], inst["service"]](m, inst)
        return base_address(inst)
    m.list_address = list_address
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
        lst = ALI_LISTS.get((act, p.get("Version")))
        call.kind = "list" if lst else "status"
        if spec is None and lst is None:
            call.error = ali.err(call, 400, "InvalidVersion", "Specified parameter Version is not valid.")
            return call
        call.service, id_param = (lst[0], None) if lst else spec
        call.instance_id = p.get(id_param) if id_param else None
        call.region = p.get("RegionId")
        call.error = ali.check_call(call, id_param)
        return call

    list_query, list_answer = ali.list_query, ali.list_answer

    def ali_list_query(fleet, call):
        lst = ALI_LISTS.get((call.params.get("Action"), call.params.get("Version")))
        if lst is None:
            return list_query(fleet, call)
        p = call.params
        svc, sizes, tk, tv = lst[:4]
        bad, vals = m.paging_params(p, (("PageNumber", 1, lambda v: v >= 1), ("PageSize", 30, lambda v: v in sizes)))
        if bad:
            return ali.bad_paging(call, bad), None
        tests = []
        n = 1
        while "Tag.%d.%s" % (n, tk) in p:
            k, v = p["Tag.%d.%s" % (n, tk)], p.get("Tag.%d.%s" % (n, tv))
            tests.append(lambda i, k=k, v=v: k in i.get("tags", {}) and (v is None or i["tags"][k] == v))
            n += 1
        if svc == "rds" and n > 6:
            return ali.err(call, 400, "InvalidParameter", "At most 5 tags are supported."), None
        if svc == "mongodb":
            call.list_type = p.get("DBInstanceType", "replicate")
            if call.list_type not in ("replicate", "sharding"):
                return ali.err(call, 400, "InvalidParameter", "The specified parameter DBInstanceType is not valid."), None
            tests.append(lambda i: i.get("architecture", "replicate") == call.list_type)
        items = [i for i in fleet.listing(call.account["name"], svc, call.region) if all(t(i) for t in tests)]
        size = vals["PageSize"]
        return None, {"service": svc, "offset": (vals["PageNumber"] - 1) * size, "limit": size,
                      "page": vals["PageNumber"], "items": items}

    def ali_list_answer(sim, call, q):
        lst = ALI_LISTS.get((call.params.get("Action"), call.params.get("Version")))
        if lst is None:
            return list_answer(sim, call, q)
        svc, total, set_name, item = lst[0], lst[4], lst[5], lst[6]
        rows = [_ali_row(m, svc, i) for i in q["items"][q["offset"]:q["offset"] + q["limit"]]]
        rid = str(uuid.uuid4()).upper()
        r = {"RequestId": rid, "PageNumber": q["page"], total: len(q["items"]), set_name: {item: rows}}
        if total == "TotalCount":
            r["PageSize"] = q["limit"]
        else:
            r["PageRecordCount"] = len(rows)
        return ali.reply(ALI_LIST_ROOTS[svc], r, call, rid)

    ali.list_query, ali.list_answer = ali_list_query, ali_list_answer

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
        err = ali.common_error(call, inst, sc)
        if err is not None:
            return err
        rid = str(uuid.uuid4()).upper()
        on = sc != "disabled"
        expiry = m.iso_z(sim.api_expiry(inst))
        if svc == "rds":
            pg = inst.get("engine", "mysql") == "postgres"
            host = _rds_host(m, inst)
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


def _engine(inst):
    return ENGINES.get(inst.get("engine", "mysql"), ENGINES["mysql"])


def _rds_host(m, inst):
    return inst.get("cert_common_name", "%s.%s.rds.aliyuncs.com" % (inst["id"], _engine(inst)[2]))


def _tags(inst):
    return {"Tag": [{"Key": k, "Value": v} for k, v in inst.get("tags", {}).items()]}


def _ali_row(m, svc, i):
    """One instance as a list call shows it (the fields the API pages show;
    RDS lists no tags and no port, PolarDB and MongoDB no address)."""
    name = m.provider_name(i)
    if svc == "rds":
        eng, ver, _ = _engine(i)
        return {"DBInstanceId": i["id"], "DBInstanceDescription": name, "RegionId": i["region"],
                "ZoneId": i["region"] + "-a", "Engine": eng, "EngineVersion": ver,
                "DBInstanceType": "Primary", "DBInstanceStatus": "Running", "DBInstanceNetType": "Intranet",
                "InstanceNetworkType": "VPC", "ConnectionMode": "Standard", "ConnectionString": _rds_host(m, i),
                "DBInstanceClass": "mysql.n2.medium.2c", "PayType": "Postpaid", "LockMode": "Unlock",
                "Category": "HighAvailability", "VpcId": "vpc-sim0001", "VSwitchId": "vsw-sim0001",
                "CreateTime": "2024-01-01T00:00:00Z", "ExpireTime": "", "ResourceGroupId": "rg-sim0001",
                "ReadOnlyDBInstanceIds": {"ReadOnlyDBInstanceId": []}}
    if svc == "polardb":
        return {"DBClusterId": i["id"], "DBClusterDescription": name, "RegionId": i["region"],
                "ZoneId": i["region"] + "-a", "DBType": "MySQL", "DBVersion": "8.0", "Engine": "POLARDB",
                "DBClusterStatus": "Running", "DBClusterNetworkType": "VPC", "PayType": "Postpaid",
                "DBNodeClass": "polar.mysql.x4.medium", "DBNodeNumber": 2, "Category": "Normal",
                "LockMode": "Unlock", "DeletionLock": 0, "Expired": "false", "VpcId": "vpc-sim0001",
                "VswitchId": "vsw-sim0001", "CreateTime": "2024-01-01T00:00:00Z", "Tags": _tags(i),
                "DBNodes": {"DBNode": [{"DBNodeId": "pi-%s0" % m.short_hash(i["id"])[:8],
                                        "DBNodeRole": "Writer", "ZoneId": i["region"] + "-a"}]}}
    return {"DBInstanceId": i["id"], "DBInstanceDescription": name, "RegionId": i["region"],
            "ZoneId": i["region"] + "-a", "Engine": "MongoDB", "EngineVersion": "4.4",
            "DBInstanceType": i.get("architecture", "replicate"), "DBInstanceStatus": "Running",
            "DBInstanceClass": "dds.mongo.mid",
            "NetworkType": "VPC", "ChargeType": "PostPaid", "LockMode": "Unlock", "ReplicationFactor": "3",
            "StorageEngine": "WiredTiger", "CreationTime": "2024-01-01T00:00:00Z", "ExpireTime": "",
            "ResourceGroupId": "rg-sim0001", "Tags": _tags(i)}


def _hw_address(m, inst):
    h = int(m.short_hash(inst["id"])[:4], 16)
    ip = inst.get("ip", "192.168.%d.%d" % (h >> 8 & 255, h & 255 | 1))
    dns = inst.get("domain_name", "%s.internal.%s.mysql.rds.myhuaweicloud.com" % (inst["id"], inst["region"]))
    return {"host": dns, "ip": ip, "domain_name": dns, "port": int(inst.get("port", "3306"))}


# The address each list call shows, for expected.json (list_address).
LIST_ADDRESS = {
    ("alibaba", "rds"): lambda m, i: {"host": _rds_host(m, i), "port": None},
    ("alibaba", "polardb"): lambda m, i: {"host": None, "port": None},
    ("alibaba", "mongodb"): lambda m, i: {"host": None, "port": None},
    ("huawei", "rds"): _hw_address,
}


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
        elif len(segs) == 4 and segs[3] == "instances" and h.command == "GET":
            call.action, call.kind = HW_LIST, "list"
        elif len(segs) == 7 and segs[3] == "instances" and segs[5:] == ["ssl-cert", "download-link"] \
                and h.command == "GET":
            call.action, call.instance_id = HW_LINK, m.unquote(segs[4])
        else:
            call.error = hw.err(call, 404, "APIG.0101",
                                "The API does not exist or has not been published in the environment.")
            return call
        call.service = "rds"
        call.project = m.unquote(segs[2])
        call.key_id = hw.access_key(h)
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
        err = hw.common_error(call, inst, sc, auth=HW_AUTH, internal=HW_INTERNAL)
        if err is not None:
            return err
        if call.action == HW_LINK:
            expires = sim.now() + inst.get("url_ttl_s", 3600)
            r = {"cert_info_list": [{"category": "international", "download_link": sim.obs_url(inst, expires)}]}
            if sc == "wrong_type":
                r["cert_info_list"][0]["download_link"] = 12345
            return m.json_resp(200, r, None, [("X-Request-Id", rid)])
        row = _hw_row(m, inst)
        row["enable_ssl"] = sc != "disabled"
        if sc == "wrong_type":
            row["enable_ssl"] = "true"
        row.update(inst.get("extra", {}))
        return m.json_resp(200, {"instances": [row], "total_count": 1}, None, [("X-Request-Id", rid)])

    list_query, list_answer = hw.list_query, hw.list_answer

    def hw_list_query(fleet, call):
        if call.action != HW_LIST:
            return list_query(fleet, call)
        q = call.query
        bad, vals = m.paging_params(q, (("offset", 0, lambda v: v >= 0), ("limit", 100, lambda v: 1 <= v <= 100)))
        if bad:
            return hw.err(call, 400, "DBS.200001", "Invalid parameter %s." % bad), None
        tests = []
        for pair in (q.get("tags") or "").split(","):
            if pair:
                k, eq, v = pair.partition("=")
                tests.append(lambda i, k=k, v=v, eq=eq: k in i.get("tags", {}) and (
                    not eq or not v or i["tags"][k] == v))
        if q.get("name"):
            tests.append(lambda i, n=q["name"]: m.provider_name(i) == n)
        items = [i for i in fleet.listing(call.account["name"], "rds", project=call.project)
                 if all(t(i) for t in tests)]
        return None, {"service": "rds", "offset": vals["offset"], "limit": vals["limit"],
                      "page": vals["offset"] // vals["limit"] + 1, "items": items}

    def hw_list_answer(sim, call, q):
        if call.action != HW_LIST:
            return list_answer(sim, call, q)
        rows = []
        for i in q["items"][q["offset"]:q["offset"] + q["limit"]]:
            row = _hw_row(m, i)
            row["enable_ssl"] = i["scenario"] != "disabled"
            rows.append(row)
        return m.json_resp(200, {"instances": rows, "total_count": len(q["items"])}, None,
                           [("X-Request-Id", uuid.uuid4().hex)])

    def hw_auth_denied(call):
        if call.action == HW_LIST:
            return hw.err(call, 403, *HW_AUTH)
        return auth_denied(call)

    def hw_internal_error(call):
        if call.action == HW_LIST:
            return hw.err(call, 500, *HW_INTERNAL)
        return internal_error(call)

    auth_denied, internal_error = hw.auth_denied, hw.internal_error
    hw.parse, hw.answer = hw_parse, hw_answer
    hw.list_query, hw.list_answer = hw_list_query, hw_list_answer
    hw.auth_denied, hw.internal_error = hw_auth_denied, hw_internal_error


def _hw_row(m, inst):
    """An RDS instance as GET /v3/{project}/instances shows it."""
    a = _hw_address(m, inst)
    eng, ver, _ = _engine(inst)
    return {"id": inst["id"], "name": m.provider_name(inst), "status": "ACTIVE", "enable_ssl": True,
            "private_ips": [a["ip"]], "private_dns_names": [a["domain_name"]], "public_ips": [],
            "port": a["port"], "type": "Single", "region": inst["region"],
            "datastore": {"type": eng, "version": ver}, "created": "2024-01-01T00:00:00+0000",
            "updated": "2024-01-01T00:00:00+0000", "related_instance": [], "nodes": [],
            "tags": [{"key": k, "value": v} for k, v in inst.get("tags", {}).items()]}
