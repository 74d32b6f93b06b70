#!/bin/bash
# tlsfleet benchmarks: bench/README.md says what each one measures and why.
#
#   bench/run.sh [-b BUILD_DIR] [-r RUNS] SCENARIO...
#
# SCENARIO: whole throughput latency rate memory config ui view baselines all
# BUILD_DIR: the build tree holding tlsfleet and libtlsfleet.a (default:
# the current directory if it has them, else the source tree). RUNS: runs
# per A/B figure (default 5; medians are reported).
#
# Everything runs on 127.0.0.1: a private nginx (bench/nginx.conf.in) pinned
# to the second core answers in the providers' shapes; the clients run on
# the first core. Scratch files go to $BENCH_WORK (default a new directory
# under /tmp, removed at the end unless BENCH_KEEP=1). Results are appended
# to $BENCH_WORK/results.txt and printed as tables.
set -eu

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_DIR=$(dirname "$BENCH_DIR")
RUNS=${RUNS:-5}
BUILD=${BUILD:-}

usage() {
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

while getopts "b:r:h" opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
if [ -z "$BUILD" ]; then
	if [ -x ./tlsfleet ] && [ -f ./libtlsfleet.a ]; then BUILD=$PWD; else BUILD=$SRC_DIR; fi
fi
BUILD=$(cd "$BUILD" && pwd)
TLSFLEET=$BUILD/tlsfleet
[ -x "$TLSFLEET" ] && [ -f "$BUILD/libtlsfleet.a" ] ||
	{ echo "bench: no tlsfleet build in $BUILD (use -b BUILD_DIR)" >&2; exit 2; }

"$BENCH_DIR/setup.sh"
make -s -C "$BUILD" tlsfleet libtlsfleet.a >/dev/null

WORK=${BENCH_WORK:-$(mktemp -d /tmp/tlsfleet-bench.XXXXXX)}
mkdir -p "$WORK/bin" "$WORK/tmp"
RESULTS=$WORK/results.txt
NGINX_PID=
SERVER_CPU=1
CLIENT_CPU=0
[ "$(nproc)" -ge 2 ] || SERVER_CPU=0

cleanup() {
	stop_nginx
	tmux -L tlsfleet-bench kill-server 2>/dev/null || true
	[ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Private HOME and XDG dirs: no state file or credential of the user's.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_STATE_HOME=$WORK/home/.state \
	XDG_CACHE_HOME=$WORK/home/.cache LC_ALL=C.UTF-8
mkdir -p "$HOME"
unset TENCENTCLOUD_SECRET_ID TENCENTCLOUD_SECRET_KEY HUAWEICLOUD_SDK_AK HUAWEICLOUD_SDK_SK \
	ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET NO_COLOR 2>/dev/null || true

log() { echo "bench: $*" >&2; }

# ---- build the bench programs against the build tree's library ------------------

LIBS="$(pkg-config --libs libcurl libcjson libconfig libzip libcrypto libssl ncursesw 2>/dev/null ||
	echo -lcurl -lcjson -lconfig -lzip -lcrypto -lssl -lncursesw -ltinfo)"
CFLAGS_BENCH="-O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
	-I$SRC_DIR/src -I$BUILD $(pkg-config --cflags libcjson 2>/dev/null || true)"
for prog in refclient confload viewbench; do
	# shellcheck disable=SC2086
	cc $CFLAGS_BENCH -o "$WORK/bin/$prog" "$BENCH_DIR/$prog.c" "$BUILD/libtlsfleet.a" $LIBS
done

# ---- TLS material and nginx ---------------------------------------------------

make_certs() {
	[ -f "$WORK/server.pem" ] && return
	(cd "$WORK" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
			-out ca.pem -days 7 -subj "/CN=tlsfleet bench CA" 2>/dev/null &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
			-out server.csr -subj "/CN=127.0.0.1" 2>/dev/null &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out server.pem -days 7 -extfile ext 2>/dev/null)
}

free_ports() {  # free_ports N: N free TCP ports on 127.0.0.1
	python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

start_nginx() {  # start_nginx LATENCY_SECONDS
	stop_nginx
	make_certs
	read -r PORT_H1 PORT_H2 PORT_H1_SLOW PORT_H2_SLOW <<<"$(free_ports 4)"
	mkdir -p "$WORK/nginx/tmp"
	cp "$WORK/server.pem" "$WORK/server.key" "$WORK/nginx/"
	sed -e "s|@DIR@|$WORK/nginx|g" -e "s|@PORT_H1@|$PORT_H1|" -e "s|@PORT_H2@|$PORT_H2|" \
		-e "s|@PORT_H1_SLOW@|$PORT_H1_SLOW|" -e "s|@PORT_H2_SLOW@|$PORT_H2_SLOW|" \
		-e "s|@LATENCY@|$1|g" "$BENCH_DIR/nginx.conf.in" >"$WORK/nginx/nginx.conf"
	rm -f "$WORK/nginx/nginx.pid"
	ulimit -n 65536 2>/dev/null || true
	taskset -c "$SERVER_CPU" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
	NGINX_PID=$!
	local deadline=$((SECONDS + 10))
	until curl -s -o /dev/null --cacert "$WORK/ca.pem" "https://127.0.0.1:$PORT_H1/?Action=DescribeInstanceSSL"; do
		[ $SECONDS -lt $deadline ] || { cat "$WORK/nginx/nginx-error.log" >&2; exit 1; }
		sleep 0.1
	done
	# The worker too (master_process on): every nginx process on its core.
	for p in $(pgrep -P "$NGINX_PID" || true); do taskset -pc "$SERVER_CPU" "$p" >/dev/null; done
}

stop_nginx() {
	if [ -n "$NGINX_PID" ]; then
		kill "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
		NGINX_PID=
	fi
}

# Move the access log aside (nginx flushes its buffer into it on USR1).
take_access_log() {  # take_access_log DEST
	mv "$WORK/nginx/access.log" "$1"
	kill -USR1 "$NGINX_PID"
	local deadline=$((SECONDS + 5))
	until [ -f "$WORK/nginx/access.log" ]; do
		[ $SECONDS -lt $deadline ] || break
		sleep 0.05
	done
	sleep 0.2   # the old worker's buffer flush
}

# ---- fleets ------------------------------------------------------------------

fleet() {  # fleet NAME PORT N [gen-fleet options...]: $WORK/NAME.conf and .tsv
	local name=$1 port=$2 n=$3
	shift 3
	python3 "$BENCH_DIR/gen-fleet.py" --instances "$n" --port "$port" --ca "$WORK/ca.pem" \
		--out "$WORK/$name" "$@"
}

# ---- measuring ---------------------------------------------------------------

# measure LABEL CMD...: runs CMD on the client core under GNU time; appends
# "LABEL wall_s cpu_s rss_kb exit" to $RESULTS; stdout to $WORK/out.LABEL.
measure() {
	local label=$1
	shift
	rm -rf "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
	local rc=0
	/usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" taskset -c "$CLIENT_CPU" "$@" \
		>"$WORK/out.$label" 2>"$WORK/err.$label" || rc=$?
	read -r wall user sys rss <"$WORK/time.txt" || true
	# GNU time's wall has 10 ms resolution: good enough above 0.5 s.
	echo "$label $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss $rc" >>"$RESULTS"
	if [ "$rc" -ne 0 ]; then
		log "$label exited $rc: $(head -c 300 "$WORK/err.$label")"
	fi
}

# median of the values in column COL of the result lines labelled LABEL
median() {  # median LABEL COL
	awk -v l="$1" -v c="$2" '$1 == l { print $c }' "$RESULTS" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

failures() {  # failures LABEL: runs that did not exit 0
	awk -v l="$1" '$1 == l && $5 != 0 { n++ } END { print n + 0 }' "$RESULTS"
}

row() {  # row LABEL N REF_LABEL: one table row of medians and ratios
	local label=$1 n=$2 ref=$3
	local wall cpu rss rwall rcpu
	wall=$(median "$label" 2)
	cpu=$(median "$label" 3)
	rss=$(median "$label" 4)
	rwall=$(median "$ref" 2)
	rcpu=$(median "$ref" 3)
	awk -v l="$label" -v n="$n" -v w="$wall" -v c="$cpu" -v r="$rss" -v rw="$rwall" -v rc="$rcpu" \
		-v f="$(failures "$label")" 'BEGIN {
		printf "%-28s %7d %8.2f %9.0f %9.1f %8.2f %8.2f %8.1f %4d\n", l, n, w, n / w,
			c * 1e6 / n, rw / w, c / rc, r / 1024, f }'
}

header() {
	printf "%-28s %7s %8s %9s %9s %8s %8s %8s %4s\n" client N wall_s req/s cpu_us/req \
		"x_req/s" "x_cpu" rss_MB fail
}

# ---- scenarios ---------------------------------------------------------------

# Throughput: no latency, no rate limit, concurrency 64, N = 10k; tlsfleet
# --list (table and JSON) against the reference client, plain and with
# signing + parsing; HTTP/1.1 and HTTP/2; A/B interleaved.
scenario_throughput() {
	local n=${THROUGHPUT_N:-10000} c=64
	start_nginx 0.1
	echo
	echo "== throughput: N=$n, concurrency $c, no latency, rate_limit 0, $RUNS runs (medians)"
	for proto in h1 h2; do
		local port=$PORT_H1
		[ "$proto" = h2 ] && port=$PORT_H2
		fleet "tp-$proto" "$port" "$n" --concurrency $c
		for r in $(seq "$RUNS"); do
			measure "ref-plain-$proto" "$WORK/bin/refclient" -c $c -m plain -p "$port" -a "$WORK/ca.pem" "$WORK/tp-$proto.tsv"
			measure "tlsfleet-table-$proto" "$TLSFLEET" -c "$WORK/tp-$proto.conf" --list
			measure "ref-sign-$proto" "$WORK/bin/refclient" -c $c -m sign -p "$port" -a "$WORK/ca.pem" "$WORK/tp-$proto.tsv"
			measure "tlsfleet-json-$proto" "$TLSFLEET" -c "$WORK/tp-$proto.conf" --list --format json
			measure "ref-sign-sys-$proto" "$WORK/bin/refclient" -c $c -m sign -s -p "$port" -a "$WORK/ca.pem" "$WORK/tp-$proto.tsv"
		done
		echo "-- $proto (ratios x_req/s and x_cpu against ref-sign-sys-$proto)"
		header
		for l in ref-plain ref-sign ref-sign-sys tlsfleet-table tlsfleet-json; do
			row "$l-$proto" "$n" "ref-sign-sys-$proto"
		done
		local states
		states=$(grep -c ' enabled ' "$WORK/out.tlsfleet-table-$proto" || true)
		echo "   (last tlsfleet --list run: $states of $n instances enabled)"
	done
	echo "   ref-sign-sys = signing + parsing, trusting the system CA bundle plus the bench CA as tlsfleet does"
}

# Whole processes (issue 15's figures): `tlsfleet --list --format json` on a
# 10k-instance config, config load and JSON output included, side by side
# with the reference client signing and parsing the same requests (system CA
# bundle plus the bench CA, as tlsfleet trusts them), A/B interleaved, for
# bench's mixed fleet (four services, three signers) and a Tencent-only
# fleet (TC3 only). HTTP/1.1 unless WHOLE_PROTOS says otherwise; WHOLE_OLD
# names a second tlsfleet binary measured in the same rounds (before/after).
scenario_whole() {
	local n=${WHOLE_N:-10000} c=64
	start_nginx 0.1
	echo
	echo "== whole: tlsfleet --list --format json vs refclient -m sign -s, N=$n, concurrency $c, no latency, rate_limit 0, $RUNS runs (medians)"
	for proto in ${WHOLE_PROTOS:-h1}; do
		local port=$PORT_H1
		[ "$proto" = h2 ] && port=$PORT_H2
		fleet "whole-mixed-$proto" "$port" "$n" --concurrency $c
		fleet "whole-tencent-$proto" "$port" "$n" --concurrency $c --services tencent/redis,tencent/postgres
		for f in mixed tencent; do
			for r in $(seq "$RUNS"); do
				measure "whole-ref-$f-$proto" "$WORK/bin/refclient" -c $c -m sign -s -p "$port" -a "$WORK/ca.pem" "$WORK/whole-$f-$proto.tsv"
				measure "whole-tlsfleet-$f-$proto" "$TLSFLEET" -c "$WORK/whole-$f-$proto.conf" --list --format json
				# WHOLE_OLD=BINARY: another tlsfleet (e.g. before a change) in the same A/B rounds
				[ -z "${WHOLE_OLD:-}" ] ||
					measure "whole-old-$f-$proto" "$WHOLE_OLD" -c "$WORK/whole-$f-$proto.conf" --list --format json
			done
		done
		echo "-- $proto (x_req/s = tlsfleet req/s / reference req/s, x_cpu = tlsfleet CPU / reference CPU; targets >= 0.80 and <= 1.25)"
		header
		for f in mixed tencent; do
			row "whole-ref-$f-$proto" "$n" "whole-ref-$f-$proto"
			row "whole-tlsfleet-$f-$proto" "$n" "whole-ref-$f-$proto"
			[ -z "${WHOLE_OLD:-}" ] || row "whole-old-$f-$proto" "$n" "whole-ref-$f-$proto"
			local got
			got=$(grep -c '"state":	"enabled"' "$WORK/out.whole-tlsfleet-$f-$proto" || true)
			echo "   (last tlsfleet run on the $f fleet: $got of $n instances enabled)"
		done
	done
}

# Latency floor: 100 ms per answer, N = 10k, concurrency 64 and 256.
scenario_latency() {
	local n=${LATENCY_N:-10000} lat=0.1
	start_nginx $lat
	echo
	echo "== latency: N=$n, ${lat}s per answer, $RUNS runs (medians); target wall <= 1.15 x N/C x latency"
	for proto in ${LATENCY_PROTOS:-h1}; do
		local port=$PORT_H1_SLOW
		[ "$proto" = h2 ] && port=$PORT_H2_SLOW
		for c in 64 256; do
			fleet "lat-$proto-$c" "$port" "$n" --concurrency $c
			for r in $(seq "$RUNS"); do
				measure "ref-sign-sys-lat-$proto-c$c" "$WORK/bin/refclient" -c $c -m sign -s -p "$port" -a "$WORK/ca.pem" "$WORK/lat-$proto-$c.tsv"
				measure "tlsfleet-lat-$proto-c$c" "$TLSFLEET" -c "$WORK/lat-$proto-$c.conf" --list
			done
		done
		echo "-- $proto"
		printf "%-28s %7s %8s %8s %8s %8s %10s\n" client C wall_s floor_s x_floor target x_ref
		for c in 64 256; do
			for l in "ref-sign-sys-lat-$proto-c$c" "tlsfleet-lat-$proto-c$c"; do
				awk -v l="$l" -v c=$c -v n="$n" -v lat=$lat -v w="$(median "$l" 2)" \
					-v rw="$(median "ref-sign-sys-lat-$proto-c$c" 2)" 'BEGIN {
					fl = n / c * lat
					printf "%-28s %7d %8.2f %8.2f %8.3f %8s %10.3f\n", l, c, w, fl, w / fl,
						(w <= 1.15 * fl ? "met" : "MISSED"), rw / w }'
			done
		done
	done
}

# Per (key, action): most requests in any 1-second window (sliding, from
# each request's arrival), utilisation = requests / (span x rate).
rate_report() {  # rate_report LOG RATE
	sort -n "$1" | awk -v rate="$2" '
		{ k = $2 " " $3; t[k, ++n[k]] = $1 }
		END {
			printf "   %-30s %6s %8s %8s %7s %9s %6s\n", "key action", "reqs", "first_s", "last_s", "max_1s", "over_rate", "util"
			first = -1
			for (k in n)
				if (first < 0 || t[k, 1] < first)
					first = t[k, 1]
			for (k in n) {
				# Every window starting at a request: the most requests
				# in [t_j, t_j + 1 s), and how many windows exceed rate.
				max = 0; over = 0; j = 1
				for (i = 1; i <= n[k]; i++) {
					while (t[k, i] - t[k, j] >= 1.0) j++
					w = i - j + 1
					if (w > max) max = w
					if (w > rate) over++
				}
				span = t[k, n[k]] - t[k, 1]
				# n requests at the full rate need (n - 1) / rate seconds
				util = span > 0 ? (n[k] - 1) / (span * rate) : 1
				printf "   %-30s %6d %8.2f %8.2f %7d %9d %5.0f%%\n", k, n[k], t[k, 1] - first,
					t[k, n[k]] - first, max, over, util * 100
			}
		}' 
}

# Rate limits: 20/s per (account, action). One account, 600 instances; then
# four accounts of 300 each, paced independently and in parallel.
scenario_rate() {
	local rate=20
	start_nginx 0.1
	echo
	echo "== rate: rate_limit = $rate per account and API action, no latency"
	fleet rate1 "$PORT_H1" 600 --rate $rate --services tencent/redis
	take_access_log "$WORK/nginx/access-before-rate.log"
	measure rate-1x600 "$TLSFLEET" -c "$WORK/rate1.conf" --list
	take_access_log "$WORK/access-rate1.log"
	local wall
	wall=$(median rate-1x600 2)
	awk -v w="$wall" -v n=600 -v r=$rate 'BEGIN { fl = n / r
		printf "-- 1 account x 600 instances: wall %.2f s, N/rate %.1f s, x %.3f (target <= 1.05: %s)\n",
			w, fl, w / fl, (w <= 1.05 * fl ? "met" : "MISSED") }'
	rate_report "$WORK/access-rate1.log" $rate

	fleet rate4 "$PORT_H1" 1200 --rate $rate --services tencent/redis --accounts 4
	measure rate-4x300 "$TLSFLEET" -c "$WORK/rate4.conf" --list
	take_access_log "$WORK/access-rate4.log"
	wall=$(median rate-4x300 2)
	awk -v w="$wall" -v n=300 -v r=$rate 'BEGIN { fl = n / r
		printf "-- 4 accounts x 300 instances (same action): wall %.2f s, per-account N/rate %.1f s, x %.3f (sequential would be %.0f s)\n",
			w, fl, w / fl, 4 * fl }'
	rate_report "$WORK/access-rate4.log" $rate
}

