#include "report/jsonprint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_tabs(struct strbuf *sb, int n)
{
	strbuf_grow(sb, (size_t)(n > 0 ? n : 0));
	for (int i = 0; i < n; i++)
		sb->buf[sb->len++] = '\t';
	sb->buf[sb->len] = '\0';
}

/* cJSON's rules: '"', '\\' and the five short escapes by letter, other
 * bytes below 0x20 as \u00xx, everything else (UTF-8, DEL) as it is. */
static void put_string(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	strbuf_addc(sb, '"');
	if (s) {
		const char *run = s;

		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;
			char esc[6] = {'\\', 0};
			size_t n = 2;

			if (c > 31 && c != '"' && c != '\\')
				continue;
			strbuf_add(sb, run, (size_t)(s - run));
			run = s + 1;
			switch (c) {
			case '"': esc[1] = '"'; break;
			case '\\': esc[1] = '\\'; break;
			case '\b': esc[1] = 'b'; break;
			case '\f': esc[1] = 'f'; break;
			case '\n': esc[1] = 'n'; break;
			case '\r': esc[1] = 'r'; break;
			case '\t': esc[1] = 't'; break;
			default:
				memcpy(esc + 1, "u00", 3);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				n = 6;
				break;
			}
			strbuf_add(sb, esc, n);
		}
		strbuf_add(sb, run, (size_t)(s - run));
	}
	strbuf_addc(sb, '"');
}

static int put_number(struct strbuf *sb, const cJSON *item)
{
	double d = item->valuedouble;

	if (isnan(d) || isinf(d)) {
		strbuf_adds(sb, "null");
	} else if (d == floor(d) && fabs(d) < 1e15 && !(d == 0 && signbit(d))) {
		/* A whole number of at most 15 digits: what cJSON's "%1.15g"
		 * (and its newer "%d" for int-sized values) prints. */
		char buf[24];
		int n = snprintf(buf, sizeof(buf), "%lld", (long long)d);
		strbuf_add(sb, buf, (size_t)n);
	} else {
		/* Fractions, -0 and big numbers (only ever in a provider's own
		 * answer): cJSON's %1.15g / %1.17g round trip is its own. */
		char *s = cJSON_PrintUnformatted(item);
		if (!s)
			return -1;
		strbuf_adds(sb, s);
		cJSON_free(s);
	}
	return 0;
}

static int put_value(struct strbuf *sb, const cJSON *item, int depth)
{
	switch (item->type & 0xFF) {
	case cJSON_NULL:
		strbuf_adds(sb, "null");
		return 0;
	case cJSON_False:
		strbuf_adds(sb, "false");
		return 0;
	case cJSON_True:
		strbuf_adds(sb, "true");
		return 0;
	case cJSON_Number:
		return put_number(sb, item);
	case cJSON_Raw:
		if (!item->valuestring)
			return -1;
		strbuf_adds(sb, item->valuestring);
		return 0;
	case cJSON_String:
		put_string(sb, item->valuestring);
		return 0;
	case cJSON_Array:
		strbuf_addc(sb, '[');
		for (const cJSON *c = item->child; c; c = c->next) {
			if (put_value(sb, c, depth + 1) != 0)
				return -1;
			if (c->next)
				strbuf_add(sb, ", ", 2);
		}
		strbuf_addc(sb, ']');
		return 0;
	case cJSON_Object:
		strbuf_add(sb, "{\n", 2);
		for (const cJSON *c = item->child; c; c = c->next) {
			put_tabs(sb, depth + 1);
			put_string(sb, c->string);
			strbuf_add(sb, ":\t", 2);
			if (put_value(sb, c, depth + 1) != 0)
				return -1;
			strbuf_add(sb, c->next ? ",\n" : "\n", c->next ? 2 : 1);
		}
		put_tabs(sb, depth);
		strbuf_addc(sb, '}');
		return 0;
	default:
		return -1;
	}
}

int jsonprint_append(struct strbuf *sb, const cJSON *item)
{
	return item ? put_value(sb, item, 0) : -1;
}
