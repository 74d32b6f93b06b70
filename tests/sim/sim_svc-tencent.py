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
"""

SERVICES = ("mysql", "mongodb", "sqlserver")

# (action, version) -> (fleet service, version, instance id field)
VERSIONED = {
    ("DescribeSSLStatus", "2017-03-20"): ("mysql", "2017-03-20", "InstanceId"),
    ("DescribeInstanceSSL", "2019-07-25"): ("mongodb", "2019-07-25", "InstanceId"),
    ("DescribeDBInstancesAttribute", "2018-03-28"): ("sqlserver", "2018-03-28", "InstanceId"),
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
        if sc == "throttled":
            return tc.throttle(call)
        if sc == "error_500":
            return tc.err(call, inst.get("error_code", "InternalError"), "Internal error.",
                          int(inst.get("http_status", 500)))
        if sc == "provider_error":
            return tc.err(call, inst["error_code"], inst.get("error_message", "Simulated error."),
                          int(inst.get("http_status", 200)))
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
    base = S._scenarios_for

    def scenarios_for(provider, service):
        s = base(provider, service)
        if provider == "tencent" and service == "sqlserver":
            s.add("configuring")
        return s
    S._scenarios_for = scenarios_for
