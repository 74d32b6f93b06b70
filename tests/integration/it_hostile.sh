#!/bin/bash
# Hostile input. Provider answers with terminal escape sequences in every
# kind of field, huge strings, invalid and deeply nested JSON, invalid UTF-8,
# wrong types, duplicate keys, numbers and dates out of range: tlsfleet
# survives every one, and no control sequence reaches a terminal raw
# (--list in every format, --check, stderr, the dashboard in tmux). Hostile
# configurations (100,000 instances, binary garbage, include loops, huge
# strings) end in success or a clear error. Downloads onto a full disk
# (RLIMIT_FSIZE, a full tmpfs) fail cleanly and leave no partial file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/data/reliability/common.sh"
require_sim
. "$top_srcdir/tests/integration/screen.sh"

TINY="$WORK/tiny"
trap 'stop_tmux; umount "$TINY" 2>/dev/null; keep_work; cleanup' EXIT

# clean FILE KIND: the file is valid UTF-8 without any terminal control:
# no C0 control but newline (and tab in JSON, CR in CSV), no DEL, no C1.
clean() {
	"$PYTHON3" - "$@" <<'PY'
import sys
path, kind = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
allowed = {"json": b"\n\t", "csv": b"\r\n"}.get(kind, b"\n")
bad = sorted({b for b in data if (b < 0x20 and b not in allowed) or b == 0x7f})
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("#   invalid UTF-8: %s" % e)
    sys.exit(1)
c1 = sorted({hex(ord(c)) for c in text if 0x80 <= ord(c) <= 0x9f})
if bad or (c1 and kind != "json"):
    print("#   control bytes %s, C1 %s" % ([hex(b) for b in bad], c1))
    sys.exit(1)
PY
}

# ---- hostile answers ----------------------------------------------------------
"$PYTHON3" "$top_srcdir/tests/data/reliability/hostile_fleet.py" "$WORK/hostile.json"
start_sim "$WORK/hostile.json"
n_cases=$(json_get "$WORK/hostile.json" 'len(d["instances"])')
timeout 120 "$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/l.json" 2>"$WORK/l.json.err"
rc=$?
is "$rc" 1 "--list json over $n_cases hostile answers: ends, exit 1 (some are errors)"
check "the JSON report is valid UTF-8 and escapes every C0 control" clean "$WORK/l.json" json
check "the JSON report parses" "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/l.json"
"$PYTHON3" - "$WORK/hostile.json" "$WORK/l.json" >"$WORK/expect.out" <<'PY'
import json, sys
fleet = {i["name"]: i["_expect"] for i in json.load(open(sys.argv[1]))["instances"]}
for i in json.load(open(sys.argv[2])):
    want = fleet.pop(i["name"])
    got = i["state"]
    code = i["error"]["code"] if i["error"] else None
    if want == "definite":
        good = got != "unknown" and (got in ("enabled", "disabled") or code)
    elif ":" in want:
        good = [got, code] == want.split(":", 1)
    else:
        good = got == want
    print("%s %s %s -> %s%s" % ("ok" if good else "BAD", i["name"], want, got,
                                (" " + code.encode("unicode_escape").decode()) if code else ""))
for n in fleet:
    print("BAD %s missing from the report" % n)
PY
check "every hostile answer ends as expected (a state, never unknown)" bash -c "! grep -q '^BAD' '$WORK/expect.out'"
grep '^BAD' "$WORK/expect.out" | sed 's/^/#   /'
pycheck "escape sequences in fields are kept verbatim in JSON (escaped)" \
	'by["esc-tc-error"]["error"]["code"] == "Evil\x1b]0;pwned\x07.Code" and "\x1b[2J" in by["esc-hw-fields"]["address"]["ip"] + by["esc-hw-fields"]["address"]["ipv6"]' "$WORK/l.json"
pycheck "invalid UTF-8 in an answer becomes U+FFFD" \
	'by["utf8-invalid"]["address"]["host"].startswith("\ufffd\ufffd\ufffd\ufffd-")' "$WORK/l.json"
pycheck "a 700 kB field is kept whole" 'len(by["huge-field"]["provider_status"]["Huge"]) == 700000' "$WORK/l.json"
pycheck "a wrong type names the field" \
	'by["type-status-string"]["error"]["message"].startswith("Status:")' "$WORK/l.json"
check "stderr of --list has no raw control bytes" clean "$WORK/l.json.err" text

for fmt in table csv; do
	timeout 120 "$TLSFLEET" -c "$SIM_CONFIG" --list --format $fmt >"$WORK/l.$fmt" 2>"$WORK/l.$fmt.err"
	rc=$?
	is "$rc" 1 "--list $fmt: exit 1"
	check "--list $fmt: no ESC, BEL, C0 or C1 control, valid UTF-8" clean "$WORK/l.$fmt" $fmt
	check "--list $fmt: stderr clean too" clean "$WORK/l.$fmt.err" text
