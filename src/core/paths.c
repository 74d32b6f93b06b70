/* Home, XDG and "~": the one fallback rule is described in paths.h. */
#include "core/paths.h"
#include "core/xalloc.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *paths_home(void)
{
	const char *h = getenv("HOME");

	if (h && *h)
		return xstrdup(h);
	struct passwd *pw = getpwuid(getuid());
	return xstrdup(pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
}

char *paths_join(const char *dir, const char *rest)
{
	size_t n = strlen(dir);

	if (!*rest)
		return xstrdup(dir);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", rest);
}

char *paths_xdg(const char *var, const char *home_default, const char *rest)
{
	const char *x = getenv(var);

	if (x && x[0] == '/')
		return paths_join(x, rest);
	char *home = paths_home();
	char *base = paths_join(home, home_default);
	char *out = paths_join(base, rest);
	free(base);
	free(home);
	return out;
}

char *paths_expand(const char *path, const char *base_dir)
{
	const char *rest = NULL;

	if (path[0] == '~') {
		if (path[1] && path[1] != '/')
			return NULL;
		rest = path + 1;
	} else if (strncmp(path, "$HOME", 5) == 0 && (!path[5] || path[5] == '/')) {
		rest = path + 5;
	} else if (strncmp(path, "${HOME}", 7) == 0 && (!path[7] || path[7] == '/')) {
		rest = path + 7;
	}
	if (rest) {
		char *home = paths_home();
		while (*rest == '/')
			rest++;
		char *out = paths_join(home, rest);
		free(home);
		return out;
	}
	if (path[0] != '/' && base_dir)
		return paths_join(base_dir, path);
	return xstrdup(path);
}
