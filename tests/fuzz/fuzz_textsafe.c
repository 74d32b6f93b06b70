/* Display-safe text: the terminal must never receive a control byte or
 * invalid UTF-8, whatever a provider or a config sends. */
#include "fuzz.h"
#include "core/textsafe.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

/* Valid UTF-8 without C0 controls or DEL (what textsafe_utf8 and
 * textsafe_plain promise; C1 controls, U+0080..U+009F, and bidi controls
 * must not appear either). */
static void check_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p;
		int n;
		unsigned cp;
		if (c < 0x20 || c == 0x7f)
			abort();
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			abort();
		}
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				abort();
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
			abort();
		/* nor bidi controls, which reorder what a terminal shows */
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
		    cp == 0x200e || cp == 0x200f || cp == 0x061c)
			abort();
		p += n + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		/* As the dashboard runs: wcwidth() needs a UTF-8 LC_CTYPE. */
		if (!setlocale(LC_ALL, "C.UTF-8"))
			setlocale(LC_ALL, "");
		init = 1;
	}

	char *s = fuzz_strndup(data, size);
	size_t n = 0;
	wchar_t *w = textsafe_wide(s, &n);

	if (!w || wcslen(w) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (w[i] < 0x20 || w[i] == 0x7f || (w[i] >= 0x80 && w[i] <= 0x9f))
			abort();
	int width = textsafe_width(w, n);
	if (width < 0)
		abort();
	int cols = size ? data[0] % 64 : 0, used = -1;
	size_t fit = textsafe_fit(w, n, cols, &used);
	if (fit > n || used < 0 || used > cols || textsafe_width(w, fit) != used)
		abort();
	free(w);

	char *u = textsafe_utf8(s);
	check_utf8(u);
	free(u);

	/* The headless form: controls and invalid UTF-8 become '?'. */
	char *r = textsafe_plain(s);
	check_utf8(r);
	free(r);

	/* Redaction only ever removes: no query survives, nothing grows
	 * but by the "?..." mark. */
	char *ru = textsafe_redact_url(s);
	if (strpbrk(ru, "#") || (strchr(ru, '?') && strcmp(strchr(ru, '?'), "?...") != 0) ||
	    strlen(ru) > strlen(s) + 3)
		abort();
	free(ru);
	char *rus = textsafe_redact_urls(s);
	free(rus);

	/* The decoder and the validity check agree. */
	size_t left = strlen(s), k;
	const char *q = s;
	while (left && (k = textsafe_utf8_next(q, left, NULL)) != 0) {
		q += k;
		left -= k;
	}
	if (textsafe_utf8_valid(s) != (left == 0))
		abort();
	free(s);
	return 0;
}
