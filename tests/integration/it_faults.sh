#!/bin/bash
# Faults: a fleet refreshed while the simulator injects faults into 30% of
# the API calls (resets, truncated and dripping bodies, 5xx, throttling,
# HTML instead of JSON, hangs) ends with every instance in a definite state,
# and the next refresh after the storm recovers every one. The dashboard
# keeps answering keys during a storm. The server dying mid-refresh and
# coming back on the same port; endpoints that present another CA's
# certificate, do not resolve, refuse, or accept and never answer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/data/reliability/common.sh"
require_sim
. "$top_srcdir/tests/integration/screen.sh"

FLEET="$top_srcdir/tests/data/reliability/faults.json"
ALL_FAULTS=reset,truncate,slow_body,5xx,throttle,wrong_content_type,hang
EXTRA_PIDS=""
trap 'stop_tmux; for p in $EXTRA_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; keep_work; cleanup' EXIT

# Expected state per instance name, from the fleet's scenarios.
"$PYTHON3" -c '
import json, sys
for i in json.load(open(sys.argv[1]))["instances"]:
    print(i["name"], i["scenario"])' "$FLEET" >"$WORK/expected"
n_instances=$(wc -l <"$WORK/expected")

# definite JSON: every state definite, error.code set on every non-success,
# and no attempt longer than the timeout (2 s) allows.
definite() {
	pycheck "$1" 'all(i["state"] != "unknown" and (i["state"] in ("enabled","disabled","configuring","unsupported","no_info") or (i["error"] and i["error"]["code"])) for i in j[0]) and len(j[0]) == '"$n_instances" "$2"
}

# run_list OUT: --list under a hard guard; prints the exit code.
run_list() {
	timeout 90 "$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$1" 2>"$1.err"
	echo $?
}

# ---- the storm: 30% of API calls faulted, every fault kind ----------------
start_sim "$FLEET" --fault-rate 0.3 --faults "$ALL_FAULTS" --seed 11
storm_port=$SIM_PORT
round=0
while :; do
	round=$((round + 1))
	t0=$(date +%s%N)
	rc=$(run_list "$WORK/storm$round.json")
	t1=$(date +%s%N)
	case $rc in 0|1) ok 0 "storm round $round: --list ends by itself (exit $rc, $(((t1 - t0) / 1000000)) ms)" ;;
		*) ok 1 "storm round $round: --list ends by itself (exit $rc)"; sed 's/^/#   /' "$WORK/storm$round.json.err" ;; esac
	definite "storm round $round: every instance definite, error.code on every failure" "$WORK/storm$round.json"
	pycheck "storm round $round: no attempt outlived the 2 s timeout (latency under 3.5 s)" \
		'all(i["latency_ms"] is None or i["latency_ms"] <= 3500 for i in j[0])' "$WORK/storm$round.json"
	kinds=$("$PYTHON3" -c 'import json,sys; print(len({json.loads(l)["fault"] for l in open(sys.argv[1])} - {None}))' "$SIM_LOG")
	# Three rounds at least; more only until every kind has been injected.
	[ "$round" -ge 3 ] && { [ "$kinds" -ge 7 ] || [ "$round" -ge 8 ]; } && break
done
"$PYTHON3" - "$SIM_LOG" "$WORK"/storm*.json <<'PY' >"$WORK/storm.figures"
import collections, json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
api = [r for r in reqs if r["action"] != "download"]
faults = collections.Counter(r["fault"] for r in api if r["fault"])
states = collections.Counter()
codes = collections.Counter()
for f in sys.argv[2:]:
    for i in json.load(open(f)):
        states[i["state"]] += 1
        if i["error"] and i["state"] == "error":
            codes[i["error"]["code"]] += 1
print("rounds=%d api_requests=%d faulted=%d (%.0f%%)" % (len(sys.argv) - 2, len(api), sum(faults.values()),
      100.0 * sum(faults.values()) / max(1, len(api))))
print("faults: " + ", ".join("%s=%d" % kv for kv in sorted(faults.items())))
print("end states: " + ", ".join("%s=%d" % kv for kv in sorted(states.items())))
print("error codes: " + ", ".join("%s=%d" % kv for kv in sorted(codes.items())))
PY
sed 's/^/# /' "$WORK/storm.figures"
is "$kinds" 7 "all seven fault kinds were injected"
pycheck "faults hit about 30% of the API calls" \
	'0.15 <= sum(1 for r in reqs if r["fault"]) / max(1, sum(1 for r in reqs if r["action"] != "download")) <= 0.45'
check "no crash message on stderr" bash -c "! grep -E -q 'Sanitizer|runtime error|Segmentation fault|Assertion .* failed' '$WORK'/storm*.json.err"

# ---- the faults stop: the next refresh recovers every instance -----------------
stop_sim
start_sim "$FLEET" --port "$storm_port"
is "$SIM_PORT" "$storm_port" "the simulator is back on the same port, same state dir"
rc=$(run_list "$WORK/after.json")
is "$rc" 0 "after the storm: --list exits 0 (every instance answered)"
pycheck "after the storm: every instance in its real state" \
	'all(by[n]["state"] == s and (s == "unsupported" or by[n]["error"] is None) for n, s in (l.split() for l in open(j[1])))' \
	"$WORK/after.json" "$WORK/expected"
