#!/bin/bash
# Secrets never leave struct credentials except as signatures on the wire.
# Every mode runs with recognisable secrets and tokens (all carrying
# SECRETCANARY) taken inline, from the environment and from credential
# files: --list in every format, --check, --download, the dashboard (tmux
# captures of the table, every detail pane, the log, downloads), and every
# kind of error (wrong keys, throttling, clock skew, bad configs, missing
# or broken credential files). Then everything tlsfleet printed or wrote
# (stdout, stderr, screens, state, cache, downloads) is searched for the
# secrets, the tokens and every signature the simulator saw
# (--log-signatures-to). Also: a config holding secrets that others can
# read is refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/data/reliability/common.sh"
require_sim
. "$top_srcdir/tests/integration/screen.sh"
trap 'stop_tmux; keep_work; cleanup' EXIT

FLEET="$top_srcdir/tests/data/reliability/secrets.json"
OUT="$WORK/out"          # everything tlsfleet prints lands here
SIGS="$WORK/sigs"        # every signature the simulator saw
EXTRA="$WORK/extra-secrets"
mkdir -p "$OUT"
: >"$EXTRA"

# Keys from the environment (account *-env) and from credential files
# (accounts *-file, profile "canary"), as the fleet has them.
ENV_KEYS=(
	TENCENTCLOUD_SECRET_ID=AKIDtlsfleetIDCANARYtcEnv0000000001
	TENCENTCLOUD_SECRET_KEY=SECRETCANARYtcEnvKey000000000001
	TENCENTCLOUD_SESSION_TOKEN=SECRETCANARYtcEnvToken0000000001
	HUAWEICLOUD_SDK_AK=HWIDCANARYENV0000001
	HUAWEICLOUD_SDK_SK=SECRETCANARYhwEnvKey00000000000000000001
	HUAWEICLOUD_SDK_SECURITY_TOKEN=SECRETCANARYhwEnvToken0000000001
	ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIIDCANARYaliEnv00001
	ALIBABA_CLOUD_ACCESS_KEY_SECRET=SECRETCANARYaliEnvSecret00000001
)
mkdir -p "$HOME/.tencentcloud" "$HOME/.huaweicloud" "$HOME/.alibabacloud" "$HOME/.aliyun"
write_cred_files() {
	printf '[default]\nsecret_id = AKIDunused\nsecret_key = SECRETCANARYunusedDefault\n[canary]\nsecret_id = AKIDtlsfleetIDCANARYtcFile000000001\nsecret_key = SECRETCANARYtcFileKey00000000001\ntoken = SECRETCANARYtcFileToken000000001\n' \
		>"$HOME/.tencentcloud/credentials"
	printf '[canary]\nak = HWIDCANARYFILE000001\nsk = SECRETCANARYhwFileKey0000000000000000001\nsecurity_token = SECRETCANARYhwFileToken000000001\n' \
		>"$HOME/.huaweicloud/credentials"
	printf '[canary]\ntype = sts\naccess_key_id = STS.IDCANARYaliFile00001\naccess_key_secret = SECRETCANARYaliFileSecret0000001\nsecurity_token = SECRETCANARYaliFileToken00000001\n' \
		>"$HOME/.alibabacloud/credentials"
	rm -f "$HOME/.aliyun/config.json"
	chmod 600 "$HOME"/.tencentcloud/credentials "$HOME"/.huaweicloud/credentials "$HOME"/.alibabacloud/credentials
}
write_cred_files
echo SECRETCANARYunusedDefault >>"$EXTRA"

# run NAME CONFIG ARGS...: tlsfleet with the keys in its environment;
# stdout and stderr kept under $OUT; prints the exit code.
run() {
	local name=$1 config=$2
	shift 2
	env "${ENV_KEYS[@]}" timeout 60 "$TLSFLEET" -c "$config" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	echo $?
}
runs=0
modes() {  # modes PREFIX CONFIG: --list in every format and --check
	for fmt in table json csv; do
		run "$1-list-$fmt" "$2" --list --format $fmt >/dev/null
		runs=$((runs + 1))
	done
	run "$1-check" "$2" --check >/dev/null
	runs=$((runs + 1))
	cp "$OUT/$1-list-json.out" "$WORK/$1.json"   # for pycheck, outside $OUT
}

# ---- every mode, every credential source ---------------------------------------
start_sim "$FLEET" --log-signatures-to "$SIGS"
modes good "$SIM_CONFIG"
pycheck "the keys work: every account's credential source, the right states" \
	'sum(i["credential_source"].endswith("/credentials[canary]") for i in j[0]) == 3 and sum(i["credential_source"] == "env" for i in j[0]) == 3 and sum(i["state"] == "enabled" for i in j[0]) == 10' \
	"$WORK/good.json"
