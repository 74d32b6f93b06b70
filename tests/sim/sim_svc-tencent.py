"""Tencent MySQL (cdb), MongoDB and SQL Server for the simulator.

Loaded by tlsfleet_sim.py, which calls register(module). Each service's
status call answers in the shape its API page documents, verified with
the product's own signing scope (cdb, mongodb, sqlserver), with the error
codes the product uses:

  mysql      cdb DescribeSSLStatus 2017-03-20         Status "ON"/"OFF", Url
  mongodb    mongodb DescribeInstanceSSL 2019-07-25   Status 0/1, ExpiredTime
                                                      (UTC+8), CertUrl
  sqlserver  sqlserver DescribeDBInstancesAttribute   SSLConfig.{Encryption,
             2018-03-28                               SSLValidityPeriod, SSLValidity}

Scenarios: every base one; sqlserver also "configuring" (Encryption
"enable_doing", or the instance's "encryption" through "extra"). SQL
Server's answer has no download link, so its CA is never served.

The list calls of discovery, all DescribeDBInstances at the product's
version and scope, paged, filtered by tag and refused as the SDK models
and error tables say:

  mysql      Limit 1..2000 (default 20), Offset records; Tags [{Key, Value}];
             Items[{InstanceId, InstanceName, Region, Vip, Vport, TagList}]
  mongodb    Limit 1..100 (default 20), Offset records; Tags [{TagKey,
             TagValue}]; InstanceDetails[{..., Vip, Vport, Tags}]
  sqlserver  Limit 1..100 (default 100), Offset a page number (records with
             PaginationType "offset"); TagKeys [key]; DBInstances[{InstanceId,
             Name, Region, Vip, Vport, ResourceTags}]

The listed address is Vip:Vport (the instance's "ip" and "port", default
10.2.x.y and the engine's port). MongoDB's Vip names every node of the
replica set joined by ";", as its documented example does
("10.5.2.12;10.5.2.14;10.5.2.10"): the instance's address, then two
secondaries (10.3.x.y).
"""

SERVICES = ("mysql", "mongodb", "sqlserver")

# (action, version) -> (fleet service, version, instance id field)
VERSIONED = {
    ("DescribeSSLStatus", "2017-03-20"): ("mysql", "2017-03-20", "InstanceId"),
    ("DescribeInstanceSSL", "2019-07-25"): ("mongodb", "2019-07-25", "InstanceId"),
    ("DescribeDBInstancesAttribute", "2018-03-28"): ("sqlserver", "2018-03-28", "InstanceId"),
    ("DescribeDBInstances", "2017-03-20"): ("mysql", "2017-03-20", None),
    ("DescribeDBInstances", "2019-07-25"): ("mongodb", "2019-07-25", None),
    ("DescribeDBInstances", "2018-03-28"): ("sqlserver", "2018-03-28", None),
}
SCOPES = {"mysql": "cdb"}

# scenario -> (code, message) per service
ERRORS = {
    "mysql": {
        "not_found": ("InvalidParameter.InstanceNotFound", "The instance is not found."),
        "unsupported": ("OperationDenied.InstTypeNotSupport",
                        "This instance type does not support SSL."),
        "auth_error": ("UnauthorizedOperation.PermissionDenied", "CAM denies this action."),
    },
    "mongodb": {
        "not_found": ("InvalidParameterValue.NotFoundInstance", "The instance is not found."),
        "unsupported": ("UnsupportedOperation.VersionNotSupport",
                        "The MongoDB version does not support SSL."),
        "auth_error": ("InvalidParameter.PermissionDenied", "The API has no CAM permissions."),
    },
    "sqlserver": {
        "not_found": ("ResourceNotFound.InstanceNotFound", "The instance does not exist."),
        "unsupported": ("FailedOperation.NotSupport", "The instance does not support SSL."),
        "auth_error": ("InternalError.CamAuthFailed", "CAM authentication failed."),
    },
}

DEFAULT_FILES = {
    ("tencent", "mysql"): "TencentDB-SSL-CA.zip",
    ("tencent", "mongodb"): "TencentDB-MongoDB-SSL-CA.zip",
    ("tencent", "sqlserver"): "TencentDB-SQLServer-SSL-CA.zip",   # never linked
}


