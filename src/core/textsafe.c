#include "core/textsafe.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REPLACEMENT 0xFFFD

/* One code point from s (at most n bytes); *adv gets the bytes used, at
 * least 1, so a broken sequence costs exactly one U+FFFD per bad byte. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *adv)
{
	uint32_t c = s[0], min;
	size_t need;

	*adv = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1; c &= 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2; c &= 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3; c &= 0x07; min = 0x10000;
	} else {
		return REPLACEMENT;
	}
	if (n < need + 1)
		return REPLACEMENT;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return REPLACEMENT;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return REPLACEMENT;
	*adv = need + 1;
	return c;
}

/* Characters that could reorder or hide text on screen count as controls. */
static bool is_bidi_control(uint32_t c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200E || c == 0x200F || c == 0x061C;
}

static uint32_t safe_char(uint32_t c)
{
	if (c == '\t')
		return ' ';
	if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || is_bidi_control(c))
		return '?';
	if (c == REPLACEMENT || c < 0x80)
		return c;
	if (wcwidth((wchar_t)c) < 0)
		return '?';
	return c;
}

wchar_t *textsafe_wide(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), o = 0, adv;
	wchar_t *out = xreallocarray(NULL, n + 1, sizeof(*out));

	while (n) {
		out[o++] = (wchar_t)safe_char(utf8_next(p, n, &adv));
		p += adv;
		n -= adv;
	}
	out[o] = L'\0';
	if (len)
		*len = o;
	return out;
}

static void utf8_put(struct strbuf *sb, uint32_t c)
{
	char b[4];

	if (c < 0x80) {
		strbuf_addc(sb, (char)c);
		return;
	}
	if (c < 0x800) {
		b[0] = (char)(0xC0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3F));
		strbuf_add(sb, b, 2);
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		strbuf_add(sb, b, 4);
	}
}

char *textsafe_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), adv;
	struct strbuf sb = STRBUF_INIT;

	while (n) {
		utf8_put(&sb, safe_char(utf8_next(p, n, &adv)));
		p += adv;
		n -= adv;
	}
	return strbuf_steal(&sb);
}

static int char_width(wchar_t c)
{
	int w = c < 0x80 ? 1 : wcwidth(c);

	/* U+FFFD and friends may be unknown to a C locale: one column then. */
	return w < 0 ? 1 : w;
}

int textsafe_width(const wchar_t *s, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++)
		w += char_width(s[i]);
	return w;
}

size_t textsafe_fit(const wchar_t *s, size_t n, int cols, int *used)
{
	int w = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int cw = char_width(s[i]);
		if (w + cw > cols)
			break;
		w += cw;
	}
	/* A combining mark belongs to the glyph before it: keep it even when
	 * the line is full, it takes no column. */
	while (i < n && char_width(s[i]) == 0)
		i++;
	if (used)
		*used = w;
	return i;
}

/* Length of the URL starting at s: up to whitespace or a quote. */
static size_t url_span(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' && s[n] != '\r' &&
	       s[n] != '"' && s[n] != '\'' && s[n] != '<' && s[n] != '>')
		n++;
	return n;
}

static void redact_into(struct strbuf *sb, const char *url, size_t n)
{
	size_t q = 0;

	while (q < n && url[q] != '?' && url[q] != '#')
		q++;
	strbuf_add(sb, url, q);
	if (q < n)
		strbuf_adds(sb, "?...");
}

char *textsafe_redact_url(const char *url)
{
	struct strbuf sb = STRBUF_INIT;

	if (!url)
		return NULL;
	redact_into(&sb, url, strlen(url));
	return strbuf_steal(&sb);
}

char *textsafe_redact_urls(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	if (!text)
		return NULL;
	p = text;
	while (*p) {
		if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
			size_t n = url_span(p);
			redact_into(&sb, p, n);
			p += n;
		} else {
			strbuf_addc(&sb, *p++);
		}
	}
	return strbuf_steal(&sb);
}