done
check "--list table: a row per instance" test "$(grep -c '' "$WORK/l.table")" -eq $((n_cases + 1))
pycheck "--list csv: a record per instance, 33 fields each (discovered, the probe columns, check.status, check.reason, credential_expires last)" \
	'(lambda rows: len(rows) == '"$n_cases"' + 1 and all(len(r) == 33 for r in rows))(list(__import__("csv").reader(open(j[0], newline=""))))' "$WORK/l.csv"
timeout 120 "$TLSFLEET" -c "$SIM_CONFIG" --check >"$WORK/check.out" 2>"$WORK/check.err"
is "$?" 2 "--check: CRITICAL (a date in year 1 is expired), not a crash"
check "--check: output without controls" clean "$WORK/check.out" text
check "--check: stderr without controls" clean "$WORK/check.err" text
for name in plain-tc plain-hw; do
	timeout 60 "$TLSFLEET" -c "$SIM_CONFIG" --download "$name" --output-dir "$WORK/dl" >"$WORK/dl.out" 2>"$WORK/dl.err"
	is "$?" 0 "--download $name alongside hostile answers"
done

# ---- the dashboard: nothing gets through to the terminal -----------------------
if [ -n "$TMUX_BIN" ]; then
	run_dashboard "$SIM_CONFIG"
	expect_re "the dashboard shows the hostile fleet" "^[A-Z]+ +[a-z][a-z0-9-]* +(tencent|huawei|alibaba)/"
	title0=$(pane_title)
	check "the hostile fleet's first refresh ends" wait_for 60 has "idle | auto refresh off"
	keys / e s c - Enter
	expect 'filtered to the escape-sequence instances' 'filter "esc-": '
	keys Enter
	for i in 1 2 3 4 5 6 7 8 9; do
		expect_re "detail of escape case $i" "^Instance +esc-"
		keys J J J J J J J J J J J J J J J J J J J J J J J J J J J J J J
		keys j
	done
	keys Escape Escape L
	expect "the message log" "Messages"
	keys Escape / d a t e Enter Enter
	expect_re "detail of the out-of-range dates" "^Instance +date-"
	keys Escape Escape / h u g e Enter Enter
	expect_re "detail of the huge answers" "^Instance +huge-"
	keys J J J J J J J J J J J J J J J J J J J J J J J J J J J J J J
	keys Escape Escape R
	check "a second refresh round ends" wait_for 60 has "idle | auto refresh off"
	T capture-pane -e -p -t main >"$WORK/capture.e"
	if LC_ALL=C grep -a -q -P '\x1b(?!\[[0-9;:]*m)' "$WORK/capture.e"; then
		ok 1 "the screen holds no escape sequence but tmux's own colours"
	else
		ok 0 "the screen holds no escape sequence but tmux's own colours"
	fi
	is "$(pane_title)" "$title0" "OSC 0/2 in answers never changed the pane title"
	check "no pane title says pwned" bash -c "! '$TMUX_BIN' -L '$SOCK' display-message -p -t main '#{pane_title}' | grep -q pwned"
	is "$(T display-message -p -t main '#{window_bell_flag}')" 0 "no BEL reached the terminal"
	is "$(alt_screen)" 1 "CSI ?1049l in answers never left the alternate screen"
	expect_re "the header is still on the first line (no clear-screen got through)" "^tlsfleet "
	keys q
	expect "q quits, exit 0, terminal settings restored" "TLSFLEET_EXIT=0 TTY=restored"
	check "the dashboard's stderr is clean" clean "$WORK/dash.err" text
	stop_tmux
else
	ok 0 "# SKIP dashboard: tmux not found"
fi
stop_sim

# ---- hostile configurations -----------------------------------------------------
# conf_case NAME WANT_EXIT FILE [GREP]: tlsfleet --list on it; exit code,
# a message naming the file, stderr free of raw controls.
conf_case() {
	local name=$1 want=$2 file=$3 pattern=${4:-}
	# A guard against hangs, not a speed test: libconfig alone needs tens
	# of seconds for the 4 MiB cases on a loaded 2-core machine.
	timeout 300 "$TLSFLEET" -c "$file" --download no-such-instance >"$WORK/c.out" 2>"$WORK/c.err"
	local rc=$?
	is "$rc" "$want" "config $name: exit $want"
	if [ -n "$pattern" ]; then
		if grep -E -q -- "$pattern" "$WORK/c.err"; then ok 0 "config $name: says /$pattern/"
		else ok 1 "config $name: says /$pattern/"; sed 's/^/#   /' "$WORK/c.err" | head -c 600; fi
	fi
	check "config $name: a short message (at most 5 lines, 2000 bytes)" \
		bash -c "[ \$(wc -l <'$WORK/c.err') -le 5 ] && [ \$(wc -c <'$WORK/c.err') -le 2000 ]"
	check "config $name: no raw controls on stderr" clean "$WORK/c.err" text
}
C="$WORK/conf"
mkdir -p "$C"
ACCOUNT='accounts = ( { name = "a"; provider = "tencent"; endpoint = "https://127.0.0.1:9"; } );'
INST='{ name = "x"; account = "a"; service = "redis"; region = "ap-guangzhou"; id = "crs-1"; }'