for name in tc-inline-redis tc-inline-pg tc-env-redis tc-file-redis hw-inline-dcs hw-env-dcs hw-file-dcs \
	ali-inline-redis ali-file-redis; do
	rc=$(run "download-$name" "$SIM_CONFIG" --download "$name" --output-dir "$OUT/downloads")
	runs=$((runs + 1))
	[ "$rc" = 0 ] || { ok 1 "--download $name (exit $rc)"; sed 's/^/#   /' "$OUT/download-$name.err"; }
done
check "every --download saved its file" test "$(find "$OUT/downloads" -name ca.pem | wc -l)" -eq 9
run download-denied "$SIM_CONFIG" --download hw-inline-denied --output-dir "$OUT/downloads" >/dev/null

# The dashboard: the table, every instance's detail pane (scrolled to the
# provider's answer), downloads, the message log, the help.
dash_session() {  # dash_session PREFIX CONFIG
	local prefix=$1 n=0 name
	run_dashboard "$2" "${ENV_KEYS[@]}" TLSFLEET_UI_STATS="$OUT/$prefix-uistats"
	# Wide and tall enough for every detail pane to show whole, long URLs
	# and the provider's answer included, without cutting or scrolling.
	T resize-window -t main -x 400 -y 100
	check "$prefix dashboard: the first round ends" wait_for 30 has "idle | auto refresh off"
	T capture-pane -p -t main >"$OUT/$prefix-screen-table.txt"
	T capture-pane -e -p -t main >"$OUT/$prefix-screen-table.e"
	# The walk below goes in name order; the table opens worst first.
	keys s
	wait_for 10 has "NAME▲" || ok 1 "$prefix dashboard: sorted by name"
	keys g Enter
	for name in $(json_get "$WORK/good.json" '" ".join(sorted(i["name"] for i in d))'); do
		n=$((n + 1))
		wait_for 10 has_re "Instance +$name\$" || ok 1 "$prefix dashboard: detail of $name"
		T capture-pane -p -t main >"$OUT/$prefix-screen-detail-$n.txt"
		T capture-pane -e -p -t main >"$OUT/$prefix-screen-detail-$n.e"
		case $name in *-inline-redis|*-inline-dcs) keys d ;; esac
		keys j
	done
	keys Escape L
	wait_for 10 has "Messages" || ok 1 "$prefix dashboard: the log"
	T capture-pane -p -t main >"$OUT/$prefix-screen-log.txt"
	keys Escape '?'
	T capture-pane -p -t main >"$OUT/$prefix-screen-help.txt"
	keys Escape q
	check "$prefix dashboard: quits cleanly" wait_for 20 has "TLSFLEET_EXIT=0 TTY=restored"
	T capture-pane -p -S - -t main >"$OUT/$prefix-screen-after.txt"
	cp "$WORK/dash.err" "$OUT/$prefix-dash.err"
	runs=$((runs + 1))
	stop_tmux
}
if [ -n "$TMUX_BIN" ]; then
	dash_session good "$SIM_CONFIG"
	check "the dashboard's downloads were saved" test "$(find "$SIM_DIR/downloads" -name ca.pem 2>/dev/null | wc -l)" -ge 3
	grep -q "saved" "$OUT/good-screen-log.txt" || diag "no download shown in the log capture"
else
	ok 0 "# SKIP dashboard: tmux not found"
fi

# ---- wrong keys ----------------------------------------------------------------------
sed -E 's/((secret_key|access_key_secret|token|security_token) = ")SECRETCANARY/\1SECRETCANARYwrong/' \
	"$SIM_CONFIG" >"$WORK/wrong.conf"
chmod 600 "$WORK/wrong.conf"
grep -o 'SECRETCANARYwrong[^"]*' "$WORK/wrong.conf" >>"$EXTRA"
modes wrong "$WORK/wrong.conf"
pycheck "wrong inline keys: refused by every provider" \
	'all(i["state"] == "auth_error" for i in j[0] if "-inline-" in i["name"])' \
	"$WORK/wrong.json"
[ -n "$TMUX_BIN" ] && dash_session wrong "$WORK/wrong.conf"

# ---- throttling (the simulator's rate limit: one request per second) -----------
stop_sim
start_sim "$FLEET" --port "$SIM_PORT" --log-signatures-to "$SIGS" --throttle-rate 1
modes throttled "$SIM_CONFIG"
pycheck "throttling answers came" 'sum(i["state"] == "throttled" for i in j[0]) >= 5' "$WORK/throttled.json"

