/* Safe text: the one place that decides what untrusted text (provider
 * answers, network errors, archive entry names, config values) may look
 * like before it reaches a terminal, a report, a message or a log line.
 * It holds the project's only UTF-8 decoder, the control/escape/bidi rules
 * and the only URL redactor. No curses and no curl here, so every front
 * end can use it and it is tested on its own (tests/unit/test_textsafe.c).
 *
 * Decoding is done by hand rather than with mbrtowc() so a hostile byte
 * sequence is judged the same way whatever the locale; only the column
 * width comes from wcwidth() (needs a UTF-8 LC_CTYPE to know wide glyphs).
 *
 * Every function returning char * or wchar_t * returns a new string the
 * caller frees. */
#ifndef TLSFLEET_TEXTSAFE_H
#define TLSFLEET_TEXTSAFE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* ---- decoding ----------------------------------------------------------- */

/* Length (1..4) of the well-formed UTF-8 sequence at s, which has n >= 1
 * bytes left, with its code point in *cp (may be NULL); 0 when s starts no
 * such sequence: a lead byte C0, C1 or F5..FF, a stray continuation byte,
 * a truncated sequence, an overlong form, a surrogate, or past U+10FFFF. */
size_t textsafe_utf8_next(const char *s, size_t n, uint32_t *cp);

/* True when all of s (NUL-terminated) is well-formed UTF-8. */
bool textsafe_utf8_valid(const char *s);
/* Why s cannot be a name or setting (empty, a control character, not
 * UTF-8), or NULL when it can: the config's rule, also applied to what a
 * provider's listing names. Static strings. */
const char *textsafe_text_problem(const char *s);
/* Every byte of s is an ASCII letter or digit or one of extra (the rule
 * for ids, regions and host names); false for an empty or NULL s. */
bool textsafe_only(const char *s, const char *extra);

/* True for a code point that must never reach a terminal raw: C0 and C1
 * controls, DEL, and the bidi controls that can reorder or hide text. */
bool textsafe_is_control(uint32_t cp);

/* ---- the dashboard, the status line and the message log ------------------ */

/* Decode s (NULL = "") into a new wide string: invalid or overlong UTF-8,
 * surrogates and code points past U+10FFFF become U+FFFD (one per bad
 * byte); controls (textsafe_is_control) and anything wcwidth() calls
 * unprintable become '?'. Tabs become one space. *len gets the length
 * (may be NULL). */
wchar_t *textsafe_wide(const char *s, size_t *len);

/* Same rules, UTF-8 out: for messages, logs and files. */
char *textsafe_utf8(const char *s);

/* Columns taken by the first n characters of an already-safe string. */
int textsafe_width(const wchar_t *s, size_t n);

/* How many of the first n characters fit into cols columns; *used gets the
 * columns they take (may be NULL). Never splits a wide glyph. */
size_t textsafe_fit(const wchar_t *s, size_t n, int cols, int *used);

/* ---- headless output (--list table and CSV, --check) --------------------- */

/* s (NULL = "") with every byte of an invalid sequence or of a control
 * (textsafe_is_control, tab included) replaced by '?': the marks are
 * plain ASCII, one per byte, and the result never depends on the locale
 * (no wcwidth), so a report reads the same under cron as in a shell. */
char *textsafe_plain(const char *s);

/* ---- URLs ---------------------------------------------------------------- */

/* A URL with everything from its query or fragment on replaced by "?..."
 * (presigned links are bearer tokens). NULL in, NULL out. */
char *textsafe_redact_url(const char *url);

/* Every "scheme://" URL inside free text redacted the same way (a URL ends
 * at white space, a quote or an angle bracket). NULL in, NULL out. */
char *textsafe_redact_urls(const char *text);

#endif
