#!/bin/bash
# Discovery of a big fleet against the simulator's list APIs: N instances
# (default 10000) spread over the four list calls, listed by
# `tlsfleet --discover` at the default rate limit (20 requests/s per
# account and action). Prints the pages per list call, the floor the
# pacer allows (the slowest key's pages at its rate: keys run in
# parallel), the wall time, the requests' largest count in any second per
# key, and the peak RSS (GNU time). Figures only, no assertions.
#
# LATENCY_MS (default 0) delays every answer of the simulator by that
# much, as a real cloud's 100-300 ms do: the case where pages requested
# one after another pay a round trip each.
#
#   cd BUILD_DIR && [LATENCY_MS=150] SRC_DIR/bench/discovery_bench.sh [N] [RUNS]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$PWD}
n=${1:-10000}
runs=${2:-3}
latency=${LATENCY_MS:-0}
py=$(command -v python3)
tlsfleet="$build/tlsfleet"
[ -x "$tlsfleet" ] || { echo "no $tlsfleet: run from the build directory" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed for the RSS" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tlsfleet-discbench.XXXXXX")
sim_pid=""
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# The fleet: the discovery fleet's four listing accounts, n/4 instances each.
"$py" - "$src/tests/data/sim/discovery.json" "$work/fleet.json" "$n" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
n = int(sys.argv[3]) // 4
f["list_faults"] = []
f["accounts"] = [a for a in f["accounts"] if a["name"] in ("tc-disc", "hw-disc", "ali-disc")]
f["instances"] = [
    {"generate": {"count": n, "name": "r-{n:05d}", "id": "crs-b{n:06d}"}, "account": "tc-disc",
     "service": "redis", "region": "ap-guangzhou", "in_config": False},
    {"generate": {"count": n, "name": "p-{n:05d}", "id": "postgres-b{n:06d}"}, "account": "tc-disc",
     "service": "postgres", "region": "ap-guangzhou", "in_config": False},
    {"generate": {"count": n, "name": "d-{n:05d}", "id": "0000{n:04d}-dcs0-4000-8000-{n:012d}"},
     "account": "hw-disc", "service": "dcs", "region": "eu-de", "in_config": False},
    {"generate": {"count": n, "name": "a-{n:05d}", "id": "r-b{n:06d}"}, "account": "ali-disc",
     "service": "redis", "region": "cn-hangzhou", "in_config": False},
]
json.dump(f, open(sys.argv[2], "w"))
PY
"$py" "$src/tests/sim/tlsfleet_sim.py" --fleet "$work/fleet.json" --state-dir "$work/sim" --port 0 \
	--ready-file "$work/ready.json" --log "$work/sim.log" --max-lifetime 3600 \
	--latency-ms "$latency" >"$work/sim.out" 2>&1 &
sim_pid=$!
for _ in $(seq 600); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
port=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$work/ready.json")
"$py" - "$work/fleet.json" "$work/config" "$port" "$work/sim" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
keys = {"tencent": ("secret_id", "secret_key"), "huawei": ("access_key", "secret_key"),
        "alibaba": ("access_key_id", "access_key_secret")}
region = {"tc-disc": "ap-guangzhou", "hw-disc": "eu-de", "ali-disc": "cn-hangzhou"}
# the four list calls only: without `services` an account lists every
# service its cloud has a list call for
services = {"tc-disc": '"redis", "postgres"', "hw-disc": '"dcs"', "ali-disc": '"redis"'}
out = ['ca_file = "%s/ca.pem";' % sys.argv[4], "accounts = ("]
acc = []
for a in f["accounts"]:
    k = keys[a["provider"]]
    s = '{ name = "%s"; provider = "%s"; endpoint = "https://127.0.0.1:%s"; %s = "%s"; %s = "%s";' % (
        a["name"], a["provider"], sys.argv[3], k[0], a[k[0]], k[1], a[k[1]])
    if "project_id" in a:
        s += ' project_id = "%s";' % a["project_id"]
    acc.append(s + ' discover = { regions = ["%s"]; services = [%s]; }; }' % (
        region[a["name"]], services[a["name"]]))
out.append(",\n".join(acc) + ");")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
chmod 600 "$work/config"

echo "discovery of $n instances over 4 list calls, default rate_limit 20/s per (account, action), answers after $latency ms"
# span_s: first to last request the simulator saw (the pacing part of the wall time)
printf '%-6s %10s %10s %10s %10s %12s\n' run wall_s span_s floor_s "wall/floor" peak_rss_mb
for r in $(seq "$runs"); do
	: >"$work/sim.log"
	/usr/bin/time -f '%e %M' -o "$work/time" "$tlsfleet" -c "$work/config" --discover >"$work/snip" 2>"$work/err" || true
	read -r wall rss <"$work/time"
	"$py" - "$work/sim.log" "$work/snip" "$wall" "$rss" "$r" "$latency" <<'PY'
import collections, json, re, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
listed = len(re.findall(r"\{ name = ", open(sys.argv[2]).read()))
keys = collections.defaultdict(list)
for q in reqs:
    keys[(q["account_name"], q["action"])].append(q["t"])
rate = 20 / 1.04          # the pacer's grid on a busy key
# the slowest key's pages at the rate, then its last answer's latency
floor = max((len(t) - 1) / rate for t in keys.values()) + float(sys.argv[6]) / 1000
wall, rss = float(sys.argv[3]), int(sys.argv[4]) / 1024
ts = sorted(q["t"] for q in reqs)
print("%-6s %10.2f %10.2f %10.2f %10.2f %12.1f" % (sys.argv[5], wall, ts[-1] - ts[0], floor, wall / floor, rss))
if sys.argv[5] == "1":
    for k, t in sorted(keys.items()):
        t.sort()
        peak = max(sum(1 for s in t if u <= s < u + 1) for u in t)
        print("#   %-9s %-20s %4d pages, at most %d in any second" % (k[0], k[1], len(t), peak))
    print("#   instances in the snippet: %d" % listed)
PY
done