def _answer(S):
    def answer(tc, sim, call, inst, rt, sc):
        svc = call.service
        errs = ERRORS[svc]
        inst = inst or {}
        if sc in ("not_found", "unsupported", "auth_error"):
            code, msg = errs[sc]
            return tc.err(call, inst.get("error_code", code), msg)
        err = tc.common_error(call, inst, sc)
        if err is not None:
            return err
        now = sim.now()
        with rt.lock:
            first = rt.status_answers == 0
            rt.status_answers += 1
        expires = now - 3600 if (first and inst.get("url_expired")) else now + inst.get("url_ttl_s", 3600)
        on = sc != "disabled"
        if svc == "mysql":
            r = {"Status": "ON" if on else "OFF", "Url": sim.tencent_url(inst, expires) if on else ""}
            if sc == "wrong_type":
                r["Status"] = True
        elif svc == "mongodb":
            r = {"Status": 1 if on else 0,
                 "ExpiredTime": S.cst_time(sim.api_expiry(inst)) if on else None,
                 "CertUrl": sim.tencent_url(inst, expires) if on else None}
            if sc == "wrong_type":
                r["Status"] = "1"
        else:
            enc = {"disabled": "disable", "configuring": "enable_doing"}.get(sc, "enable")
            r = {"InstanceId": call.instance_id, "RegularBackupEnable": "disable",
                 "RegularBackupSaveDays": 90, "RegularBackupStrategy": "months",
                 "RegularBackupCounts": 1, "RegularBackupStartTime": "2024-01-01",
                 "BlockedThreshold": 0, "EventSaveDays": 7,
                 "TDEConfig": {"Encryption": "disable", "CertificateAttribution": "",
                               "QuoteUin": ""},
                 "SSLConfig": {"Encryption": enc,
                               "SSLValidityPeriod": S.cst_time(sim.api_expiry(inst)) if on else "",
                               "SSLValidity": 1 if on else 0, "IsKMS": 0, "CMKId": "",
                               "CMKRegion": ""},
                 "OldVipList": [], "XEventStatus": "disable", "MultiDrReadableInfo": [],
                 "IsDiskEncryptFlag": 0, "IsSafetyLimited": 0, "IsSupportSA": 1,
                 "SlowLogThreshold": 1000}
            if sc == "wrong_type":
                r["SSLConfig"]["Encryption"] = True
        r.update(inst.get("extra", {}))
        rid = S._req_id()
        r["RequestId"] = rid
        return S.json_resp(200, {"Response": r}, None, [("X-Request-Id", rid)])
    return answer


# service -> (default Limit, largest Limit, default port, the paging error,
# the CAM refusal of its list call)
LISTS = {
    "mysql": (20, 2000, 3306, ("InvalidParameter", "The value of Limit or Offset is not valid."),
              ("OperationDenied.UserHasNoStrategy", "The sub-account has no CAM policy for this action.")),
    "mongodb": (20, 100, 27017, ("InvalidParameterValue.LimitParaOutOfRange",
                                 "Limit must be between 1 and 100."),
                ("InvalidParameter.PermissionDenied", "The API has no CAM permissions.")),
    "sqlserver": (100, 100, 1433, ("InvalidParameter.InputIllegal", "The value of Limit or Offset is illegal."),
                  ("UnauthorizedOperation.PermissionDenied", "CAM denies this action.")),
}


def _address(S, inst):
    h = int(S.short_hash(inst["id"])[:4], 16)
    port = inst.get("port", str(LISTS[inst["service"]][2]))
    return {"host": inst.get("ip", "10.2.%d.%d" % (h >> 8 & 255, h & 255 | 1)),
            "port": int(port) if str(port).isdigit() else port}


