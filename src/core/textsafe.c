#include "core/textsafe.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define REPLACEMENT 0xFFFD

/* ---- decoding ------------------------------------------------------------ */

size_t textsafe_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c = u[0];
	size_t need;

	if (c < 0x80) {
		if (cp)
			*cp = c;
		return 1;
	}
	/* C0 and C1 can only start overlong forms, F5..FF only code points
	 * past U+10FFFF: rejected by the lead byte alone. */
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1; c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2; c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3; c &= 0x07;
	} else {
		return 0;
	}
	if (n < need + 1)
		return 0;
	for (size_t i = 1; i <= need; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min_cp[need] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	if (cp)
		*cp = c;
	return need + 1;
}

bool textsafe_utf8_valid(const char *s)
{
	size_t n = strlen(s), k;

	for (; n; s += k, n -= k)
		if (!(k = textsafe_utf8_next(s, n, NULL)))
			return false;
	return true;
}

bool textsafe_is_control(uint32_t c)
{
	/* Bidi embeddings, overrides, isolates and marks can make a terminal
	 * show text in an order other than the bytes' ("Trojan Source"). */
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x200E || c == 0x200F || c == 0x061C;
}

/* ---- the dashboard -------------------------------------------------------- */

/* One code point from s (n bytes left); *adv gets the bytes used, at
 * least 1, so a broken sequence costs exactly one U+FFFD per bad byte. */
static uint32_t next_or_replacement(const char *s, size_t n, size_t *adv)
{
	uint32_t c;

	*adv = textsafe_utf8_next(s, n, &c);
	if (*adv)
		return c;
	*adv = 1;
	return REPLACEMENT;
}

static uint32_t safe_char(uint32_t c)
{
	if (c == '\t')
		return ' ';
	if (textsafe_is_control(c))
		return '?';
	if (c == REPLACEMENT || c < 0x80)
		return c;
	if (wcwidth((wchar_t)c) < 0)
		return '?';
	return c;
}

wchar_t *textsafe_wide(const char *s, size_t *len)
{
	const char *p = s ? s : "";
	size_t n = strlen(p), o = 0, adv;
	wchar_t *out = xreallocarray(NULL, n + 1, sizeof(*out));

	while (n) {
		out[o++] = (wchar_t)safe_char(next_or_replacement(p, n, &adv));
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
	const char *p = s ? s : "";
	size_t n = strlen(p), adv;
	struct strbuf sb = STRBUF_INIT;

	while (n) {
		utf8_put(&sb, safe_char(next_or_replacement(p, n, &adv)));
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

/* ---- headless output ------------------------------------------------------ */

char *textsafe_plain(const char *s)
{
	const char *p = s ? s : "";
	size_t n = strlen(p), k;
	struct strbuf sb = STRBUF_INIT;
	uint32_t c;

	for (; n; p += k, n -= k) {
		k = textsafe_utf8_next(p, n, &c);
		if (k == 0) {
			k = 1;
			strbuf_addc(&sb, '?');
		} else if (textsafe_is_control(c)) {
			for (size_t i = 0; i < k; i++)
				strbuf_addc(&sb, '?');
		} else {
			strbuf_add(&sb, p, k);
		}
	}
	return strbuf_steal(&sb);
}

/* ---- URLs ------------------------------------------------------------------ */

static bool scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '.';
}

/* Length of the URL starting at s: up to white space or a quote. */
static size_t url_span(const char *s)
{
	return strcspn(s, " \t\n\r\"'<>");
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
	for (p = text; *p;) {
		/* Any "scheme://" starts a URL (an s3:// or oss:// link can carry
		 * a signature as well as an https:// one). The scheme is already
		 * copied, and is no secret; found at its "://", one pass does. */
		if (p > text && scheme_char(p[-1]) && strncmp(p, "://", 3) == 0) {
			size_t n = url_span(p);
			redact_into(&sb, p, n);
			p += n;
		} else {
			strbuf_addc(&sb, *p++);
		}
	}
	return strbuf_steal(&sb);
}

const char *textsafe_text_problem(const char *s)
{
	if (!*s)
		return "must not be empty";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character";
	if (!textsafe_utf8_valid(s))
		return "is not valid UTF-8";
	return NULL;
}

bool textsafe_only(const char *s, const char *extra)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (!strchr(extra, c))
			return false;
	}
	return true;
}
