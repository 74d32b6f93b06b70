#!/bin/bash
# Install what the benchmarks need (Debian/Ubuntu, as root or with sudo):
# nginx-light with the echo module (echo_sleep: a fixed latency per answer),
# GNU time (peak RSS), tmux (the dashboard run), python3 (fleet generator),
# openssl (the bench CA), perf is optional. Idempotent: installs only what
# is missing. The Node.js SDK baseline installs itself at run time (run.sh
# baselines) into bench/node_modules, which is not part of the repository.
set -eu

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

want=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in nginx-light libnginx-mod-http-echo time tmux python3 openssl curl; do
	have_pkg "$p" || want+=("$p")
done
# Build dependencies of tlsfleet itself (the bench programs link its library).
for p in gcc make pkg-config libcurl4-openssl-dev libcjson-dev libconfig-dev libssl-dev \
	libzip-dev libncurses-dev; do
	have_pkg "$p" || want+=("$p")
done
if [ ${#want[@]} -gt 0 ]; then
	echo "bench/setup.sh: installing ${want[*]}" >&2
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi
# The Debian package starts a system nginx on port 80: the bench runs its
# own instance with its own config and never needs that one.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
	$SUDO systemctl stop nginx || true
fi
echo "bench/setup.sh: ready ($(nginx -v 2>&1))" >&2
