/* File helpers shared by the unit tests that write to disk (the tests'
 * private directories only). Every char * returned is new; the caller
 * frees it. */
#ifndef TLSFLEET_TESTFS_H
#define TLSFLEET_TESTFS_H
#include <stdbool.h>
#include <stddef.h>

char *path_join(const char *a, const char *b);
/* Whole file, NUL-terminated, or NULL; *len may be NULL. */
char *slurp(const char *path, size_t *len);
/* Write text to path or bail out. */
void spew(const char *path, const char *text);
bool exists(const char *path);                 /* lstat: links count */
int count_entries(const char *dir);            /* without . and ..; -1 unreadable */
bool has_temp(const char *dir);                /* a leftover ".tmp." file */
void rm_rf(const char *path);

#endif
