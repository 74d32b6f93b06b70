#include "core/jsonprint.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes (and the NUL): the caller writes them and sets
 * sb->len. Every piece below is reserved once and written in place: a
 * strbuf call per token was most of the cost (callgrind). */
static char *room(struct strbuf *sb, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
		strbuf_grow(sb, n);
	return sb->buf + sb->len;
}

static void put(struct strbuf *sb, const char *s, size_t n)
{
	char *o = room(sb, n);

	memcpy(o, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static void put_tabs(struct strbuf *sb, int n)
{
	char *o = room(sb, (size_t)(n > 0 ? n : 0));

	for (int i = 0; i < n; i++)
		*o++ = '\t';
	*o = '\0';
	sb->len = (size_t)(o - sb->buf);
}

/* Extra bytes each byte costs when escaped: cJSON's rules are '"', '\\'
 * and the five short escapes by letter, other bytes below 0x20 as
 * \u00xx, everything else (UTF-8, DEL) as it is. */
static const unsigned char escape_extra[256] = {
	5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 1, 5, 1, 1, 5, 5,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static void put_string(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t extra = 0, n;
	char *o;

	while (*p)
		extra += escape_extra[*p++];
	n = (size_t)(p - (const unsigned char *)(s ? s : ""));
	o = room(sb, n + extra + 2);
	*o++ = '"';
	if (!extra) {
		memcpy(o, s ? s : "", n);
		o += n;
	} else {
		for (p = (const unsigned char *)s; *p; p++) {
			unsigned char c = *p;

			if (!escape_extra[c]) {
				*o++ = (char)c;
				continue;
			}
			*o++ = '\\';
			switch (c) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hex[c >> 4];
				o[4] = hex[c & 15];
				o += 5;
				break;
			}
		}
	}
	*o++ = '"';
	*o = '\0';
	sb->len = (size_t)(o - sb->buf);
}

static int put_number(struct strbuf *sb, const cJSON *item)
{
	double d = item->valuedouble;

	if (isnan(d) || isinf(d)) {
		put(sb, "null", 4);
	} else if (d == floor(d) && fabs(d) < 1e15 && !(d == 0 && signbit(d))) {
		/* A whole number of at most 15 digits: what cJSON's "%1.15g"
		 * (and its newer "%d" for int-sized values) prints. */
		char buf[24], *e = buf + sizeof(buf), *b = e;
		unsigned long long v = (unsigned long long)fabs(d);

		do
			*--b = (char)('0' + v % 10);
		while ((v /= 10));
		if (d < 0)
			*--b = '-';
		put(sb, b, (size_t)(e - b));
	} else {
		/* Fractions, -0 and big numbers (only ever in a provider's own
		 * answer): cJSON's %1.15g / %1.17g round trip is its own. */
		char *t = cJSON_PrintUnformatted(item);
		if (!t)
			return -1;
		put(sb, t, strlen(t));
		cJSON_free(t);
	}
	return 0;
}

/* How to print: cJSON_Print's layout, or cJSON_PrintUnformatted's with
 * string values passed through an optional filter. */
struct how {
	bool compact;
	jsonprint_filter filter;
};

static void put_string_value(struct strbuf *sb, const char *s, const struct how *h)
{
	char *f = h->filter && s ? h->filter(s) : NULL;

	put_string(sb, f ? f : s);
	free(f);
}

static int put_value(struct strbuf *sb, const cJSON *item, int depth, const struct how *h)
{
	switch (item->type & 0xFF) {
	case cJSON_NULL:
		put(sb, "null", 4);
		return 0;
	case cJSON_False:
		put(sb, "false", 5);
		return 0;
	case cJSON_True:
		put(sb, "true", 4);
		return 0;
	case cJSON_Number:
		return put_number(sb, item);
	case cJSON_Raw:
		if (!item->valuestring)
			return -1;
		put(sb, item->valuestring, strlen(item->valuestring));
		return 0;
	case cJSON_String:
		put_string_value(sb, item->valuestring, h);
		return 0;
	case cJSON_Array:
		put(sb, "[", 1);
		for (const cJSON *c = item->child; c; c = c->next) {
			if (put_value(sb, c, depth + 1, h) != 0)
				return -1;
			if (c->next)
				put(sb, ", ", h->compact ? 1 : 2);
		}
		put(sb, "]", 1);
		return 0;
	case cJSON_Object:
		put(sb, "{\n", h->compact ? 1 : 2);
		for (const cJSON *c = item->child; c; c = c->next) {
			if (!h->compact)
				put_tabs(sb, depth + 1);
			put_string(sb, c->string);
			put(sb, ":\t", h->compact ? 1 : 2);
			if (put_value(sb, c, depth + 1, h) != 0)
				return -1;
			if (h->compact)
				put(sb, ",", c->next ? 1 : 0);
			else
				put(sb, c->next ? ",\n" : "\n", c->next ? 2 : 1);
		}
		if (!h->compact)
			put_tabs(sb, depth);
		put(sb, "}", 1);
		return 0;
	default:
		return -1;
	}
}

int jsonprint_append(struct strbuf *sb, const cJSON *item)
{
	static const struct how pretty = {.compact = false};

	return item ? put_value(sb, item, 0, &pretty) : -1;
}

int jsonprint_append_compact(struct strbuf *sb, const cJSON *item, jsonprint_filter filter)
{
	struct how h = {.compact = true, .filter = filter};

	return item ? put_value(sb, item, 0, &h) : -1;
}

void jsonprint_string(struct strbuf *sb, const char *s)
{
	put_string(sb, s);
}
