#include "core/filter.h"
#include "core/strbuf.h"
#include "core/textsafe.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static const char *const field_names[FILTER_FIELD_COUNT] = {
#define X(id, name) name,
	FILTER_FIELDS(X)
#undef X
};

static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* towlower() of a valid code point stays a valid code point, but its UTF-8
 * form may be shorter or longer (U+0130 is 2 bytes, its lower 'i' 1; the
 * Kelvin sign U+212A is 3, 'k' 1), so the output is sized for the worst
 * case of 4 bytes per input byte. */
static void fold_into(const char *s, size_t n, struct strbuf *sb)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t l = textsafe_utf8_next(s + i, n - i, &cp);
		if (l == 0) {
			strbuf_add(sb, s + i, 1);
			i++;
			continue;
		}
		char enc[4];
		wint_t lw = towlower((wint_t)cp);
		uint32_t lo = lw > 0x10FFFF || (lw >= 0xD800 && lw <= 0xDFFF) ? cp : (uint32_t)lw;
		strbuf_add(sb, enc, utf8_put(lo, enc));
		i += l;
	}
}

char *filter_fold(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	if (s)
		fold_into(s, strlen(s), &sb);
	return strbuf_steal(&sb);
}

static void add_field(struct strbuf *sb, const char *s)
{
	if (s)
		fold_into(s, strlen(s), sb);
	strbuf_add(sb, "\n", 1);
}

char *filter_hay_fixed(const struct instance *in)
{
	struct strbuf sb = STRBUF_INIT;
	add_field(&sb, in->name);
	add_field(&sb, in->id);
	const char *prov = provider_kind_name(in->account ? in->account->provider : PROVIDER_COUNT);

	fold_into(prov, strlen(prov), &sb);
	strbuf_add(&sb, "/", 1);
	add_field(&sb, service_kind_name(in->service));
	add_field(&sb, in->region);
	add_field(&sb, in->account ? in->account->name : NULL);
	return strbuf_steal(&sb);
}

char *filter_hay_status(const struct instance *in)
{
	const struct instance_status *st = &in->st;
	struct strbuf sb = STRBUF_INIT;
	add_field(&sb, state_name(st->state));
	add_field(&sb, st->error ? st->error->code : NULL);
	add_field(&sb, st->addr.host);
	add_field(&sb, st->addr.ip);
	add_field(&sb, st->addr.ipv6);
	add_field(&sb, st->addr.domain);
	return strbuf_steal(&sb);
}

/* ---- compiling ------------------------------------------------------------ */

static wchar_t *to_wide(const char *s, size_t *len)
{
	size_t n = strlen(s), k = 0, i = 0;
	wchar_t *w = xreallocarray(NULL, n + 1, sizeof(*w));

	while (i < n) {
		uint32_t cp;
		size_t l = textsafe_utf8_next(s + i, n - i, &cp);
		w[k++] = l ? (wchar_t)cp : (wchar_t)0xFFFD;
		i += l ? l : 1;
	}
	w[k] = L'\0';
	*len = k;
	return w;
}

static bool parse_days(const char *p, struct filter_term *t)
{
	if (p[0] == '<' && p[1] == '=') { t->op = FILTER_LE; p += 2; }
	else if (p[0] == '>' && p[1] == '=') { t->op = FILTER_GE; p += 2; }
	else if (p[0] == '<') { t->op = FILTER_LT; p++; }
	else if (p[0] == '>') { t->op = FILTER_GT; p++; }
	else if (p[0] == '=' || p[0] == ':') { t->op = FILTER_EQ; p++; }
	else
		return false;
	if (!*p)
		return false;
	char *end;
	errno = 0;
	long d = strtol(p, &end, 10);
	if (errno || *end || end == p)
		return false;
	t->days = d;
	return true;
}

/* One word (already unquoted) into a term. */
static void compile_word(const char *w, struct filter_term *t)
{
	memset(t, 0, sizeof(*t));
	if ((w[0] == '-' || w[0] == '!') && w[1]) {
		t->negate = true;
		w++;
	}
	if (strncmp(w, "days", 4) == 0 && parse_days(w + 4, t)) {
		t->field = FILTER_DAYS;
		return;
	}
	const char *colon = strchr(w, ':');
	t->field = FILTER_ANY;
	if (colon && colon[1]) {
		size_t fl = (size_t)(colon - w);
		for (int f = FILTER_ANY + 1; f < FILTER_DAYS; f++)
			if (strlen(field_names[f]) == fl && strncmp(w, field_names[f], fl) == 0) {
				t->field = (enum filter_field)f;
				w = colon + 1;
				break;
			}
	}
	t->value = filter_fold(w);
	t->wvalue = to_wide(t->value, &t->wlen);
}

