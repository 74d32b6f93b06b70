#!/bin/sh
# Open the dashboard (or, with arguments after the binary, a headless mode)
# on the bundled demo fleet: the provider simulator serves it on 127.0.0.1
# with its own throw-away CA; no cloud account is needed.
#   demo/run-demo.sh PATH/TO/tlsfleet [tlsfleet options...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: run-demo.sh PATH/TO/tlsfleet [options]}
shift
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac

# The simulator's own directory (its CA and keys, reused between runs).
state=${XDG_CACHE_HOME:-$HOME/.cache}/tlsfleet-demo
mkdir -p "$state"
rm -f "$state/ready.json"
# tlsfleet's state and cache for the demo live in a temporary directory:
# the demo's instances never reach the user's real state file.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsfleet-demo.XXXXXX")
XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
export XDG_STATE_HOME XDG_CACHE_HOME
python3 "$here/../tests/sim/tlsfleet_sim.py" --fleet "$here/fleet.json" --state-dir "$state" \
	--port 0 --ready-file "$state/ready.json" --write-config "$state/config" \
	--log "$state/requests.log" >"$state/sim.out" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM HUP

i=0
while [ ! -s "$state/ready.json" ]; do
	if ! kill -0 $sim 2>/dev/null || [ $i -ge 300 ]; then
		echo "run-demo: the simulator did not start:" >&2
		cat "$state/sim.out" >&2
		exit 1
	fi
	i=$((i + 1))
	sleep 0.1
done

# The demo keeps its own themes dir reachable before `make install`.
TLSFLEET_THEMES_DIR="$here/../themes" "$bin" -c "$state/config" "$@"
