/* File helpers shared by the unit tests that write to disk. */
#include "testfs.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *path_join(const char *a, const char *b)
{
	return xasprintf("%s/%s", a, b);
}

/* Whole file or NULL; *len may be NULL. */
char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!fp)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (!got)
			break;
	}
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void spew(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	if (!fp) {
		printf("Bail out! cannot write %s\n", path);
		exit(99);
	}
	fputs(text, fp);
	fclose(fp);
}

bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Entries of dir (".", ".." excluded); -1 if it cannot be read. */
int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* True when dir holds a leftover temporary file. */
bool has_temp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tmp."))
			found = true;
	closedir(d);
	return found;
}

void rm_rf(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", path);
	free(cmd);
}
