/* Safe basenames and atomic, symlink-proof writes. Everything below DIR is
 * reached through directory file descriptors (openat/renameat/unlinkat with
 * O_NOFOLLOW), so swapping a path component for a symlink between two
 * calls cannot redirect a write outside DIR. */
#include "store/safefile.h"
#include "core/textsafe.h"
#include "core/xalloc.h"
#include "engine/url.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

/* ---- names --------------------------------------------------------------- */

char *safefile_basename(const char *name, size_t max_bytes)
{
	if (!name)
		return NULL;

	const char *p = name;
	size_t left = strlen(name), o = 0, n;
	char *out = xmalloc(left + 1);
	uint32_t cp;

	for (; left; p += n, left -= n) {
		n = textsafe_utf8_next(p, left, &cp);
		if (n == 0) {           /* invalid byte: dropped, resync on the next */
			n = 1;
			continue;
		}
		/* controls include the bidi ones: "\u202Egpj.exe" must not pass
		 * for a picture in a file manager */
		if (!textsafe_is_control(cp) && cp != '/' && cp != '\\') {
			memcpy(out + o, p, n);
			o += n;
		}
	}
	out[o] = '\0';
	if (out[0] == '.')
		out[0] = '_';
	if (o > max_bytes) {
		size_t cut = max_bytes;
		while (cut > 0 && ((unsigned char)out[cut] & 0xc0) == 0x80)
			cut--;
		out[cut] = '\0';
		o = cut;
	}
	if (o == 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *safefile_fallback_name(const char *instance_id, const char *ext)
{
	char *raw = xasprintf("%s-ca.%s", instance_id && *instance_id ? instance_id : "instance",
	                      ext && *ext ? ext : "bin");
	char *name = safefile_basename(raw, SAFEFILE_NAME_MAX);

	free(raw);
	return name ? name : xstrdup("instance-ca.bin");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *safefile_name_from_url(const char *url)
{
	struct url_parts u;
	char *why = NULL;

	/* libcurl's parser takes the authority (host, port, userinfo) and the
	 * query off: neither is ever a file name. */
	if (!url)
		return NULL;
	if (url_parse(url, &u, &why) != 0) {
		free(why);
		return NULL;
	}
	const char *slash = u.path ? strrchr(u.path, '/') : NULL;
	const char *seg = slash ? slash + 1 : u.path ? u.path : "";
	const char *stop = seg + strlen(seg);
	char *out = xmalloc((size_t)(stop - seg) + 1);
	size_t o = 0;

	for (const char *q = seg; q < stop; q++) {
		int hi, lo;
		if (*q == '%' && q + 2 < stop &&
		    (hi = hexval((unsigned char)q[1])) >= 0 && (lo = hexval((unsigned char)q[2])) >= 0) {
			char c = (char)(hi << 4 | lo);
			if (c != '\0')
				out[o++] = c;
			q += 2;
		} else {
			out[o++] = *q;
		}
	}
	out[o] = '\0';
	url_parts_free(&u);
	if (o == 0) {
		free(out);
		return NULL;
	}
	return out;
}

void safefile_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data ? data : "", len, md, &n, EVP_sha256(), NULL) || n != 32)
		die(70, "SHA-256 is not available");
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* ---- directories ---------------------------------------------------------- */

/* One path component, not "." or "..": anything else could climb out. */
static bool component_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && !strchr(s, '/') && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

/* mkdir -p with mode for what it creates. Errors of intermediate steps are
 * left to the final open, which tells the truth about the result. */
static int mkdir_p(const char *dir, mode_t mode)
{
	char *p = xstrdup(dir);
	int first_errno = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST && !first_errno)
				first_errno = errno;
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return first_errno;
}

static char *absolute_path(const char *dir)
{
	char *real = realpath(dir, NULL);

	if (real) {
		char *out = xstrdup(real);
		free(real);
		return out;
	}
	if (dir[0] == '/')
		return xstrdup(dir);
	char *cwd = getcwd(NULL, 0);
	char *out = xasprintf("%s/%s", cwd ? cwd : ".", dir);
	free(cwd);
	return out;
}

int safedir_open(struct safedir *d, const char *dir, const char *sub, char **err)
{
	return safedir_open_mode(d, dir, sub, 0700, err);
}

