/* A growable byte buffer, always NUL-terminated. The owner frees it with
 * strbuf_free() or takes the bytes with strbuf_steal(). */
#ifndef TLSFLEET_STRBUF_H
#define TLSFLEET_STRBUF_H
#include <stddef.h>
#include <stdarg.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT {NULL, 0, 0}

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *sb);
char *strbuf_steal(struct strbuf *sb);   /* never NULL; buffer left empty */
void strbuf_free(struct strbuf *sb);
const char *strbuf_str(const struct strbuf *sb); /* "" when empty */

#endif
