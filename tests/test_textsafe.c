/* Display-safe text: nothing from a provider or the network may reach the
 * terminal raw (escape sequences, controls, broken UTF-8), widths are
 * right for wide glyphs, and URL queries (bearer tokens) are hidden. */
#include "core/textsafe.h"
#include "tap.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static void check_utf8(const char *in, const char *want, const char *name)
{
	char *got = textsafe_utf8(in);

	is_str(got, want, name);
	free(got);
}

static void test_sanitise(void)
{
	check_utf8("orders-cache", "orders-cache", "plain ASCII unchanged");
	check_utf8("\x1b[2J\x1b]0;pwned\x07", "?[2J?]0;pwned?", "ESC and BEL replaced");
	check_utf8("a\r\nb\x7f" "c", "a??b?c", "CR, LF and DEL replaced");
	check_utf8("\xc2\x9b" "31m", "?31m", "C1 CSI (U+009B) replaced");
	check_utf8("tab\there", "tab here", "tab becomes a space");
	check_utf8("caf\xc3\xa9 \xe5\x90\x8d\xe5\x89\x8d", "café 名前", "valid UTF-8 kept");
	check_utf8("bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd", "invalid bytes become U+FFFD");
	check_utf8("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", "overlong encoding rejected");
	check_utf8("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "UTF-16 surrogate rejected");
	check_utf8("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	           "beyond U+10FFFF rejected");
	check_utf8("cut\xe5\x90", "cut\xef\xbf\xbd\xef\xbf\xbd", "truncated sequence rejected");
	check_utf8("a\xe2\x80\xae" "b", "a?b", "bidi override replaced");
	check_utf8(NULL, "", "NULL is empty");
}

static void test_wide(void)
{
	size_t n;
	wchar_t *w = textsafe_wide("名前ab\x1b", &n);
	int used;

	is_int((long long)n, 5, "wide length");
	ok(w[4] == L'?', "ESC replaced in the wide string");
	is_int(textsafe_width(w, n), 7, "CJK glyphs take two columns");
	is_int((long long)textsafe_fit(w, n, 3, &used), 1, "a wide glyph is never split");
	is_int(used, 2, "columns used by what fits");
	is_int((long long)textsafe_fit(w, n, 100, &used), 5, "all fits");
	free(w);
	w = textsafe_wide("e\xcc\x81x", &n);   /* e + combining acute */
	is_int(textsafe_width(w, n), 2, "combining mark takes no column");
	is_int((long long)textsafe_fit(w, n, 1, NULL), 2, "combining mark stays with its base");
	free(w);
}

static void test_redact(void)
{
	char *s;

	s = textsafe_redact_url("https://bucket.obs.example/ca.zip?AWSAccessKeyId=AK&Signature=abc%2F&Expires=1");
	is_str(s, "https://bucket.obs.example/ca.zip?...", "query of a URL hidden");
	free(s);
	s = textsafe_redact_url("https://host/path");
	is_str(s, "https://host/path", "URL without query unchanged");
	free(s);
	s = textsafe_redact_url("https://host/p#frag");
	is_str(s, "https://host/p?...", "fragment hidden too");
	free(s);
	ok(textsafe_redact_url(NULL) == NULL, "NULL URL");
	s = textsafe_redact_urls("saved from https://h/x.zip?Signature=SECRET to /tmp/a; see http://b/?t=1 ok");
	is_str(s, "saved from https://h/x.zip?... to /tmp/a; see http://b/?... ok", "URLs in text redacted");
	ok(!strstr(s, "SECRET"), "the signature is gone");
	free(s);
	s = textsafe_redact_urls("\"HTTPS://H/?k=v\"");
	is_str(s, "\"HTTPS://H/?...\"", "quoted, upper-case scheme");
	free(s);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_sanitise();
	test_wide();
	test_redact();
	return done_testing();
}