# Memory and scale: full refreshes of 1k, 10k and 100k instances (all four
# services, concurrency 64, no latency): peak RSS, per-instance slope, CPU.
scenario_memory() {
	start_nginx 0.1
	echo
	echo "== memory: tlsfleet --list (table and json), no latency, concurrency 64; peak RSS (GNU time %M)"
	local mruns=${MEMORY_RUNS:-3}
	for n in 1000 10000 100000; do
		fleet "mem-$n" "$PORT_H1" "$n"
		for r in $(seq "$mruns"); do
			measure "mem-json-$n" "$TLSFLEET" -c "$WORK/mem-$n.conf" --list --format json
			measure "mem-table-$n" "$TLSFLEET" -c "$WORK/mem-$n.conf" --list
		done
		local got
		got=$(grep -c '"state":	"enabled"' "$WORK/out.mem-json-$n" || true)
		echo "   N=$n: last JSON run has $got of $n instances enabled"
	done
	printf "%-22s %8s %8s %10s %10s %8s\n" run N wall_s cpu_us/inst peak_MB fail
	for fmt in json table; do
		for n in 1000 10000 100000; do
			awk -v l="mem-$fmt-$n" -v n=$n -v w="$(median "mem-$fmt-$n" 2)" -v c="$(median "mem-$fmt-$n" 3)" \
				-v r="$(median "mem-$fmt-$n" 4)" -v f="$(failures "mem-$fmt-$n")" 'BEGIN {
				printf "%-22s %8d %8.2f %10.1f %10.1f %8d\n", l, n, w, c * 1e6 / n, r / 1024, f }'
		done
		awk -v a="$(median "mem-$fmt-1000" 4)" -v b="$(median "mem-$fmt-100000" 4)" -v f=$fmt 'BEGIN {
			s = (b - a) * 1024 / 99000
			printf "   %s: %.0f bytes per instance beyond the base (1k -> 100k slope; target <= 2048: %s); 100k peak %.0f MB (target <= 300: %s)\n",
				f, s, (s <= 2048 ? "met" : "MISSED"), b / 1024, (b / 1024 <= 300 ? "met" : "MISSED") }'
	done
}

