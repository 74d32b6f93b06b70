/* paths: home, XDG and "~" expansion with the one fallback rule. */
#include "tap.h"
#include "core/paths.h"
#include "core/xalloc.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void is_path(char *got, const char *want, const char *name)
{
	is_str(got, want, name);
	free(got);
}

int main(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *pw_home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/";

	setenv("HOME", "/home/u", 1);
	is_path(paths_home(), "/home/u", "home from $HOME");
	setenv("HOME", "", 1);
	is_path(paths_home(), pw_home, "empty $HOME: the password database");
	unsetenv("HOME");
	is_path(paths_home(), pw_home, "no $HOME: the password database");
	char *under = paths_join(pw_home, "x");
	is_path(paths_expand("~/x", NULL), under, "no $HOME: ~ is the password database's home");
	free(under);
	setenv("HOME", "/home/u/", 1);

	is_path(paths_join("/a", "b"), "/a/b", "join adds one slash");
	is_path(paths_join("/a/", "b"), "/a/b", "join keeps one slash");
	is_path(paths_join("/a", ""), "/a", "join with nothing");
	is_path(paths_join("/", "b"), "/b", "join under root");

	is_path(paths_expand("~", NULL), "/home/u/", "~ alone");
	is_path(paths_expand("~/certs", NULL), "/home/u/certs", "~/");
	is_path(paths_expand("~//certs", NULL), "/home/u/certs", "~// collapses");
	is_path(paths_expand("$HOME/certs", NULL), "/home/u/certs", "$HOME/");
	is_path(paths_expand("${HOME}/certs", NULL), "/home/u/certs", "${HOME}/");
	is_path(paths_expand("$HOMEY/certs", "/base"), "/base/$HOMEY/certs", "$HOMEY is not $HOME");
	ok(paths_expand("~bob/certs", NULL) == NULL, "~user refused");
	is_path(paths_expand("certs", "/etc/tlsfleet"), "/etc/tlsfleet/certs", "relative joined to base");
	is_path(paths_expand("certs", NULL), "certs", "relative without base kept");
	is_path(paths_expand("/abs/certs", "/base"), "/abs/certs", "absolute kept");

	setenv("HOME", "/home/u", 1);
	setenv("XDG_STATE_HOME", "/x/state", 1);
	is_path(paths_xdg("XDG_STATE_HOME", ".local/state", "tlsfleet/state.json"),
	        "/x/state/tlsfleet/state.json", "absolute XDG variable used");
	setenv("XDG_STATE_HOME", "relative", 1);
	is_path(paths_xdg("XDG_STATE_HOME", ".local/state", "tlsfleet/state.json"),
	        "/home/u/.local/state/tlsfleet/state.json", "relative XDG variable ignored");
	setenv("XDG_STATE_HOME", "", 1);
	is_path(paths_xdg("XDG_STATE_HOME", ".local/state", "tlsfleet/state.json"),
	        "/home/u/.local/state/tlsfleet/state.json", "empty XDG variable ignored");
	unsetenv("XDG_STATE_HOME");
	is_path(paths_xdg("XDG_STATE_HOME", ".local/state", "tlsfleet/state.json"),
	        "/home/u/.local/state/tlsfleet/state.json", "unset XDG variable: under home");
	unsetenv("HOME");
	char *want = paths_join(pw_home, ".config/tlsfleet/config");
	is_path(paths_xdg("XDG_CONFIG_HOME_UNSET_FOR_TEST", ".config", "tlsfleet/config"), want,
	        "no $HOME: XDG default under the password database's home");
	free(want);
	return done_testing();
}
