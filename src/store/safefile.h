/* Safe names and atomic writes for everything tlsfleet puts on disk.
 *
 * Names that come from a provider, a URL or the config are reduced to
 * harmless basenames (tlsfleet(1), DOWNLOADS). Files are written beside their
 * target as ".<name>.tmp.XXXXXX", synced and renamed over it, so a reader
 * sees the old file or the new one and never a partial file; every failure
 * removes the temporary file. Below the directory the user chose, nothing
 * follows a symbolic link: a link planted as DIR/<instance> is refused,
 * one planted as the target is replaced, never written through.
 *
 * Ownership: every char * returned is a new string the caller frees. */
#ifndef TLSFLEET_SAFEFILE_H
#define TLSFLEET_SAFEFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SAFEFILE_NAME_MAX 128   /* bytes, tlsfleet(1) DOWNLOADS */

/* name reduced to a safe basename: controls (textsafe_is_control: C0, DEL,
 * C1, bidi), '/', '\\' and bytes that are not valid UTF-8 dropped; then a
 * leading '.' becomes '_' (so "." -> "_", ".." -> "_.", "../../x" ->
 * "_...x"); then cut to max_bytes on a UTF-8 boundary. NULL when nothing
 * is left (or name is NULL). */
char *safefile_basename(const char *name, size_t max_bytes);

/* "<instance-id>-ca.<ext>", itself reduced by safefile_basename(); never
 * NULL ("instance-ca.<ext>" if the id reduces to nothing). */
char *safefile_fallback_name(const char *instance_id, const char *ext);

/* The last path segment of url, query and fragment stripped, percent-
 * decoded (a decoded NUL is dropped); NULL when there is none. The result
 * is NOT yet safe: pass it through safefile_basename(). */
char *safefile_name_from_url(const char *url);

/* Lowercase hex SHA-256 of data into out. */
void safefile_sha256_hex(const void *data, size_t len, char out[65]);

/* A directory to write into: DIR (created like mkdir -p, new directories
 * 0700; symlinks in DIR itself are the user's and are followed), then
 * optionally DIR/<sub> (created 0700, never through a symlink). */
struct safedir {
	int fd;         /* -1 when closed */
	char *path;     /* absolute */
};

/* sub may be NULL (write into DIR itself); it must be a single safe path
 * component. 0, or -1 with *err. */
int safedir_open(struct safedir *d, const char *dir, const char *sub, char **err);
/* safedir_open() creating new directories with dir_mode instead of 0700
 * (filtered by the umask). Downloads use 0755: a CA certificate is public,
 * and a service account other than the downloader must be able to read
 * ca.pem. Existing directories keep their mode: it may be the user's
 * choice. */
int safedir_open_mode(struct safedir *d, const char *dir, const char *sub, mode_t dir_mode,
                      char **err);
void safedir_close(struct safedir *d);

/* A written, synced, not yet visible file: stage several, then commit
 * them together (or abort) so a failure of the second leaves the first
 * target untouched too. */
struct safefile_tmp {
	char *name;     /* final name */
	char *tmpname;  /* ".<name>.tmp.XXXXXX"; NULL when nothing is staged */
};

int safefile_stage(struct safedir *d, const char *name, const void *data, size_t len,
                   mode_t mode, struct safefile_tmp *t, char **err);
/* Rename over the target. On failure the temporary file is removed. */
int safefile_commit(struct safedir *d, struct safefile_tmp *t, char **err);
/* Remove the temporary file if still staged and free the names: call it
 * once for every safefile_stage(), committed or not. Safe to call twice. */
void safefile_abort(struct safedir *d, struct safefile_tmp *t);
/* Make the renames durable. Best effort: the new files are already in
 * place, so a failure here is not reported as a failed write. */
void safedir_sync(struct safedir *d);

/* All of the above for one file: DIR[/sub]/name replaced atomically with
 * data; *path_out (may be NULL) gets its absolute path. 0, or -1 with *err
 * ("disk full writing ...") and nothing left behind. mode is filtered by
 * the umask as usual. */
int safefile_write_atomic(const char *dir, const char *sub, const char *name,
                          const void *data, size_t len, mode_t mode,
                          char **path_out, char **err);

#endif
