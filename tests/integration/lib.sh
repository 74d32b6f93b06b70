# Shared helpers for the integration tests (sourced, bash). Every test runs
# in its own scratch directory with its own HOME and XDG dirs, so nothing
# of the user's (credentials, state, themes) leaks in, and prints TAP.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PYTHON3:=$(command -v python3 || true)}"
# A pyenv shim costs about a second per start: ask it once for the real one.
if [ -n "$PYTHON3" ]; then
	PYTHON3=$("$PYTHON3" -c 'import sys; print(sys.executable)' 2>/dev/null || echo "$PYTHON3")
fi
TLSFLEET="$top_builddir/tlsfleet"
SIM="$top_srcdir/tests/sim/tlsfleet_sim.py"

tap_n=0
tap_failed=0

ok() {  # ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

check() {  # check DESCRIPTION COMMAND...: ok when the command succeeds
	local desc=$1
	shift
	if "$@"; then ok 0 "$desc"; else ok 1 "$desc"; fi
}

is() {  # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

diag() { echo "# $*"; }

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

require_sim() {
	[ -n "$PYTHON3" ] || skip_all "python3 not found"
	"$PYTHON3" -c 'import cryptography' 2>/dev/null || skip_all "python3-cryptography not installed"
	[ -x "$TLSFLEET" ] || skip_all "tlsfleet not built"
}

# A private world for this test.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsfleet-test.XXXXXX")
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" \
	XDG_STATE_HOME="$WORK/home/.local/state" XDG_CACHE_HOME="$WORK/home/.cache"
mkdir -p "$HOME"
unset TENCENTCLOUD_SECRET_ID TENCENTCLOUD_SECRET_KEY TENCENTCLOUD_SESSION_TOKEN \
	TENCENTCLOUD_SECURITY_TOKEN TENCENTCLOUD_CREDENTIALS_FILE HUAWEICLOUD_SDK_AK \
	HUAWEICLOUD_SDK_SK HUAWEICLOUD_SDK_SECURITY_TOKEN HUAWEICLOUD_SDK_PROJECT_ID \
	HUAWEICLOUD_SDK_CREDENTIALS_FILE ALIBABA_CLOUD_ACCESS_KEY_ID \
	ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN ALIBABA_CLOUD_PROFILE \
	ALIBABA_CLOUD_CREDENTIALS_FILE NO_COLOR 2>/dev/null || true
SIM_PID=""

# TLSFLEET_TEST_KEEP=1 keeps a test's files (configs, outputs, simulator
# log) for a look after a failure.
cleanup() {
	stop_sim
	if [ -n "${TLSFLEET_TEST_KEEP:-}" ]; then
		echo "# kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
	local deadline=$(( $(date +%s) + $1 ))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# start_sim FLEET [SIM OPTIONS...]: start the simulator; sets SIM_PORT,
# SIM_CONFIG (a tlsfleet config for the fleet, mode 0600), SIM_LOG, SIM_DIR.
start_sim() {
	local fleet=$1
	shift
	SIM_DIR="$WORK/sim"
	SIM_CONFIG="$WORK/config"
	SIM_LOG="$WORK/sim.log"
	mkdir -p "$SIM_DIR"
	rm -f "$SIM_DIR/ready.json" "$SIM_LOG"
	"$PYTHON3" "$SIM" --fleet "$fleet" --state-dir "$SIM_DIR" --port 0 \
		--ready-file "$SIM_DIR/ready.json" --write-config "$SIM_CONFIG" \
		--log "$SIM_LOG" --max-lifetime 900 "$@" >"$WORK/sim.out" 2>&1 &
	SIM_PID=$!
	if ! wait_for 30 test -s "$SIM_DIR/ready.json"; then
		echo "Bail out! the simulator did not start:"
		sed 's/^/# /' "$WORK/sim.out"
		exit 1
	fi
	SIM_PORT=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$SIM_DIR/ready.json")
	export SIM_PORT SIM_CONFIG SIM_LOG SIM_DIR
}

stop_sim() {
	local t0=$SECONDS
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
		SIM_PID=""
	fi
}

# json_get FILE PYTHON-EXPR: evaluate an expression over the parsed JSON `d`.
json_get() {
	"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# state_of JSONFILE NAME: the state of one instance in --list JSON.
state_of() {
	json_get "$1" "next(i['state'] for i in d if i['name']=='$2')"
}

# pycheck DESCRIPTION PYTHON-EXPR [JSON FILES...]: ok when the expression is
# true. The files are loaded as j[0], j[1]...; `by` maps --list JSON by
# name; `exp` is the simulator's expected.json (by instance name); `reqs`
# the requests the simulator logged.
pycheck() {
	local desc=$1 expr=$2
	shift 2
	local out
	if out=$("$PYTHON3" - "$expr" "${SIM_DIR:-}" "$@" 2>&1 <<'PY'
import json, os, sys
expr, simdir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
log = os.environ.get("SIM_LOG")
reqs = [json.loads(l) for l in open(log)] if log and os.path.exists(log) else []
j = [json.load(open(f)) if f.endswith(".json") else f for f in files]
by = {i["name"]: i for i in j[0]} if j and isinstance(j[0], list) else {}
exp = {}
if simdir and os.path.exists(os.path.join(simdir, "expected.json")):
    exp = json.load(open(os.path.join(simdir, "expected.json")))["instances"]
ok = eval(expr)
if not ok:
    print("expression was false")
sys.exit(0 if ok else 1)
PY
	); then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}
