#!/bin/bash
# The snapshot file: the last known state of every instance, beside the
# state file. A headless run leaves it; `--max-age` answers from it with no
# API request (the simulator's log says so); it holds nothing secret; the
# dashboard opens on it (a 2,000-instance paced fleet shows every state at
# once) and a user's `r` on the last row is answered long before the round
# would reach it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim

FLEET="$top_srcdir/demo/fleet.json"
start_sim "$FLEET"
SNAP="$XDG_STATE_HOME/tlsfleet/snapshot.json"
requests() { wc -l <"$SIM_LOG"; }

"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/fresh.json" 2>"$WORK/fresh.err"
check "--list leaves a snapshot beside the state file" test -s "$SNAP"
is "$(stat -c %a "$SNAP")" 600 "the snapshot is private (0600)"
is "$(wc -l <"$SNAP")" 22 "a header line and one line per instance"
n_fresh=$(requests)

# Nothing secret: no key of the demo accounts, no URL query but "?...".
leaks=0
for secret in $("$PYTHON3" -c '
import json, sys
for a in json.load(open(sys.argv[1]))["accounts"]:
    for k in ("secret_key", "access_key_secret", "secret_id", "access_key", "access_key_id"):
        if a.get(k): print(a[k])' "$FLEET"); do
	grep -qF -- "$secret" "$SNAP" && leaks=$((leaks + 1))
done
is "$leaks" 0 "no access key or secret in the snapshot"
check "every URL query is redacted" sh -c "! grep -oE 'https?://[^\"]*\\?[^\"]*' '$SNAP' | grep -v '?\\.\\.\\.\$'"
check "no signature or token field" sh -c "! grep -qiE 'signature|x-amz-|security_?token' '$SNAP'"

# --max-age: answered from the snapshot, no API request at all.
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json --max-age 3600 >"$WORK/cached.json" 2>"$WORK/cached.err"
is "$(requests)" "$n_fresh" "--list --max-age 3600 makes no API request"
pycheck "and prints what the fresh run printed" \
	'[{k: v for k, v in i.items() if k != "days_left"} for i in j[0]] == [{k: v for k, v in i.items() if k != "days_left"} for i in j[1]]' \
	"$WORK/fresh.json" "$WORK/cached.json"
"$TLSFLEET" -c "$SIM_CONFIG" --check --max-age 3600 >"$WORK/check.out"
code=$?
is "$code" 2 "--check --max-age: CRITICAL from the snapshot (ledger-db expired)"
is "$(requests)" "$n_fresh" "--check --max-age makes no API request"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json --max-age 0 >/dev/null 2>&1
check "--max-age 0 asks the API again" test "$(requests)" -ge $((n_fresh + 21))

# Several processes share it: a run over one instance keeps the others.
"$TLSFLEET" -c "$SIM_CONFIG" --list --only orders-cache >/dev/null 2>&1
is "$(wc -l <"$SNAP")" 22 "a run over one instance keeps every other entry"

# A damaged line is skipped with a warning; the rest still answers.
echo '{"name": "orders-cache", "state": ' >>"$SNAP"
n=$(requests)
"$TLSFLEET" -c "$SIM_CONFIG" --list --max-age 3600 >/dev/null 2>"$WORK/damaged.err"
check "a damaged line is reported" grep -q "damaged line" "$WORK/damaged.err"
is "$(requests)" "$n" "and the good lines still answer"

# A replaced instance (same name, another id) never shows the old state.
sed 's/"crs-2btr9ryn"/"crs-replaced"/' "$SIM_CONFIG" >"$WORK/replaced.config"
chmod 600 "$WORK/replaced.config"
"$TLSFLEET" -c "$WORK/replaced.config" --list --format json --max-age 3600 --only orders-cache \
	>"$WORK/replaced.json" 2>/dev/null
is "$(state_of "$WORK/replaced.json" orders-cache)" not_found \
	"an instance with another id is asked, not taken from the snapshot"

"$TLSFLEET" -c "$SIM_CONFIG" --max-age 10 --download orders-cache >/dev/null 2>&1
is "$?" 2 "--max-age goes with --list and --check only"
"$TLSFLEET" -c "$SIM_CONFIG" --list --max-age soon >/dev/null 2>&1
is "$?" 2 "--max-age wants seconds"
stop_sim

# ---- the dashboard on a 2,000-instance paced account ----------------------
: "${TMUX_BIN:=$(command -v tmux || true)}"
if [ -z "$TMUX_BIN" ]; then
	ok 0 "# SKIP tmux not found"
	done_testing
	exit 0
fi
. "$top_srcdir/tests/integration/screen.sh"
trap 'stop_tmux; cleanup' EXIT
rm -f "$SNAP"
cat >"$WORK/big.json" <<'JSON'
{
  "config": {"refresh_interval": 0},
  "accounts": [
    {"name": "ali-big", "provider": "alibaba", "rate_limit": 20,
     "access_key_id": "LTAI5tBIGtlsfleet000001", "access_key_secret": "tlsfleetBigAccessKeySecret001"}
  ],
  "instances": [
    {"generate": {"count": 2000, "name": "big-{n:04d}", "id": "r-big{n:05d}"},
     "account": "ali-big", "service": "redis", "region": "cn-hangzhou",
     "scenario": "enabled", "ca_days_left": 400}
  ]
}
JSON
start_sim "$WORK/big.json"
# The previous run, unpaced so the test does not wait 100 s for it.
sed 's/rate_limit = 20;/rate_limit = 0;/' "$SIM_CONFIG" >"$WORK/fast.config"
chmod 600 "$WORK/fast.config"
check "the fast config really is unpaced" grep -q "rate_limit = 0;" "$WORK/fast.config"
"$TLSFLEET" -c "$WORK/fast.config" --list >/dev/null 2>&1
is "$(($(wc -l <"$SNAP") - 1))" 2000 "the previous run left 2,000 entries"
n_before=$(requests)

run_dashboard "$SIM_CONFIG"
expect "the dashboard opens on the snapshot: 2,000 OK" "2000 OK"
check "while the first paced round is still running" has "refresh "
check "no instance shows unknown" lacks " unknown "
expect_re "rows show their age, marked as remembered" " ~[0-9]+[smhd] *$"
check "fewer requests so far than instances" test "$(($(requests) - n_before))" -lt 2000
keys G
expect "G goes to the last row" "big-2000"
keys r
expect_re "r on a waiting row is taken at once" "big-2000: (moved to the front of the queue|refresh queued)"
# Answered: the last row's age loses its "~" (polled; the round alone
# would take 100 s to get there).
if wait_for 60 sh -c "'$TMUX_BIN' -L '$SOCK' capture-pane -p -t main | grep -E '^OK +big-2000 ' | grep -qvE ' ~[0-9]+[smhd] *\$'"; then
	ok 0 "the last row is refreshed within seconds"
else
	ok 1 "the last row is refreshed within seconds"
	screen | sed 's/^/# /' | tail -5
fi
check "long before the round could reach it" test "$(($(requests) - n_before))" -lt 1500
keys q
expect "q quits" "TLSFLEET_EXIT=0"
stop_tmux
done_testing