"$PYTHON3" - "$C/big.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('accounts = ( { name = "a"; provider = "tencent"; endpoint = "https://127.0.0.1:9"; } );\n')
    f.write("instances = (\n")
    f.write(",\n".join('  { name = "inst-%06d"; account = "a"; service = "redis"; region = "ap-guangzhou"; id = "crs-%08d"; }'
                       % (n, n) for n in range(100000)))
    f.write("\n);\n")
PY
t0=$(date +%s%N)
conf_case "100,000 instances" 2 "$C/big.conf" "no instance named 'no-such-instance'"
diag "100,000-instance config ($(($(wc -c <"$C/big.conf") / 1048576)) MiB) loaded in $((($(date +%s%N) - t0) / 1000000)) ms"
t0=$(date +%s%N)
timeout 600 "$TLSFLEET" -c "$C/big.conf" --check >"$WORK/big.check" 2>"$WORK/big.check.err"
rc=$?
is "$rc" 3 "--check on 100,000 instances without credentials: UNKNOWN"
check "--check on 100,000: every instance counted" grep -q '^TLSFLEET UNKNOWN - .* - 100000 instances: 100000 auth_error |' "$WORK/big.check"
diag "--check on 100,000 instances (no credentials, no requests): $((($(date +%s%N) - t0) / 1000000)) ms"

"$PYTHON3" -c 'import random,sys; random.seed(7); sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range(65536)))' >"$C/garbage.conf"
conf_case "64 KiB of binary garbage" 2 "$C/garbage.conf" "garbage.conf"
printf '%s\ninstances = ( %s );\n\0\0\0garbage = 1;\n' "$ACCOUNT" "$INST" >"$C/nul.conf"
conf_case "NUL bytes" 2 "$C/nul.conf" "nul.conf"
printf '@include "loop-b.conf"\n' >"$C/loop-a.conf"
printf '@include "loop-a.conf"\n' >"$C/loop-b.conf"
conf_case "include loop" 2 "$C/loop-a.conf" "include loop"
printf '@include "self.conf"\n' >"$C/self.conf"
conf_case "a file including itself" 2 "$C/self.conf" "include loop"
for n in $(seq 1 30); do printf '@include "chain%d.conf"\n' $((n + 1)) >"$C/chain$n.conf"; done
printf '%s\ninstances = ( %s );\n' "$ACCOUNT" "$INST" >"$C/chain31.conf"
conf_case "30 nested includes" 2 "$C/chain1.conf" "chain"
printf '@include "/nonexistent/x.conf"\n' >"$C/missing-inc.conf"
conf_case "a missing include" 2 "$C/missing-inc.conf" "missing-inc.conf"
"$PYTHON3" - "$C" <<'PY'
import sys
d = sys.argv[1]
acct = 'accounts = ( { name = "a"; provider = "tencent"; endpoint = "https://127.0.0.1:9"; } );\n'
def inst(**kw):
    base = {"name": "x", "account": "a", "service": "redis", "region": "ap-guangzhou", "id": "crs-1"}
    base.update(kw)
    return "instances = ( { %s } );\n" % " ".join('%s = "%s";' % kv for kv in base.items())
open(d + "/longname.conf", "w").write(acct + inst(name="n" * (1 << 20)))
open(d + "/longid.conf", "w").write(acct + inst(id="crs-" + "9" * (4 << 20)))
open(d + "/longregion.conf", "w").write(acct + inst(region="r" * 100000))
open(d + "/longendpoint.conf", "w").write(acct.replace("127.0.0.1:9", "h" * 200000) + inst())
open(d + "/nested.conf", "w").write(acct + inst() + "extra = " + "(" * 50000 + ")" * 50000 + ";\n")
open(d + "/escname.conf", "w").write(acct + 'instances = ( { name = "esc\\x1b]0;pwned\\x07"; account = "a"; '
                                     'service = "redis"; region = "ap-guangzhou"; id = "crs-1"; } );\n')
