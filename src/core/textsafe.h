/* Display-safe text. Every string that reaches the terminal passes through
 * here first: provider answers, network errors and even config values may
 * hold control characters, escape sequences or invalid UTF-8, and the
 * terminal must never receive them raw. No curses here, so it is tested
 * on its own (tests/test_textsafe.c).
 *
 * Decoding is done by hand rather than with mbrtowc() so a hostile byte
 * sequence is judged the same way whatever the locale; only the column
 * width comes from wcwidth() (needs a UTF-8 LC_CTYPE to know wide glyphs). */
#ifndef TLSFLEET_TEXTSAFE_H
#define TLSFLEET_TEXTSAFE_H
#include <stddef.h>
#include <wchar.h>

/* Decode s (NULL = "") into a new wide string the caller frees: invalid or
 * overlong UTF-8, surrogates and code points past U+10FFFF become U+FFFD;
 * C0/C1 controls, DEL, bidi overrides and anything wcwidth() calls
 * unprintable become '?'. Tabs become one space. *len gets the length
 * (may be NULL). */
wchar_t *textsafe_wide(const char *s, size_t *len);

/* Same rules, UTF-8 out (new string): for messages, logs and files. */
char *textsafe_utf8(const char *s);

/* Columns taken by the first n characters of an already-safe string. */
int textsafe_width(const wchar_t *s, size_t n);

/* How many of the first n characters fit into cols columns; *used gets the
 * columns they take (may be NULL). Never splits a wide glyph. */
size_t textsafe_fit(const wchar_t *s, size_t n, int cols, int *used);

/* A URL with its query replaced by "?..." (presigned links are bearer
 * tokens). New string; NULL in, NULL out. */
char *textsafe_redact_url(const char *url);

/* Every http:// or https:// URL inside free text redacted the same way.
 * New string; NULL in, NULL out. */
char *textsafe_redact_urls(const char *text);

#endif