int safedir_open_mode(struct safedir *d, const char *dir, const char *sub, mode_t dir_mode,
                      char **err)
{
	d->fd = -1;
	d->path = NULL;
	if (!dir || !*dir) {
		*err = xstrdup("no directory to write into");
		return -1;
	}
	if (sub && !component_ok(sub, NAME_MAX)) {
		*err = xasprintf("unsafe directory name '%s'", sub);
		return -1;
	}

	int mkerr = mkdir_p(dir, dir_mode);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		int e = errno == ENOENT && mkerr ? mkerr : errno;
		*err = xasprintf("cannot create directory %s: %s", dir, strerror(e));
		return -1;
	}
	char *base = absolute_path(dir);
	if (!sub) {
		d->fd = dfd;
		d->path = base;
		return 0;
	}

	char *path = xasprintf("%s/%s", strcmp(base, "/") == 0 ? "" : base, sub);
	free(base);
	if (mkdirat(dfd, sub, dir_mode) != 0 && errno != EEXIST) {
		*err = xasprintf("cannot create directory %s: %s", path, strerror(errno));
		goto fail;
	}
	int sfd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0) {
		int e = errno;
		struct stat st;
		if (fstatat(dfd, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			*err = xasprintf("%s is a symbolic link: refusing to write through it", path);
		else if (e == ENOTDIR)
			*err = xasprintf("%s exists and is not a directory", path);
		else
			*err = xasprintf("cannot open directory %s: %s", path, strerror(e));
		goto fail;
	}
	close(dfd);
	d->fd = sfd;
	d->path = path;
	return 0;
fail:
	close(dfd);
	free(path);
	return -1;
}

void safedir_close(struct safedir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	free(d->path);
	d->path = NULL;
}

void safedir_sync(struct safedir *d)
{
	/* Some file systems refuse fsync on a directory (EINVAL); the renames
	 * are visible either way, so there is nothing better to do. */
	if (d->fd >= 0)
		(void)fsync(d->fd);
}

/* ---- files ------------------------------------------------------------------ */

static char *write_error(int e, const char *dir, const char *name)
{
	switch (e) {
	case ENOSPC:
		return xasprintf("disk full writing %s/%s", dir, name);
	case EDQUOT:
		return xasprintf("disk quota exceeded writing %s/%s", dir, name);
	case EFBIG:
		return xasprintf("file size limit exceeded writing %s/%s", dir, name);
	case EIO:
		return xasprintf("I/O error writing %s/%s", dir, name);
	case EROFS:
		return xasprintf("read-only file system: cannot write %s/%s", dir, name);
	default:
		return xasprintf("cannot write %s/%s: %s", dir, name, strerror(e));
	}
}

static void random_suffix(char out[7])
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned counter;
	unsigned char rnd[6];

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* uniqueness, not secrecy, is what matters here: O_EXCL does the rest */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		unsigned long v = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^ ++counter;
		for (int i = 0; i < 6; i++, v /= 62)
			rnd[i] = (unsigned char)(v % 62);
	}
	for (int i = 0; i < 6; i++)
		out[i] = alphabet[rnd[i] % 62];
	out[6] = '\0';
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			return EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int safefile_stage(struct safedir *d, const char *name, const void *data, size_t len,
                   mode_t mode, struct safefile_tmp *t, char **err)
{
	int fd = -1;
	int e;

	t->name = NULL;
	t->tmpname = NULL;
	/* room for ".<name>.tmp.XXXXXX" within NAME_MAX */
	if (!component_ok(name, NAME_MAX - 16)) {
		*err = xasprintf("unsafe file name '%s'", name ? name : "");
		return -1;
	}
	char *tmp = NULL;
	for (int tries = 0; tries < 100; tries++) {
		char suffix[7];
		random_suffix(suffix);
		free(tmp);
		tmp = xasprintf(".%s.tmp.%s", name, suffix);
		fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		*err = xasprintf("cannot create a file in %s: %s", d->path, strerror(errno));
		free(tmp);
		return -1;
	}

	e = write_all(fd, data, len);
	if (!e && fsync(fd) != 0)
		e = errno;
	/* NFS and some FUSE file systems report a full disk only at close */
	if (close(fd) != 0 && !e && errno != EINTR)
		e = errno;
	if (e) {
		unlinkat(d->fd, tmp, 0);
		free(tmp);
		*err = write_error(e, d->path, name);
		return -1;
	}
	t->name = xstrdup(name);
	t->tmpname = tmp;
	return 0;
}

int safefile_commit(struct safedir *d, struct safefile_tmp *t, char **err)
{
	if (!t->tmpname) {
		*err = xstrdup("nothing staged to commit");
		return -1;
	}
	if (renameat(d->fd, t->tmpname, d->fd, t->name) != 0) {
		int e = errno;
		if (e == EISDIR)
			*err = xasprintf("cannot replace %s/%s: it is a directory", d->path, t->name);
		else
			*err = xasprintf("cannot replace %s/%s: %s", d->path, t->name, strerror(e));
		unlinkat(d->fd, t->tmpname, 0);
		free(t->tmpname);
		t->tmpname = NULL;
		return -1;
	}
	free(t->tmpname);
	t->tmpname = NULL;
	return 0;
}

void safefile_abort(struct safedir *d, struct safefile_tmp *t)
{
	if (t->tmpname && d->fd >= 0)
		unlinkat(d->fd, t->tmpname, 0);
	free(t->tmpname);
	free(t->name);
	t->tmpname = NULL;
	t->name = NULL;
}

int safefile_write_atomic(const char *dir, const char *sub, const char *name,
                          const void *data, size_t len, mode_t mode,
                          char **path_out, char **err)
{
	struct safedir d;
	struct safefile_tmp t;

	if (safedir_open(&d, dir, sub, err) != 0)
		return -1;
	if (safefile_stage(&d, name, data, len, mode, &t, err) != 0 ||
	    safefile_commit(&d, &t, err) != 0) {
		safefile_abort(&d, &t);
		safedir_close(&d);
		return -1;
	}
	safefile_abort(&d, &t);   /* frees the names; nothing left to remove */
	safedir_sync(&d);
	if (path_out)
		*path_out = xasprintf("%s/%s", d.path, name);
	safedir_close(&d);
	return 0;
}
