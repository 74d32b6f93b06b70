#include "dashboard/clipboard.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *clipboard_osc52(const char *value, size_t len)
{
	static const char head[] = "\033]52;c;";
	const unsigned char *v = (const unsigned char *)value;
	size_t hl = sizeof(head) - 1, o;
	char *out;

	if (len > CLIPBOARD_MAX)
		return NULL;
	out = xmalloc(hl + (len + 2) / 3 * 4 + 2);
	memcpy(out, head, hl);
	o = hl;
	for (size_t i = 0; i < len; i += 3) {
		unsigned long n = (unsigned long)v[i] << 16;
		if (i + 1 < len)
			n |= (unsigned long)v[i + 1] << 8;
		if (i + 2 < len)
			n |= v[i + 2];
		out[o++] = b64[(n >> 18) & 63];
		out[o++] = b64[(n >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(n >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[n & 63] : '=';
	}
	out[o++] = '\a';
	out[o] = '\0';
	return out;
}

int clipboard_write(int fd, const char *value, char **err)
{
	char *seq = clipboard_osc52(value, strlen(value));
	size_t len, off = 0;

	if (!seq) {
		*err = xasprintf("the value is longer than %d bytes", CLIPBOARD_MAX);
		return -1;
	}
	len = strlen(seq);
	while (off < len) {
		ssize_t w = write(fd, seq + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*err = xasprintf("cannot write to the terminal: %s", strerror(errno));
			free(seq);
			return -1;
		}
		off += (size_t)w;
	}
	free(seq);
	return 0;
}