pycheck "after the storm: the Tencent CA files were inspected (certificate expiry known)" \
	'all(i["cert_expires"] for i in j[0] if i["state"] == "enabled")' "$WORK/after.json"

# ---- the server dies mid-refresh and comes back on the same port --------------
# Slow answers (0.8 s), four in flight: the refresh takes several seconds,
# and 4 retries (backoff 0.5 s doubling) give the restart time to happen.
stop_sim
start_sim "$FLEET" --port "$storm_port" --latency-ms 800
sed -e 's/^retries = .*/retries = 4;/' -e 's/^concurrency = .*/concurrency = 4;/' "$SIM_CONFIG" >"$WORK/slow.conf"
chmod 600 "$WORK/slow.conf"
grep -q '^retries = 4;' "$WORK/slow.conf" || echo "retries = 4;" >>"$WORK/slow.conf"
timeout 120 "$TLSFLEET" -c "$WORK/slow.conf" --list --format json >"$WORK/died.json" 2>"$WORK/died.err" &
list_pid=$!
check "requests are under way" wait_for 20 sh -c "[ \$(wc -l <'$SIM_LOG') -ge 6 ]"
kill -KILL "$SIM_PID"
wait "$SIM_PID" 2>/dev/null
SIM_PID=""
before_restart=$(wc -l <"$SIM_LOG")
start_sim "$FLEET" --port "$storm_port" --latency-ms 800   # a new, empty log
wait "$list_pid"
rc=$?
case $rc in 0|1) ok 0 "server killed mid-refresh: --list still ends (exit $rc)" ;;
	*) ok 1 "server killed mid-refresh: --list still ends (exit $rc)" ;; esac
definite "server killed mid-refresh: every instance definite" "$WORK/died.json"
after_restart=$(wc -l <"$SIM_LOG")
recovered=$(json_get "$WORK/died.json" 'sum(1 for i in d if i["error"] is None)')
diag "killed after $before_restart requests; $after_restart requests reached the restarted server; $recovered of $n_instances instances answered in the same run"
check "the same refresh went on against the restarted server" test "$after_restart" -gt 0
rc=$(run_list "$WORK/died2.json")
is "$rc" 0 "the next refresh: every instance answers"
pycheck "the next refresh: every instance in its real state" \
	'all(by[n]["state"] == s for n, s in (l.split() for l in open(j[1])))' "$WORK/died2.json" "$WORK/expected"
stop_sim

# ---- endpoints that never give an answer -----------------------------------
# Another simulator with its own throw-away CA: tlsfleet trusts only ours.
mkdir -p "$WORK/other"
"$PYTHON3" "$SIM" --fleet "$FLEET" --state-dir "$WORK/other" --port 0 \
	--ready-file "$WORK/other/ready.json" --log "$WORK/other/sim.log" --max-lifetime 300 \
	>"$WORK/other/out" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
# A listener that accepts connections and never says a word.
"$PYTHON3" -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
deadline = time.time() + 300
while time.time() < deadline:
    c, _ = s.accept()
    held.append(c)' "$WORK/silent.port" &
EXTRA_PIDS="$EXTRA_PIDS $!"
# A port nothing listens on.
closed_port=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
wait_for 30 test -s "$WORK/other/ready.json" || echo "Bail out! the second simulator did not start"
wait_for 10 test -s "$WORK/silent.port" || echo "Bail out! the silent listener did not start"
other_port=$(json_get "$WORK/other/ready.json" 'd["port"]')
silent_port=$(cat "$WORK/silent.port")
"$PYTHON3" - "$FLEET" "$WORK/bad.json" "$other_port" "$silent_port" "$closed_port" <<'PY'
import json, sys
src, out, other, silent, closed = sys.argv[1:]
d = json.load(open(src))
d["config"] = {"refresh_interval": 0, "timeout": 2.0, "retries": 1}
tc, hw, ali = d["accounts"]
ends = {"untrusted": "https://127.0.0.1:%s" % other, "nodns": "https://tlsfleet-test.invalid",
        "silent": "https://127.0.0.1:%s" % silent, "refused": "https://127.0.0.1:%s" % closed}
accts = [tc]
insts = [{"name": "good", "account": "tc", "service": "redis", "region": "ap-guangzhou",
          "id": "crs-flt00000", "scenario": "enabled"}]
for n, (name, url) in enumerate(sorted(ends.items())):
    a = dict(tc, name=name, endpoint=url, secret_id="AKIDtlsfleetTESTbadend00000000000%02d" % n)
    accts.append(a)
    insts.append({"name": name, "account": name, "service": "redis", "region": "ap-guangzhou",
                  "id": "crs-flt00000", "scenario": "enabled"})
