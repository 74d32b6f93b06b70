/* Corpus replay without libFuzzer: feeds every regular file of the given
 * files and directories (not recursive) to LLVMFuzzerTestOneInput, in name
 * order so a run is repeatable. Built with each target by plain gcc, so
 * `make check` (tests/integration/it_fuzz_replay.sh) keeps every committed finding
 * fixed, under ASan+UBSan in a --enable-sanitizers build. A finding aborts
 * (or the sanitizer exits non-zero) after "replaying FILE" names it. */
#include "fuzz.h"
#include "core/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path, int verbose)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got);
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	if (verbose)
		fprintf(stderr, "replaying %s (%zu bytes)\n", path, n);
	/* Exactly n bytes: a read past the end is a heap overflow for ASan. */
	unsigned char *exact = xmalloc(n ? n : 1);
	if (n)
		memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, sorted; returns how many ran or -1. */
static long run_dir(const char *dir, int verbose)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	long ran = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i], verbose) != 0)
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	int verbose = getenv("REPLAY_VERBOSE") != NULL;
	long total = 0;
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...  (REPLAY_VERBOSE=1 names each input)\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		long ran;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		ran = S_ISDIR(st.st_mode) ? run_dir(argv[i], verbose) : run_file(argv[i], verbose) == 0;
		if (ran < 0)
			bad = 1;
		else
			total += ran;
	}
	printf("%ld inputs replayed\n", total);
	return bad;
}
