/* Scratch space for the fuzz targets (see fuzz.h). */
#include "fuzz.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static char *scratch;

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Depth-first removal; the tree is what the targets wrote, no symlinks
 * are followed (unlinkat on a link removes the link). */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char *p = xasprintf("%s/%s", path, e->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(p);
			else
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(path);
}

static void cleanup(void)
{
	if (scratch)
		remove_tree(scratch);
	free(scratch);
	scratch = NULL;
}

/* Credential and location variables the loaders read. */
static int is_private_var(const char *kv)
{
	static const char *const prefixes[] = {
		"TENCENTCLOUD_", "HUAWEICLOUD_", "ALIBABA_CLOUD_", "ALICLOUD_",
		"XDG_", "TLSFLEET_", NULL,
	};

	for (const char *const *p = prefixes; *p; p++)
		if (strncmp(kv, *p, strlen(*p)) == 0)
			return 1;
	return 0;
}

static void scrub_environment(void)
{
	for (;;) {
		char **e;
		for (e = environ; *e && !is_private_var(*e); e++)
			;
		if (!*e)
			break;
		char *name = xstrndup(*e, strcspn(*e, "="));
		unsetenv(name);
		free(name);
	}
}

const char *fuzz_scratch(void)
{
	if (scratch)
		return scratch;

	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/tlsfleet-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	scratch = tmpl;
	atexit(cleanup);
	scrub_environment();

	char *home = xasprintf("%s/home", scratch);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	free(home);
	return scratch;
}

char *fuzz_write(const char *name, const void *data, size_t size, int mode)
{
	char *path = xasprintf("%s/%s", fuzz_scratch(), name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror(path);
		abort();
	}
	fchmod(fd, mode);
	close(fd);
	return path;
}
