# Helpers of the discovery tests (it_discovery.sh, it_discovery_services.sh),
# sourced after tests/integration/lib.sh and start_sim: configs with discover groups for
# a simulator fleet, and the instance sets a snippet holds and the simulator
# lists (its expected.json).

# write_config FILE FLEET-JSON DISCOVER-PYDICT: the fleet's accounts named in
# $DISC_ACCOUNTS (default tc-disc, hw-disc and ali-disc) with their keys inline; DISCOVER maps account name to
# the text of its discover group (accounts left out have none), plus
# "_rate" (account -> rate_limit) and "_instances" (instance names of the
# fleet to configure).
write_config() {
	"$PYTHON3" - "$@" "$SIM_PORT" "$SIM_DIR" "${DISC_ACCOUNTS:-tc-disc hw-disc ali-disc}" <<'PY'
import json, sys
out, fleet, spec, port, simdir = sys.argv[1], sys.argv[2], eval(sys.argv[3]), sys.argv[4], sys.argv[5]
names = sys.argv[6].split()
f = json.load(open(fleet))
keys = {"tencent": ("secret_id", "secret_key"), "huawei": ("access_key", "secret_key"),
        "alibaba": ("access_key_id", "access_key_secret")}
lines = ['ca_file = "%s/ca.pem";' % simdir, 'download_dir = "%s/dl";' % simdir, "retries = 3;",
         "fetch_ca = false;", "accounts = ("]
accs = []
for a in f["accounts"]:
    if a["name"] not in names:
        continue
    k = keys[a["provider"]]
    s = '  { name = "%s"; provider = "%s"; endpoint = "https://127.0.0.1:%s"; %s = "%s"; %s = "%s";' % (
        a["name"], a["provider"], port, k[0], a[k[0]], k[1], a[k[1]])
    if "project_id" in a:
        s += ' project_id = "%s";' % a["project_id"]
    if a["name"] in spec.get("_rate", {}):
        s += " rate_limit = %s;" % spec["_rate"][a["name"]]
    if a["name"] in spec:
        s += " discover = { %s };" % spec[a["name"]]
    accs.append(s + " }")
lines.append(",\n".join(accs))
lines.append(");")
lines.append("instances = (")
ins = [i for i in f["instances"] if i.get("name") in spec.get("_instances", [])]
lines.append(",\n".join('  { name = "%s"; account = "%s"; service = "%s"; region = "%s"; id = "%s"; }' % (
    i["name"], i["account"], i["service"], i["region"], i["id"]) for i in ins))
lines.append(");")
open(out, "w").write("\n".join(lines) + "\n")
PY
	chmod 600 "$1"
}

# snippet_ids FILE: "account service region id" per instance of a snippet.
snippet_set() {
	"$PYTHON3" - "$1" <<'PY'
import re, sys
for m in re.finditer(r'account = "([^"]*)"; service = "([^"]*)"; region = "([^"]*)"; id = "([^"]*)"', open(sys.argv[1]).read()):
    print(" ".join(m.groups()))
PY
}

# expected_set ACCOUNT SERVICE REGION [PYTHON-FILTER over e]: what the
# simulator lists, from its expected.json.
expected_set() {
	"$PYTHON3" - "$SIM_DIR/expected.json" "$@" <<'PY'
import fnmatch, json, sys
d = json.load(open(sys.argv[1]))
acc, svc, reg = sys.argv[2:5]
flt = sys.argv[5] if len(sys.argv) > 5 else "True"
by_id = {(e["account"], e["service"], e["id"]): e for e in d["instances"].values()}
for i in d["discovery"].get(acc, {}).get(svc, {}).get(reg, []):
    e = by_id[(acc, svc, i)]
    if eval(flt):
        print(acc, svc, reg, i)
PY
}