# Config load: the bench program calls config_load() on the 100k config
# (parse, validation, model, tree freed), median of RUNS.
scenario_config() {
	make_certs
	echo
	echo "== config load (bench/confload.c calling config_load)"
	for n in 10000 100000; do
		[ -f "$WORK/mem-$n.conf" ] || fleet "mem-$n" 1 "$n"
		taskset -c "$CLIENT_CPU" "$WORK/bin/confload" -r "$RUNS" "$WORK/mem-$n.conf"
	done | tee -a "$RESULTS"
	echo "   target: 100k instances <= 1 s"
}

# Sorting and filtering the dashboard's model on 100k instances.
scenario_view() {
	make_certs
	echo
	echo "== dashboard model (bench/viewbench.c: fleet_view_update on 100k instances)"
	[ -f "$WORK/mem-100000.conf" ] || fleet mem-100000 1 100000
	taskset -c "$CLIENT_CPU" "$WORK/bin/viewbench" -r "$RUNS" "$WORK/mem-100000.conf" | tee -a "$RESULTS"
	echo "   target: every sort and filter <= 50 ms"
}

# The dashboard during 10k-instance refreshes: keys sent through tmux while
# the engine runs flat out (R restarts a full refresh every round).
scenario_ui() {
	command -v tmux >/dev/null || { echo "== ui: tmux missing, skipped"; return; }
	start_nginx 0.1
	local n=${UI_N:-10000} rounds=${UI_ROUNDS:-8}
	echo
	echo "== ui: dashboard on $n instances, no latency, concurrency 64; $rounds refreshes with keys during each"
	fleet "ui" "$PORT_H1" "$n"
	rm -rf "$XDG_STATE_HOME"
	local tm="tmux -L tlsfleet-bench"
	$tm kill-server 2>/dev/null || true
	rm -f "$WORK/ui-stats.txt"
	$tm -f /dev/null new-session -d -x 200 -y 50 -s ui \
		"TLSFLEET_UI_STATS='$WORK/ui-stats.txt' taskset -c $CLIENT_CPU '$TLSFLEET' -c '$WORK/ui.conf'"
	local deadline=$((SECONDS + 20))
	until $tm capture-pane -p -t ui 2>/dev/null | grep -q 'bench-0000'; do
		[ $SECONDS -lt $deadline ] || { log "the dashboard did not come up"; break; }
		sleep 0.1
	done
	# Keys keep coming (one tmux call every few ms) from the first frame
	# to q: the loop is never idle, so the gap between two reads of the
	# terminal is the longest a keypress could have waited.
	local keys=0
	for r in $(seq "$rounds"); do
		$tm send-keys -t ui R
		for i in $(seq 40); do
			$tm send-keys -t ui j j PgDn k
			keys=$((keys + 4))
		done
	done
	$tm send-keys -t ui q
	deadline=$((SECONDS + 20))
	until [ -s "$WORK/ui-stats.txt" ]; do
		[ $SECONDS -lt $deadline ] || { log "no UI statistics written"; break; }
		sleep 0.1
	done
	$tm kill-server 2>/dev/null || true
	echo "   keys sent: $keys (plus $rounds x R, q)"
	sed 's/^/   /' "$WORK/ui-stats.txt" 2>/dev/null | tee -a "$RESULTS"
	echo "   target: input_gap_ms max and frame_ms max <= 50"
}

