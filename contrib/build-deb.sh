#!/bin/sh
# Build the Debian package from a clean copy of the tracked files and run
# lintian on it. Usage: contrib/build-deb.sh [OUTDIR]  (default: ./_deb)
# Needs dpkg-dev, debhelper, lintian and the Build-Depends of debian/control.
# The test suite is skipped inside (DEB_BUILD_OPTIONS=nocheck): `make check`
# runs it on the same sources.
set -eu
cd "$(dirname "$0")/.."
out=$(cd "$(dirname "${1:-_deb}")" && pwd)/$(basename "${1:-_deb}")
work=$(mktemp -d "${TMPDIR:-/tmp}/tlsfleet-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tlsfleet" "$out"
if [ -d .git ] || git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z | xargs -0 tar cf - | (cd "$work/tlsfleet" && tar xf -)
else
	tar cf - --exclude='./_build*' --exclude=./_deb . | (cd "$work/tlsfleet" && tar xf -)
fi
(cd "$work/tlsfleet" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
	tail -n 40 "$work/build.log"
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
deb=$(ls "$out"/tlsfleet_*.deb | tail -n 1)
echo "build-deb: $deb"
# --fail-on warning: a warning (or error) from lintian fails the build.
lintian --fail-on warning,error --suppress-tags bad-distribution-in-changes-file "$out"/*.changes
echo "build-deb: lintian clean"
