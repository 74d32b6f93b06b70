/* Shared by the fuzz targets: the libFuzzer entry point's prototype and a
 * private scratch directory. Each target is one fuzz_<name>.c; it links
 * either with libFuzzer (tests/fuzz/run.sh, clang) or with replay.c (plain
 * gcc, `make check` replays tests/fuzz/corpus/<name>). */
#ifndef TLSFLEET_FUZZ_H
#define TLSFLEET_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes as a new NUL-terminated string (inputs are not terminated). */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* A private directory, created on first use and removed at exit, with
 * HOME and XDG_* pointing into it and every cloud credential variable
 * unset, so no target ever reads the user's keys or state. */
const char *fuzz_scratch(void);
/* Write size bytes to <scratch>/name with mode; returns the new path. */
char *fuzz_write(const char *name, const void *data, size_t size, int mode);

#endif
