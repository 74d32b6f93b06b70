/* The dashboard's filter language, without curses: the text typed after /
 * compiled into terms that all must hold (AND), matched against one
 * instance. A term is
 *
 *   word            free text: a substring of the name, id,
 *                   provider/service, region, account, state, error code
 *                   or any address (host, IP, IPv6, domain)
 *   field:value     a substring of that field only; the fields are
 *                   name id provider service region account state code
 *                   address; for provider, service and state the value is
 *                   a prefix (state:error does not also find auth_error)
 *   days<N days<=N days>N days>=N days=N
 *                   days left until the CA expires; instances whose
 *                   expiry is unknown never satisfy a days term
 *   -term !term     negation
 *
 * Words are separated by white space; "double quotes" keep spaces in one
 * word. An unknown field name (host:6379, https://...) is free text, so
 * pasted addresses and URLs still work. Matching is case-insensitive by
 * Unicode simple case folding: towlower() over code points decoded with
 * the project's one UTF-8 decoder (textsafe), so CAFÉ finds café.
 *
 * Ownership: filter_compile() returns a new filter freed by filter_free();
 * it keeps its own copies of everything. filter_fold() returns a new
 * string. */
#ifndef TLSFLEET_FILTER_H
#define TLSFLEET_FILTER_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <wchar.h>
#include "core/fleet.h"

#define FILTER_FIELDS(X) \
	X(ANY, "") X(NAME, "name") X(ID, "id") X(PROVIDER, "provider") \
	X(SERVICE, "service") X(REGION, "region") X(ACCOUNT, "account") \
	X(STATE, "state") X(CODE, "code") X(ADDRESS, "address") X(DAYS, "days")

enum filter_field {
#define X(id, name) FILTER_##id,
	FILTER_FIELDS(X)
#undef X
	FILTER_FIELD_COUNT
};

enum filter_op { FILTER_LT, FILTER_LE, FILTER_GT, FILTER_GE, FILTER_EQ };

struct filter_term {
	enum filter_field field;
	bool negate;
	char *value;        /* folded UTF-8; NULL for days */
	wchar_t *wvalue;    /* same, as code points, for highlighting */
	size_t wlen;
	enum filter_op op;  /* days only */
	long days;
};

struct filter {
	struct filter_term *terms;
	size_t n_terms;
};

/* NULL for an empty or all-blank text (no filter). Never fails: anything
 * that is not a predicate is free text. */
struct filter *filter_compile(const char *text);
void filter_free(struct filter *flt);

/* s (NULL = "") case-folded: decoded, towlower() per code point,
 * re-encoded; invalid bytes are kept as they are. */
char *filter_fold(const char *s);

/* The folded free-text haystack of an instance's config part and of its
 * changing part, as fleet_view keeps them (each field ends with '\n'). */
char *filter_hay_fixed(const struct instance *in);
char *filter_hay_status(const struct instance *in);

/* Whether the instance satisfies every term. hay_fixed/hay_status are the
 * strings above (NULL: computed here, slower). */
bool filter_match(const struct filter *flt, const struct instance *in, time_t now,
                  const char *hay_fixed, const char *hay_status);

/* The first place in s[0..n) where a positive free-text term (or a
 * positive name/id/region/account/address term) occurs, folded, for
 * highlighting in the table; false when none. */
bool filter_highlight(const struct filter *flt, const wchar_t *s, size_t n,
                      size_t *start, size_t *len);

#endif