open(d + "/bignum.conf", "w").write("concurrency = 99999999999999999999;\n" + acct + inst())
open(d + "/hugefloat.conf", "w").write("timeout = 1e999;\n" + acct + inst())
open(d + "/manyaccounts.conf", "w").write("accounts = (\n" + ",\n".join(
    '{ name = "a%d"; provider = "tencent"; endpoint = "https://127.0.0.1:9"; }' % n for n in range(20000))
    + ");\n" + inst(account="a19999"))
open(d + "/dupnames.conf", "w").write(acct + "instances = ( %s );\n" % ", ".join(
    '{ name = "same"; account = "a"; service = "redis"; region = "ap-guangzhou"; id = "crs-%d"; }' % n for n in range(3)))
PY
conf_case "a 1 MiB instance name" 2 "$C/longname.conf" "no instance named|longname.conf"
conf_case "a 4 MiB instance id" 2 "$C/longid.conf" "no instance named|longid.conf"
conf_case "a 100 kB region" 2 "$C/longregion.conf" "no instance named|longregion.conf"
conf_case "a 200 kB endpoint host" 2 "$C/longendpoint.conf" "no instance named|longendpoint.conf"
conf_case "50,000 nested lists" 2 "$C/nested.conf" "nested.conf"
conf_case "an escape sequence in a name" 2 "$C/escname.conf" "escname.conf:[0-9]+: .*control character"
conf_case "a number beyond 64 bits" 2 "$C/bignum.conf" "bignum.conf"
conf_case "timeout = 1e999" 2 "$C/hugefloat.conf" "hugefloat.conf:[0-9]+"
conf_case "20,000 accounts" 2 "$C/manyaccounts.conf" "no instance named"
conf_case "duplicate instance names" 2 "$C/dupnames.conf" "dupnames.conf:[0-9]+"
conf_case "a directory" 2 "$C" "conf"
conf_case "an empty file" 2 /dev/null "/dev/null"
conf_case "a missing file" 2 "$C/none.conf" "none.conf"

# ---- downloads onto a full disk --------------------------------------------------
start_sim "$WORK/hostile.json"
# no_files DIR: nothing but directories under DIR (no partial or temporary file).
no_files() { [ -z "$(find "$1" -type f 2>/dev/null)" ]; }

# 1 KiB: the archive (about 1000 bytes) fits, its ca.pem (1300) does not.
# The limit covers regular files only: stdout and stderr go through pipes.
rm -rf "$WORK/fsize"
(ulimit -f 1; exec "$TLSFLEET" -c "$SIM_CONFIG" --download plain-tc --output-dir "$WORK/fsize" 2>&1) | cat >"$WORK/fsize.err"
is "${PIPESTATUS[0]}" 1 "RLIMIT_FSIZE 1 KiB: --download exits 1"
check "RLIMIT_FSIZE 1 KiB: the error says why" grep -q "file size limit exceeded" "$WORK/fsize.err"
check "RLIMIT_FSIZE 1 KiB: no file left behind (not even the archive that fitted)" no_files "$WORK/fsize"
check "RLIMIT_FSIZE 1 KiB: nothing claims success" bash -c "! grep -q -e saved -e '^path:' '$WORK/fsize.err'"
diag "RLIMIT_FSIZE: $(head -n 2 "$WORK/fsize.err" | tr '\n' ' ')"
"$TLSFLEET" -c "$SIM_CONFIG" --download plain-tc --output-dir "$WORK/fsize" >/dev/null 2>&1
is "$?" 0 "without the limit the same download succeeds"

mkdir -p "$TINY"
if mount -t tmpfs -o size=64k tlsfleet-test "$TINY" 2>/dev/null; then
	dd if=/dev/zero of="$TINY/filler" bs=4096 2>/dev/null
	for name in plain-tc plain-hw; do
		timeout 60 "$TLSFLEET" -c "$SIM_CONFIG" --download $name --output-dir "$TINY" >"$WORK/tiny.out" 2>"$WORK/tiny.err"
		is "$?" 1 "full tmpfs: --download $name exits 1"
		check "full tmpfs: $name: the error says the disk is full" grep -E -q "disk full|No space left" "$WORK/tiny.err"
		check "full tmpfs: $name: no partial file" bash -c "[ \"\$(find '$TINY' -type f)\" = '$TINY/filler' ]"
	done
	diag "full tmpfs: $(head -n 1 "$WORK/tiny.err")"
	rm -f "$TINY/filler"
	timeout 60 "$TLSFLEET" -c "$SIM_CONFIG" --download plain-hw --output-dir "$TINY" >/dev/null 2>&1
	is "$?" 0 "space again: the download succeeds"
	umount "$TINY"
else
	ok 0 "# SKIP full tmpfs: mount -t tmpfs is not allowed here"
fi
stop_sim

check "no sanitizer report in any output" sanitizer_clean "$WORK"
done_testing
