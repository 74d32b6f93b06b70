#!/bin/bash
# `make install` puts the program, man pages (with the configured paths),
# themes, example config, licence and completions in place; `make
# uninstall` takes every file and every directory of ours away again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
[ -x "$TLSFLEET" ] || skip_all "tlsfleet not built"
[ -f "$top_builddir/Makefile" ] || skip_all "no build tree"
MAKE=${MAKE:-make}
dest="$WORK/dest"
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")

run_make() { "$MAKE" -s -C "$top_builddir" "$@" DESTDIR="$dest" >>"$WORK/make.log" 2>&1; }
check "make install DESTDIR" run_make install
root="$dest$prefix"
for f in bin/tlsfleet share/man/man1/tlsfleet.1 share/man/man5/tlsfleet.conf.5 \
	share/tlsfleet/themes/default.theme share/doc/tlsfleet/examples/config.example \
	share/doc/tlsfleet/LICENSE share/bash-completion/completions/tlsfleet \
	share/zsh/site-functions/_tlsfleet share/fish/vendor_completions.d/tlsfleet.fish; do
	check "installed $f" test -f "$root/$f"
done
check "tlsfleet(1) names the installed themes directory" \
	grep -qF "$prefix/share/tlsfleet/themes" "$root/share/man/man1/tlsfleet.1"
check "tlsfleet.conf(5) names the installed example" \
	grep -qF "$prefix/share/doc/tlsfleet/examples/config.example" "$root/share/man/man5/tlsfleet.conf.5"
if grep -q '@[a-z]*dir@' "$root/share/man/man1/tlsfleet.1" "$root/share/man/man5/tlsfleet.conf.5"; then
	ok 1 "no placeholder left in the man pages"
else
	ok 0 "no placeholder left in the man pages"
fi

check "make uninstall DESTDIR" run_make uninstall
is "$(find "$dest" -type f -o -type l | head -n 5)" "" "uninstall leaves no file"
# below the prefix only: the prefix itself may be named after us (distcheck's is
# .../tlsfleet-VERSION/_inst)
is "$(find "$root" -mindepth 1 -name '*tlsfleet*' | head -n 5)" "" "uninstall leaves no tlsfleet directory"
done_testing