# Baselines: the curl command line once per instance (sequential, and
# xargs -P 8) and the official Tencent Node.js SDK (sequential and batches
# of 32), all asking DescribeSSLStatus against the same nginx.
scenario_baselines() {
	start_nginx 0.1
	echo
	echo "== baselines (DescribeSSLStatus against the same nginx, HTTP/1.1)"
	fleet base "$PORT_H1" 4000 --services tencent/redis
	local ca=$WORK/ca.pem url=https://127.0.0.1:$PORT_H1/
	# One curl process per instance, as a cron script would do it.
	cat >"$WORK/one-curl.sh" <<EOF
#!/bin/sh
exec curl -s -o /dev/null --fail --cacert "$ca" -X POST -H "Content-Type: application/json" \\
	-H "X-TC-Action: DescribeSSLStatus" -H "X-TC-Region: ap-guangzhou" -H "X-TC-Version: 2018-04-12" \\
	-H "X-TC-Timestamp: \$(date +%s)" \\
	-H "Authorization: TC3-HMAC-SHA256 Credential=BENCHTENCENTKEY0000/2024-01-01/redis/tc3_request, SignedHeaders=content-type;host, Signature=0" \\
	-d "{\\"InstanceId\\":\\"\$1\\"}" "$url"
EOF
	chmod +x "$WORK/one-curl.sh"
	cut -f4 "$WORK/base.tsv" | head -300 >"$WORK/ids-300"
	cut -f4 "$WORK/base.tsv" | head -1000 >"$WORK/ids-1000"
	measure base-curl-seq sh -c "while read -r id; do '$WORK/one-curl.sh' \"\$id\" || exit 1; done <'$WORK/ids-300'"
	measure base-curl-xargs8 sh -c "xargs -P 8 -n 1 '$WORK/one-curl.sh' <'$WORK/ids-1000'"
	local have_sdk=0
	if command -v node >/dev/null && command -v npm >/dev/null; then
		if [ ! -d "$BENCH_DIR/node_modules/tencentcloud-sdk-nodejs-common" ]; then
			log "installing tencentcloud-sdk-nodejs-common into bench/node_modules (not committed)"
			(cd "$BENCH_DIR" && npm install --no-save --no-package-lock --no-audit --no-fund --silent \
				tencentcloud-sdk-nodejs-common@4 >/dev/null 2>&1) || log "npm install failed: SDK baseline skipped"
		fi
		[ -d "$BENCH_DIR/node_modules/tencentcloud-sdk-nodejs-common" ] && have_sdk=1
	fi
	if [ $have_sdk = 1 ]; then
		measure base-sdk-seq env NODE_EXTRA_CA_CERTS="$ca" node "$BENCH_DIR/sdk-baseline.js" "$WORK/base.tsv" "$PORT_H1" 1 1000
		measure base-sdk-batch32 env NODE_EXTRA_CA_CERTS="$ca" node "$BENCH_DIR/sdk-baseline.js" "$WORK/base.tsv" "$PORT_H1" 32 4000
	fi
	for r in $(seq 3); do
		measure base-ref "$WORK/bin/refclient" -c 64 -m sign -s -p "$PORT_H1" -a "$ca" "$WORK/base.tsv"
		measure base-tlsfleet "$TLSFLEET" -c "$WORK/base.conf" --list
	done
	printf "%-22s %7s %8s %9s %10s %12s\n" client N wall_s req/s cpu_us/req tlsfleet_x
	local tl
	tl=$(median base-tlsfleet 2)
	for spec in base-curl-seq:300 base-curl-xargs8:1000 base-sdk-seq:1000 base-sdk-batch32:4000 base-ref:4000 base-tlsfleet:4000; do
		local l=${spec%%:*} n=${spec##*:}
		grep -q "^$l " "$RESULTS" || continue
		awk -v l="$l" -v n="$n" -v w="$(median "$l" 2)" -v c="$(median "$l" 3)" -v t="$tl" 'BEGIN {
			printf "%-22s %7d %8.2f %9.0f %10.0f %12.1f\n", l, n, w, n / w, c * 1e6 / n, ((n / w) > 0 ? (4000 / t) / (n / w) : 0) }'
	done
	echo "   tlsfleet_x: tlsfleet's requests/s divided by the baseline's"
}

machine() {
	echo "== machine"
	echo "   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r)"
	echo "   $(curl --version | head -1)"
	echo "   $(openssl version), $(nginx -v 2>&1), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "   tlsfleet: $TLSFLEET ($("$TLSFLEET" --version 2>/dev/null | head -1))"
}

machine
scenarios=()
for s in "$@"; do
	if [ "$s" = all ]; then
		scenarios+=(whole throughput latency rate memory config view ui baselines)
	else
		scenarios+=("$s")
	fi
done
for s in "${scenarios[@]}"; do
	case $s in
	whole | throughput | latency | rate | memory | config | view | ui | baselines) "scenario_$s" ;;
	*) echo "bench: unknown scenario '$s'" >&2; usage ;;
	esac
done
echo
echo "bench: raw results in $RESULTS$([ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_WORK:-}" ] || echo ' (removed; BENCH_KEEP=1 keeps them)')"
