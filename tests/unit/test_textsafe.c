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
	check_utf8("a\xe2\x81\xa6" "b\xe2\x81\xa9" "c\xd8\x9c", "a?b?c?", "bidi isolates and the Arabic letter mark replaced");
	check_utf8("\xe2\x80\x8e\xe2\x80\x8f", "??", "LRM and RLM replaced");
	check_utf8("\xe2\x80\xb0" "x", "\xe2\x80\xb0" "x", "U+2030 (next to the bidi block) kept");
	check_utf8("\xc2", "\xef\xbf\xbd", "lone lead byte at the end");
	check_utf8("\x80\xbf", "\xef\xbf\xbd\xef\xbf\xbd", "stray continuation bytes");
	check_utf8("\xf5\x80\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "lead byte F5");
	check_utf8("\xf0\x9f\x94\x92", "\xf0\x9f\x94\x92", "4-byte emoji kept");
	check_utf8(NULL, "", "NULL is empty");
}

static void check_plain(const char *in, const char *want, const char *name)
{
	char *got = textsafe_plain(in);

	is_str(got, want, name);
	free(got);
}

/* The headless form: ASCII '?' per bad byte, no locale involved. */
static void test_plain(void)
{
	check_plain("orders", "orders", "plain: ASCII unchanged");
	check_plain("a\tb\x1b[0m", "a?b?[0m", "plain: tab and ESC");
	check_plain("\xc2\x9b", "??", "plain: C1 CSI, one mark per byte");
	check_plain("x\xe2\x80\xaey", "x???y", "plain: bidi override, one mark per byte");
	check_plain("\xff\xe8\x85", "???", "plain: invalid and truncated");
	check_plain("caf\xc3\xa9 \xe5\x90\x8d", "caf\xc3\xa9 \xe5\x90\x8d", "plain: valid UTF-8 kept");
	setlocale(LC_ALL, "C");
	check_plain("\xe5\x90\x8d\xe2\x80\xae", "\xe5\x90\x8d???", "plain: the same in the C locale");
	setlocale(LC_ALL, "C.UTF-8");
	check_plain(NULL, "", "plain: NULL is empty");
}

/* The decoder itself, as config validation and the other modules use it. */
static void test_decoder(void)
{
	uint32_t cp = 0;

	is_int((long long)textsafe_utf8_next("A", 1, &cp), 1, "ASCII: one byte");
	is_int(cp, 'A', "ASCII code point");
	is_int((long long)textsafe_utf8_next("\xe5\x90\x8d", 3, &cp), 3, "CJK: three bytes");
	is_int(cp, 0x540D, "CJK code point");
	is_int((long long)textsafe_utf8_next("\xf0\x9f\x94\x92", 4, &cp), 4, "emoji: four bytes");
	is_int(cp, 0x1F512, "emoji code point");
	is_int((long long)textsafe_utf8_next("\xe5\x90\x8d", 2, NULL), 0, "n limits the read");
	is_int((long long)textsafe_utf8_next("\xc1\xbf", 2, NULL), 0, "lead byte C1 (overlong)");
	is_int((long long)textsafe_utf8_next("\xe0\x9f\xbf", 3, NULL), 0, "overlong 3-byte");
	is_int((long long)textsafe_utf8_next("\xf4\x8f\xbf\xbf", 4, &cp), 4, "U+10FFFF is the last");
	is_int((long long)textsafe_utf8_next("\xed\x9f\xbf", 3, NULL), 3, "U+D7FF is no surrogate");
	ok(textsafe_utf8_valid("caf\xc3\xa9"), "valid: café");
	ok(textsafe_utf8_valid(""), "valid: empty");
	ok(!textsafe_utf8_valid("caf\xc3"), "invalid: truncated");
	ok(!textsafe_utf8_valid("\xed\xb0\x80"), "invalid: surrogate");
	ok(textsafe_is_control(0x9B) && textsafe_is_control(0x202E) && textsafe_is_control(0x7F) &&
	   !textsafe_is_control(0xA0) && !textsafe_is_control(0x2030), "control classes");
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
	s = textsafe_redact_urls("copy s3://bucket/ca.zip?X-Amz-Signature=SECRET and oss://b/k#t=SECRET done");
	is_str(s, "copy s3://bucket/ca.zip?... and oss://b/k?... done", "any scheme is a URL");
	free(s);
	s = textsafe_redact_urls("not a URL? no: ://x?y and 1http://h/?z");
	is_str(s, "not a URL? no: ://x?y and 1http://h/?...", "a '?' outside a URL is text");
	free(s);
	s = textsafe_redact_urls("<https://h/p?a=SECRET>'https://h/?b'");
	is_str(s, "<https://h/p?...>'https://h/?...'", "a URL ends at brackets and quotes");
	free(s);
	s = textsafe_redact_url("https://h/p?a=1?b=2#c");
	is_str(s, "https://h/p?...", "everything after the first '?' goes");
	free(s);
	s = textsafe_redact_url("");
	is_str(s, "", "empty URL");
	free(s);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_sanitise();
	test_plain();
	test_decoder();
	test_wide();
	test_redact();
	return done_testing();
}