struct filter *filter_compile(const char *text)
{
	struct filter *flt = xcalloc(1, sizeof(*flt));
	const char *p = text ? text : "";
	size_t cap = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		struct strbuf word = STRBUF_INIT;
		bool quoted = false;
		while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
			if (*p == '"')
				quoted = !quoted;
			else
				strbuf_add(&word, p, 1);
			p++;
		}
		char *w = strbuf_steal(&word);
		if (*w) {
			if (flt->n_terms == cap) {
				cap = cap ? cap * 2 : 4;
				flt->terms = xreallocarray(flt->terms, cap, sizeof(*flt->terms));
			}
			compile_word(w, &flt->terms[flt->n_terms++]);
		}
		free(w);
	}
	if (flt->n_terms == 0) {
		filter_free(flt);
		return NULL;
	}
	return flt;
}

void filter_free(struct filter *flt)
{
	if (!flt)
		return;
	for (size_t i = 0; i < flt->n_terms; i++) {
		free(flt->terms[i].value);
		free(flt->terms[i].wvalue);
	}
	free(flt->terms);
	free(flt);
}

/* ---- matching ------------------------------------------------------------- */

/* Field k (0-based, '\n'-separated) of a haystack. */
static bool hay_field(const char *hay, int k, const char **s, size_t *n)
{
	for (; k > 0; k--) {
		hay = strchr(hay, '\n');
		if (!hay)
			return false;
		hay++;
	}
	const char *e = strchr(hay, '\n');
	*s = hay;
	*n = e ? (size_t)(e - hay) : strlen(hay);
	return true;
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(s + i, needle, m) == 0)
			return true;
	return false;
}

static bool prefix(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	return m <= n && memcmp(s, needle, m) == 0;
}

/* Where each field lives: which haystack, which line. */
static bool field_match(const struct filter_term *t, const char *fixed, const char *status)
{
	const char *s;
	size_t n;

	switch (t->field) {
	case FILTER_ANY:
		return strstr(fixed, t->value) || strstr(status, t->value);
	case FILTER_NAME:
		return hay_field(fixed, 0, &s, &n) && contains(s, n, t->value);
	case FILTER_ID:
		return hay_field(fixed, 1, &s, &n) && contains(s, n, t->value);
	case FILTER_PROVIDER:
	case FILTER_SERVICE: {
		if (!hay_field(fixed, 2, &s, &n))
			return false;
		const char *slash = memchr(s, '/', n);
		size_t pl = slash ? (size_t)(slash - s) : n;
		if (t->field == FILTER_PROVIDER)
			return prefix(s, pl, t->value);
		return slash && prefix(slash + 1, n - pl - 1, t->value);
	}
	case FILTER_REGION:
		return hay_field(fixed, 3, &s, &n) && contains(s, n, t->value);
	case FILTER_ACCOUNT:
		return hay_field(fixed, 4, &s, &n) && contains(s, n, t->value);
	case FILTER_STATE:
		return hay_field(status, 0, &s, &n) && prefix(s, n, t->value);
	case FILTER_CODE:
		return hay_field(status, 1, &s, &n) && contains(s, n, t->value);
	case FILTER_ADDRESS:
		for (int k = 2; k <= 5; k++)
			if (hay_field(status, k, &s, &n) && contains(s, n, t->value))
				return true;
		return false;
	default:
		return false;
	}
}

static bool days_match(const struct filter_term *t, const struct instance *in, time_t now)
{
	long d;

	if (!instance_days_left(in, now, &d))
		return false;
	switch (t->op) {
	case FILTER_LT: return d < t->days;
	case FILTER_LE: return d <= t->days;
	case FILTER_GT: return d > t->days;
	case FILTER_GE: return d >= t->days;
	default:        return d == t->days;
	}
}

bool filter_match(const struct filter *flt, const struct instance *in, time_t now,
                  const char *hay_fixed, const char *hay_status)
{
	char *own_fixed = NULL, *own_status = NULL;
	bool ok = true;

	if (!flt)
		return true;
	for (size_t i = 0; ok && i < flt->n_terms; i++) {
		const struct filter_term *t = &flt->terms[i];
		bool hit;
		if (t->field == FILTER_DAYS) {
			hit = days_match(t, in, now);
		} else {
			if (!hay_fixed)
				hay_fixed = own_fixed = filter_hay_fixed(in);
			if (!hay_status)
				hay_status = own_status = filter_hay_status(in);
			hit = field_match(t, hay_fixed, hay_status);
		}
		ok = hit != t->negate;
	}
	free(own_fixed);
	free(own_status);
	return ok;
}

static wchar_t fold_wc(wchar_t c)
{
	wint_t l = towlower((wint_t)c);

	return l > 0x10FFFF ? c : (wchar_t)l;
}

bool filter_highlight(const struct filter *flt, const wchar_t *s, size_t n,
                      size_t *start, size_t *len)
{
	if (!flt)
		return false;
	for (size_t i = 0; i < flt->n_terms; i++) {
		const struct filter_term *t = &flt->terms[i];
		if (t->negate || !t->wvalue || t->wlen == 0 || t->wlen > n)
			continue;
		for (size_t p = 0; p + t->wlen <= n; p++) {
			size_t j = 0;
			while (j < t->wlen && fold_wc(s[p + j]) == t->wvalue[j])
				j++;
			if (j == t->wlen) {
				*start = p;
				*len = t->wlen;
				return true;
			}
		}
	}
	return false;
}