d["accounts"], d["instances"] = accts, insts
json.dump(d, open(out, "w"), indent=1)
PY
start_sim "$WORK/bad.json"
rc=$(run_list "$WORK/bad.out.json")
is "$rc" 1 "unreachable endpoints: --list exits 1"
L="$WORK/bad.out.json"
is "$(state_of "$L" good)" enabled "the good instance is unaffected"
pycheck "another CA's certificate: CURLE_PEER_FAILED_VERIFICATION" \
	'by["untrusted"]["state"] == "error" and by["untrusted"]["error"]["code"] == "CURLE_PEER_FAILED_VERIFICATION"' "$L"
check "no request (no signature) reached the untrusted server" test ! -s "$WORK/other/sim.log"
pycheck "a name that does not resolve: CURLE_COULDNT_RESOLVE_HOST" \
	'by["nodns"]["error"]["code"] == "CURLE_COULDNT_RESOLVE_HOST" and by["nodns"]["http_status"] is None' "$L"
pycheck "accepts and never answers: CURLE_OPERATION_TIMEDOUT" \
	'by["silent"]["error"]["code"] == "CURLE_OPERATION_TIMEDOUT" and by["silent"]["latency_ms"] <= 3500' "$L"
pycheck "nothing listening: CURLE_COULDNT_CONNECT" 'by["refused"]["error"]["code"] == "CURLE_COULDNT_CONNECT"' "$L"
pycheck "every failure names itself in the message" \
	'all(by[n]["error"]["message"] for n in ("untrusted","nodns","silent","refused"))' "$L"
stop_sim

# ---- the dashboard during a storm ---------------------------------------------
if [ -z "$TMUX_BIN" ]; then
	ok 0 "# SKIP dashboard storm: tmux not found"
	check "no sanitizer report in any output" sanitizer_clean "$WORK"
	done_testing
	exit
fi
start_sim "$FLEET" --fault-rate 0.3 --faults "$ALL_FAULTS" --seed 5
run_dashboard "$SIM_CONFIG" TLSFLEET_UI_STATS="$WORK/uistats"
expect "the dashboard opens worst first" "CHECK▲"
keys s
expect "s: sorted by name" "NAME▲"
keys g
expect_re "the dashboard is up" "^[A-Z]+ +ali-disabled-1 "
keys Enter
expect_re "detail of the first row" "^Instance +ali-disabled-1$"
: >"$WORK/react"
storm_start=$(wc -l <"$SIM_LOG")
for round in 1 2 3 4; do
	keys R
	keys j
	echo "j $(react_ms '^Instance +ali-disabled-2$')" >>"$WORK/react"
	keys j
	echo "j $(react_ms '^Instance +ali-enabled-1$')" >>"$WORK/react"
	keys k
	echo "k $(react_ms '^Instance +ali-disabled-2$')" >>"$WORK/react"
	keys k
	echo "k $(react_ms '^Instance +ali-disabled-1$')" >>"$WORK/react"
	keys /
	echo "/ $(react_ms '^Filter: +[0-9]+ shown')" >>"$WORK/react"
	keys h w
	echo "type $(react_ms '^Filter: hw +[0-9]+ shown')" >>"$WORK/react"
	echo "filter $(react_ms '^[A-Z]+ +hw-disabled-1 ')" >>"$WORK/react"
	keys Escape
	echo "esc $(react_ms '^[A-Z]+ +ali-disabled-1 ')" >>"$WORK/react"
	keys g
	has "TLSFLEET_EXIT=" && break   # it died: the checks below say so
done
storm_reqs=$(($(wc -l <"$SIM_LOG") - storm_start))
storm_faults=$(tail -n "+$((storm_start + 1))" "$SIM_LOG" | grep -c '"fault": "')
check "every key got its reaction on screen" bash -c "! grep -q timeout '$WORK/react'"
diag "dashboard storm: $storm_reqs requests, $storm_faults faulted; reaction ms (max per key): $(
	awk '{ if ($2 > m[$1]) m[$1] = $2 } END { for (k in m) printf "%s=%s ", k, m[k] }' "$WORK/react")"
# The faults stop: R brings every instance back.
stop_sim
start_sim "$FLEET" --port "$SIM_PORT"
keys R
want=$("$PYTHON3" -c '
import collections, sys
c = collections.Counter(l.split()[1] for l in open(sys.argv[1]))
print("| %s 0 errors |" % (" ".join("%d %s" % (c[s], s) for s in
      ("enabled", "disabled", "configuring", "unsupported", "no_info") if c[s])))' "$WORK/expected")
expect "after the storm, R: every instance back in its real state ($want)" "$want" 60
expect "and the round ends" "idle | auto refresh off" 30
keys q
expect "q quits with 0, terminal settings restored" "TLSFLEET_EXIT=0 TTY=restored"
is "$(alt_screen)" 0 "the alternate screen is left"
[ -s "$WORK/uistats" ] && diag "UI statistics during the storm: $(grep -v '^#' "$WORK/uistats" | tr '\n' ' ')"
stop_tmux
check "no sanitizer report in any output" sanitizer_clean "$WORK"
done_testing