# ---- clock skew -------------------------------------------------------------------------
stop_sim
"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["clock_offset_s"]=1200; json.dump(d,open(sys.argv[2],"w"))' \
	"$FLEET" "$WORK/skew-fleet.json"
start_sim "$WORK/skew-fleet.json" --port "$SIM_PORT" --log-signatures-to "$SIGS"
modes skew "$SIM_CONFIG"
pycheck "clock skew: every provider refused the timestamps" \
	'sum("clock skew" in (i["error"] or {}).get("message", "") for i in j[0]) >= 11' "$WORK/skew.json"
stop_sim
start_sim "$FLEET" --port "$SIM_PORT" --log-signatures-to "$SIGS"

# ---- bad configurations around secrets -------------------------------------------------
# bad NAME SED-EXPRESSION: a broken copy of the config; must end in exit 2.
bad() {
	sed -E "$2" "$SIM_CONFIG" >"$WORK/bad-$1.conf"
	chmod 600 "$WORK/bad-$1.conf"
	local rc
	rc=$(run "badconf-$1" "$WORK/bad-$1.conf" --list)
	runs=$((runs + 1))
	is "$rc" 2 "bad config ($1): exit 2"
	check "bad config ($1): the message names the file" grep -q "bad-$1.conf" "$OUT/badconf-$1.err"
}
bad unterminated 's/(secret_key = "SECRETCANARYtcInlineKey000000001)";/\1;/'
bad unknown-name 's/secret_key = "SECRETCANARYtcInlineKey000000001";/secretkey = "SECRETCANARYtcInlineKey000000001";/'
bad list-value 's/secret_key = "SECRETCANARYtcInlineKey000000001";/secret_key = [ "SECRETCANARYtcInlineKey000000001" ];/'
bad control-char 's/secret_key = "SECRETCANARYtcInlineKey000000001";/secret_key = "SECRETCANARYtcInline\\x01Key";/'
bad other-provider 's/(secret_key = "SECRETCANARYtcInlineKey000000001";)/\1 access_key_secret = "SECRETCANARYotherProvider01";/'
bad duplicate 's/(secret_key = "SECRETCANARYtcInlineKey000000001";)/\1 secret_key = "SECRETCANARYduplicate0001";/'
bad bare-word 's/secret_key = "SECRETCANARYtcInlineKey000000001";/secret_key = SECRETCANARYtcInlineKey000000001;/'
echo SECRETCANARYotherProvider01 >>"$EXTRA"
echo SECRETCANARYduplicate0001 >>"$EXTRA"

# Readable by others: refused, naming the file and the fix.
cp "$SIM_CONFIG" "$WORK/open.conf"
for mode in 644 640 604; do
	chmod $mode "$WORK/open.conf"
	rc=$(run "open-$mode" "$WORK/open.conf" --list)
	is "$rc" 2 "a config with secrets at mode $mode is refused (exit 2)"
	check "mode $mode: the message names the file and chmod 600" \
		grep -q "$WORK/open.conf.*chmod 600 $WORK/open.conf" "$OUT/open-$mode.err"
done
chmod 644 "$WORK/open.conf"
rc=$(run open-check "$WORK/open.conf" --check)
is "$rc" 3 "--check on a readable config with secrets: exit 3 (UNKNOWN)"
check "--check: the refusal is on stderr" grep -q "chmod 600" "$OUT/open-check.err"
diag "refusal: $(head -n 1 "$OUT/open-644.err")"

# ---- credential files: a missing profile, broken files ------------------------------------
sed -E 's/profile = "canary";/profile = "nosuch";/' "$SIM_CONFIG" >"$WORK/noprofile.conf"
chmod 600 "$WORK/noprofile.conf"
rc=$(run noprofile "$WORK/noprofile.conf" --list --format json)
runs=$((runs + 1))
is "$rc" 2 "a missing credential profile is a config error"
check "a missing profile: each message names the config line, the profile and the file" \
	test "$(grep -c "noprofile.conf:[0-9]*: account '[a-z]*-file': profile 'nosuch' not found in $HOME/" "$OUT/noprofile.err")" -eq 3
printf '[canary]\nsecret_id = AKIDtlsfleetIDCANARYtcFile000000001\nSECRETCANARYbrokenLine0001\n' >"$HOME/.tencentcloud/credentials"
printf '[canary]\nak = HWIDCANARYFILE000001\nsk = SECRETCANARYhw\001ControlChar\n' >"$HOME/.huaweicloud/credentials"
printf '{"current": "canary", "profiles": [{"name": "canary", "mode": "AK", "access_key_id": "x", "access_key_secret": "SECRETCANARYaliyunBroken0001"' \
	>"$HOME/.aliyun/config.json"