class _List:
    """One product's DescribeDBInstances for Tencent.list_query/list_answer."""

    def __init__(self, S, service):
        self.S, self.service = S, service
        self.default, self.most, _, self.bad, self.AUTH_DENIED = LISTS[service]

    def list_query(self, tc, fleet, call):
        doc = call.doc
        limit, offset = doc.get("Limit", self.default), doc.get("Offset", 0)
        for name, v in (("Limit", limit), ("Offset", offset)):
            if isinstance(v, bool) or not isinstance(v, int):
                return tc._bad(call, name), None
        if not 1 <= limit <= self.most or offset < 0:
            return tc.err(call, *self.bad), None
        tests = []
        if self.service == "sqlserver":
            keys = doc.get("TagKeys", [])
            if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
                return tc._bad(call, "TagKeys"), None
            tests += [lambda i, k=k: k in i.get("tags", {}) for k in keys]
            if doc.get("PaginationType", "pageNumber") != "offset":
                offset *= limit             # a page number
        else:
            kn, vn = ("Key", "Value") if self.service == "mysql" else ("TagKey", "TagValue")
            pairs = doc.get("Tags", [])
            if not (isinstance(pairs, list) and all(
                    isinstance(p, dict) and isinstance(p.get(kn), str)
                    and isinstance(p.get(vn, ""), str) for p in pairs)):
                return tc._bad(call, "Tags"), None
            tests += [lambda i, p=p: i.get("tags", {}).get(p[kn]) == p.get(vn, "") for p in pairs]
        items = [i for i in fleet.listing(call.account["name"], self.service, call.region)
                 if all(t(i) for t in tests)]
        return None, {"service": self.service, "offset": offset, "limit": limit,
                      "page": offset // limit + 1, "items": items}

    def list_answer(self, tc, sim, call, q):
        S = self.S
        rows = []
        # the array's name, present (empty) when nothing is listed
        key = {"mysql": "Items", "mongodb": "InstanceDetails"}.get(self.service, "DBInstances")
        for i in q["items"][q["offset"]:q["offset"] + q["limit"]]:
            a = _address(S, i)
            tags = [{"TagKey": k, "TagValue": v} for k, v in i.get("tags", {}).items()]
            base = {"InstanceId": i["id"], "Region": i["region"], "Zone": i["region"] + "-3",
                    "Vip": a["host"], "Vport": a["port"], "UniqVpcId": "vpc-sim0001",
                    "UniqSubnetId": "subnet-sim0001", "ProjectId": 0, "PayType": 1}
            if self.service == "mysql":
                base.update(InstanceName=S.provider_name(i), Status=1, InstanceType=1, EngineVersion="8.0",
                            DeviceType="UNIVERSAL", WanStatus=0, WanDomain="", WanPort=0, Memory=1000,
                            Volume=25, ZoneName=i["region"] + "-3", TagList=tags)
            elif self.service == "mongodb":
                h = int(S.short_hash(i["id"])[:4], 16)
                base["Vip"] = ";".join([str(a["host"])] + ["10.3.%d.%d" % (h >> 8 & 255, (h + n) & 255 | 1)
                                                           for n in (2, 4)])
                base.update(InstanceName=S.provider_name(i), Status=2, ClusterType=0, NetType=1,
                            MongoVersion="MONGO_40_WT", Memory=2048, Volume=100, InstanceType=1,
                            Tags=tags)
            else:
                base.update(Name=S.provider_name(i), Status=2, RegionId=1, ZoneId=100003,
                            Version="2019", VersionName="SQL Server 2019 Standard",
                            Type="CLOUD_SSD", DnsPodDomain="", TgwWanVPort=0, ResourceTags=tags)
            rows.append(base)
        rid = S._req_id()
        r = {"TotalCount": len(q["items"]), key: rows, "RequestId": rid}
        return S.json_resp(200, {"Response": r}, None, [("X-Request-Id", rid)])


def register(S):
    """Add the services to the simulator module S (tlsfleet_sim)."""
    tc = S.PROVIDERS["tencent"]
    tc["services"] = tuple(tc["services"]) + tuple(x for x in SERVICES if x not in tc["services"])
    S.Tencent.VERSIONED.update(VERSIONED)
    S.Tencent.SCOPES.update(SCOPES)
    answer = _answer(S)
    for svc in SERVICES:
        S.Tencent.SERVICE_ANSWERS[svc] = answer
    S.DEFAULT_FILE.update(DEFAULT_FILES)
    for svc in SERVICES:
        S.Tencent.LIST_CALLS[svc] = _List(S, svc)
    base_address = S.list_address

    def list_address(inst):
        if inst["provider"] == "tencent" and inst["service"] in SERVICES:
            return _address(S, inst)
        return base_address(inst)
    S.list_address = list_address
    base = S._scenarios_for

    def scenarios_for(provider, service):
        s = base(provider, service)
        if provider == "tencent" and service == "sqlserver":
            s.add("configuring")
        return s
    S._scenarios_for = scenarios_for
