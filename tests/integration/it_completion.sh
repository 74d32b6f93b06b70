#!/bin/bash
# Shell completion (contrib/completion): each script passes its shell's
# syntax check, completes options when asked the way the shell asks, and
# offers exactly the long options `tlsfleet --help` lists.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
[ -x "$TLSFLEET" ] || skip_all "tlsfleet not built"
COMP="$top_srcdir/contrib/completion"

# need TOOL: in CI every shell is installed; elsewhere a missing one skips.
have() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -n "${CI:-}" ]; then ok 1 "$1 is installed (CI installs it)"; else diag "SKIP: $1 not installed"; fi
	return 1
}

help_opts=$("$TLSFLEET" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
# opts_of FILE REGEX [PREFIX-TO-DROP]: the options a script names.
opts_of() { grep -oE -- "$2" "$1" | sed -E "s/^${3:-}//" | sort -u; }

check "bash script parses" bash -n "$COMP/tlsfleet"
is "$(opts_of "$COMP/tlsfleet" '--[a-z][a-z-]+')" "$help_opts" "bash offers the options --help lists"
if [ -f /usr/share/bash-completion/bash_completion ]; then
	got=$(bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
		COMP_WORDS=(tlsfleet --form); COMP_CWORD=1; COMP_LINE="tlsfleet --form"; COMP_POINT=${#COMP_LINE}
		_tlsfleet; printf "%s " "${COMPREPLY[@]}"' _ "$COMP/tlsfleet")
	is "$got" "--format " "bash completes --form to --format"
	got=$(bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
		COMP_WORDS=(tlsfleet --format ""); COMP_CWORD=2; COMP_LINE="tlsfleet --format "; COMP_POINT=${#COMP_LINE}
		_tlsfleet; printf "%s " "${COMPREPLY[@]}"' _ "$COMP/tlsfleet")
	case $got in *json*csv*) ok 0 "bash completes --format values" ;; *) ok 1 "bash completes --format values (got '$got')" ;; esac
elif [ -n "${CI:-}" ]; then
	ok 1 "bash-completion is installed (CI installs it)"
fi

if have zsh; then
	check "zsh script parses" zsh -n "$COMP/_tlsfleet"
	is "$(opts_of "$COMP/_tlsfleet" '--[a-z][a-z-]+')" "$help_opts" \
		"zsh offers the options --help lists"
fi

if have fish; then
	check "fish script parses" fish -n "$COMP/tlsfleet.fish"
	is "$(grep '^complete' "$COMP/tlsfleet.fish" | opts_of - '-l [a-z][a-z-]+' '-l ' | sed 's/^/--/')" "$help_opts" \
		"fish offers the options --help lists"
	got=$(fish -c "source '$COMP/tlsfleet.fish'; complete -C 'tlsfleet --form'" 2>&1 | cut -f1)
	is "$got" "--format" "fish completes --form to --format"
fi
done_testing