printf '[canary]\ntype = ecs_ram_role\naccess_key_id = x\naccess_key_secret = SECRETCANARYaliTypeUnknown01\n' >"$HOME/.alibabacloud/credentials"
printf 'SECRETCANARYbrokenLine0001\nSECRETCANARYaliyunBroken0001\nSECRETCANARYaliTypeUnknown01\n' >>"$EXTRA"
modes brokenfiles "$SIM_CONFIG"
write_cred_files
chmod 644 "$HOME/.tencentcloud/credentials"
rc=$(run credmode "$SIM_CONFIG" --list)
runs=$((runs + 1))
diag "a credential file readable by others: exit $rc $(head -n 1 "$OUT/credmode.err")"
check "a credential file readable by others: used, with a warning naming it and chmod 600" \
	grep -q "^tlsfleet: warning: account tc-file: credential file $HOME/.tencentcloud/credentials is readable by others (mode 0644); run: chmod 600 $HOME/.tencentcloud/credentials\$" "$OUT/credmode.err"
chmod 600 "$HOME/.tencentcloud/credentials"
stop_sim

# ---- temporary keys: instance roles and AssumeRole ----------------------------------------
# Every key and token the simulator issues lands in $SIGS (issued-secret,
# issued-token); the accounts' base keys are added to the needles. Tokens
# live 30 s, so longer runs renew them.
start_sim "$top_srcdir/tests/data/sim/credentials.json" --metadata-port 0 --token-lifetime 30 \
	--log-signatures-to "$SIGS"
grep -o 'CREDCANARY[A-Za-z0-9]*' "$top_srcdir/tests/data/sim/credentials.json" >>"$EXTRA"
modes temp "$SIM_CONFIG"
pycheck "temporary keys: every instance answered with them" \
	'all(i["state"] == "enabled" and i["credential_expires"] for i in j[0])' "$WORK/temp.json"
rc=$(run temp-debug "$SIM_CONFIG" --list --format json --debug)
runs=$((runs + 1))
check "temporary keys: --debug lines for the metadata, STS and API calls" \
	sh -c "grep -q 'action=metadata ' '$OUT/temp-debug.err' && grep -q 'action=AssumeRole ' '$OUT/temp-debug.err' && grep -q 'action=DescribeInstanceSSL ' '$OUT/temp-debug.err'"
sed -E 's#metadata_endpoint = "[^"]*"#metadata_endpoint = "http://127.0.0.1:1"#' "$SIM_CONFIG" >"$WORK/temp-down.conf"
chmod 600 "$WORK/temp-down.conf"
rc=$(run temp-down "$WORK/temp-down.conf" --list --format json --debug)
runs=$((runs + 1))
if [ -n "$TMUX_BIN" ]; then
	run_dashboard "$SIM_CONFIG"
	check "temporary keys dashboard: the round ends" wait_for 30 has "idle | auto refresh off"
	check "temporary keys dashboard: the header counts down to the expiry" has_re 'keys [0-9]+:[0-9]{2}'
	T capture-pane -p -t main >"$OUT/temp-screen-table.txt"
	keys L
	wait_for 5 has "Messages" || true
	T capture-pane -p -t main >"$OUT/temp-screen-log.txt"
	keys q q
	stop_tmux
fi
stop_sim

# ---- the scan ------------------------------------------------------------------------------
check "the simulator logged signatures to look for" test -s "$SIGS"
scan_out=$("$PYTHON3" "$top_srcdir/tests/data/reliability/scan_secrets.py" "$FLEET" "$SIGS" "$EXTRA" \
	"$OUT" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$SIM_DIR/downloads")
scan_rc=$?
is "$scan_rc" 0 "no secret, token or signature in anything tlsfleet printed, showed or wrote"
printf '%s\n' "$scan_out" | grep '^LEAK' | head -n 40 | sed 's/^/#   /'
diag "$runs runs; $(printf '%s\n' "$scan_out" | grep '^# scanned' | sed 's/^# //'); signatures by kind: $(cut -f1 "$SIGS" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
# The scanner itself: a planted secret and a planted signature are found.
mkdir -p "$WORK/probe"
scan_probe() { ! "$PYTHON3" "$top_srcdir/tests/data/reliability/scan_secrets.py" "$FLEET" "$SIGS" "$EXTRA" "$WORK/probe" >/dev/null; }
echo "x tlsfleetSECRETCANARYtcInlineKey000000001 y" >"$WORK/probe/leak"
check "the scanner finds a planted secret" scan_probe
cut -f2 "$SIGS" | tail -n 1 | cut -c3-22 >"$WORK/probe/leak"
check "the scanner finds a planted piece of a signature" scan_probe

check "no sanitizer report in any output" sanitizer_clean "$WORK"
done_testing
