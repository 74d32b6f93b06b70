#include "fleet_view.h"
#include "xalloc.h"

#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

/* Everything the filter and the sort need about one instance, so neither
 * walks the model's strings on every frame. The config-only columns
 * (name, service, region, id) sort through precomputed ranks. */
struct fleet_view_key {
	char *hay;          /* lowercase "name\nid\nprovider/service\nregion\nstate" */
	size_t hay_fixed;   /* length of the part that comes from the config */
	int64_t expiry;     /* CA expiry, or INT64_MAX when unknown */
	int64_t age;        /* -refreshed_at, or INT64_MAX when never */
	const char *addr;   /* borrowed from the model, or NULL */
	uint8_t state;
	bool problem;
};

static const char *const sort_names[SORT_COUNT] = {
	"name", "provider", "region", "id", "state", "expiry", "address", "age",
};

const char *fleet_view_sort_name(enum view_sort s)
{
	return (unsigned)s < SORT_COUNT ? sort_names[s] : "?";
}

static char *lower_dup(const char *s)
{
	char *d = xstrdup(s ? s : "");

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static const char *provider_of(const struct instance *in)
{
	return provider_kind_name(in->account ? in->account->provider : PROVIDER_COUNT);
}

static void key_fixed(struct fleet_view_key *k, const struct instance *in)
{
	char *s = xasprintf("%s\n%s\n%s/%s\n%s\n", in->name ? in->name : "",
	                    in->id ? in->id : "", provider_of(in),
	                    service_kind_name(in->service), in->region ? in->region : "");
	free(k->hay);
	k->hay = lower_dup(s);
	k->hay_fixed = strlen(s);
	free(s);
}

bool fleet_view_matches(const struct instance *in, const char *needle)
{
	struct fleet_view_key k = {0};
	bool hit;

	if (!needle || !*needle)
		return true;
	key_fixed(&k, in);
	k.hay = xrealloc(k.hay, k.hay_fixed + strlen(state_name(in->st.state)) + 1);
	strcpy(k.hay + k.hay_fixed, state_name(in->st.state));
	hit = strstr(k.hay, needle) != NULL;
	free(k.hay);
	return hit;
}

bool fleet_view_is_problem(const struct fleet *f, const struct instance *in, time_t now)
{
	long days;

	if (in->st.state != STATE_ENABLED)
		return true;
	if (!instance_days_left(in, now, &days))
		return false;
	return days <= instance_warn_days(f, in);
}

void fleet_view_count(const struct fleet *f, time_t now, struct fleet_counts *out)
{
	memset(out, 0, sizeof(*out));
	out->total = f->n_instances;
	for (size_t i = 0; i < f->n_instances; i++) {
		const struct instance *in = &f->instances[i];
		enum tls_state s = in->st.state;
		long days;

		if ((unsigned)s >= STATE_COUNT)
			s = STATE_UNKNOWN;
		out->state[s]++;
		if (s == STATE_NOT_FOUND || s == STATE_AUTH_ERROR || s == STATE_THROTTLED ||
		    s == STATE_ERROR)
			out->errors++;
		if (s == STATE_ENABLED && instance_days_left(in, now, &days)) {
			if (days < 0)
				out->expired++;
			else if (days <= instance_warn_days(f, in))
				out->expiring++;
		}
	}
}

static void key_status(struct fleet_view_key *k, const struct fleet *f,
                       const struct instance *in, time_t now)
{
	const char *st = state_name(in->st.state);
	time_t exp = instance_cert_expires(in, NULL);
	size_t n = strlen(st);

	/* The state is the only changing part of the haystack: rewrite the
	 * tail in place (state names are short and lowercase already). */
	k->hay = xrealloc(k->hay, k->hay_fixed + n + 1);
	memcpy(k->hay + k->hay_fixed, st, n + 1);
	k->state = (uint8_t)in->st.state;
	k->expiry = exp == TIME_NONE ? INT64_MAX : (int64_t)exp;
	k->age = in->st.refreshed_at == TIME_NONE ? INT64_MAX : -(int64_t)in->st.refreshed_at;
	k->addr = in->st.addr.host && *in->st.addr.host ? in->st.addr.host :
	          in->st.addr.ip && *in->st.addr.ip ? in->st.addr.ip : NULL;
	k->problem = fleet_view_is_problem(f, in, now);
}

void fleet_view_init(struct fleet_view *v, const struct fleet *f)
{
	memset(v, 0, sizeof(*v));
	v->f = f;
	v->sort = SORT_NAME;
	v->keys = xcalloc(f->n_instances ? f->n_instances : 1, sizeof(*v->keys));
	v->rows = xreallocarray(NULL, f->n_instances ? f->n_instances : 1, sizeof(*v->rows));
	for (size_t i = 0; i < f->n_instances; i++)
		key_fixed(&v->keys[i], &f->instances[i]);
	v->all_changed = true;
	v->dirty = true;
}

void fleet_view_free(struct fleet_view *v)
{
	for (size_t i = 0; v->keys && i < v->f->n_instances; i++)
		free(v->keys[i].hay);
	free(v->keys);
	for (int s = 0; s < SORT_COUNT; s++)
		free(v->rank[s]);
	free(v->rows);
	free(v->filter);
	free(v->changed);
	memset(v, 0, sizeof(*v));
}

void fleet_view_set_filter(struct fleet_view *v, const char *filter)
{
	char *nf = filter && *filter ? lower_dup(filter) : NULL;

	if ((!nf && !v->filter) || (nf && v->filter && strcmp(nf, v->filter) == 0)) {
		free(nf);
		return;
	}
	free(v->filter);
	v->filter = nf;
	v->dirty = true;
}

void fleet_view_set_problems(struct fleet_view *v, bool on)
{
	if (v->problems_only != on) {
		v->problems_only = on;
		v->dirty = true;
	}
}

void fleet_view_set_sort(struct fleet_view *v, enum view_sort s, bool descending)
{
	if ((unsigned)s >= SORT_COUNT)
		s = SORT_NAME;
	if (v->sort != s || v->descending != descending) {
		v->sort = s;
		v->descending = descending;
		v->dirty = true;
	}
}

void fleet_view_instance_changed(struct fleet_view *v, size_t index)
{
	if (index >= v->f->n_instances)
		return;
	v->dirty = true;
	if (v->all_changed)
		return;
	/* Beyond a quarter of the fleet a full pass is cheaper than the list. */
	if (v->n_changed >= v->f->n_instances / 4 + 16) {
		v->all_changed = true;
		v->n_changed = 0;
		return;
	}
	if (!v->changed)
		v->changed = xreallocarray(NULL, v->f->n_instances / 4 + 16, sizeof(*v->changed));
	v->changed[v->n_changed++] = index;
}

void fleet_view_all_changed(struct fleet_view *v)
{
	v->all_changed = true;
	v->n_changed = 0;
	v->dirty = true;
}

bool fleet_view_dirty(const struct fleet_view *v)
{
	return v->dirty;
}

/* qsort has no context argument: the comparators read these. One view is
 * sorted at a time (single thread), so a file-scope pointer is enough. */
static const struct fleet_view *sort_view;
static const char *const *rank_names;

static int cmp_rank_names(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcasecmp(rank_names[x], rank_names[y]);

	if (c == 0)
		c = strcmp(rank_names[x], rank_names[y]);
	return c;
}

/* Ranks of a config-only column: equal strings get equal ranks, so the
 * config-order tiebreak still applies. */
static uint32_t *build_rank(const struct fleet *f, enum view_sort s)
{
	size_t n = f->n_instances;
	size_t *ord = xreallocarray(NULL, n ? n : 1, sizeof(*ord));
	const char **names = xreallocarray(NULL, n ? n : 1, sizeof(*names));
	char **owned = NULL;
	uint32_t *rank = xreallocarray(NULL, n ? n : 1, sizeof(*rank));

	if (s == SORT_SERVICE)
		owned = xcalloc(n ? n : 1, sizeof(*owned));
	for (size_t i = 0; i < n; i++) {
		const struct instance *in = &f->instances[i];
		ord[i] = i;
		switch (s) {
		case SORT_NAME: names[i] = in->name ? in->name : ""; break;
		case SORT_REGION: names[i] = in->region ? in->region : ""; break;
		case SORT_ID: names[i] = in->id ? in->id : ""; break;
		default:
			owned[i] = xasprintf("%s/%s", provider_of(in), service_kind_name(in->service));
			names[i] = owned[i];
			break;
		}
	}
	rank_names = names;
	qsort(ord, n, sizeof(*ord), cmp_rank_names);
	uint32_t r = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(names[ord[i]], names[ord[i - 1]]) != 0)
			r++;
		rank[ord[i]] = r;
	}
	if (owned)
		for (size_t i = 0; i < n; i++)
			free(owned[i]);
	free(owned);
	free(names);
	free(ord);
	return rank;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct fleet_view *v = sort_view;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct fleet_view_key *kx = &v->keys[x], *ky = &v->keys[y];
	int c = 0;
	/* Unknown values stay last in both directions: an operator inverting
	 * "expiry" wants the latest dates first, not a screen of blanks. */
	int unknown = 0;

	switch (v->sort) {
	case SORT_NAME: case SORT_SERVICE: case SORT_REGION: case SORT_ID:
		c = cmp_i64(v->rank[v->sort][x], v->rank[v->sort][y]);
		break;
	case SORT_STATE:
		c = cmp_i64(kx->state, ky->state);
		break;
	case SORT_EXPIRY:
		unknown = (kx->expiry == INT64_MAX) - (ky->expiry == INT64_MAX);
		c = cmp_i64(kx->expiry, ky->expiry);
		break;
	case SORT_AGE:
		unknown = (kx->age == INT64_MAX) - (ky->age == INT64_MAX);
		c = cmp_i64(kx->age, ky->age);
		break;
	case SORT_ADDRESS:
		unknown = !kx->addr - !ky->addr;
		if (kx->addr && ky->addr) {
			c = strcasecmp(kx->addr, ky->addr);
			if (c == 0)
				c = strcmp(kx->addr, ky->addr);
		}
		break;
	default:
		break;
	}
	if (unknown)
		return unknown;
	if (v->descending)
		c = -c;
	if (c)
		return c;
	return x < y ? -1 : x > y;   /* config order breaks every tie */
}

bool fleet_view_update(struct fleet_view *v, time_t now)
{
	const struct fleet *f = v->f;

	if (!v->dirty)
		return false;
	if (v->all_changed) {
		for (size_t i = 0; i < f->n_instances; i++)
			key_status(&v->keys[i], f, &f->instances[i], now);
	} else {
		for (size_t i = 0; i < v->n_changed; i++)
			key_status(&v->keys[v->changed[i]], f, &f->instances[v->changed[i]], now);
	}
	v->all_changed = false;
	v->n_changed = 0;

	if (v->sort <= SORT_ID && !v->rank[v->sort])
		v->rank[v->sort] = build_rank(f, v->sort);

	v->n_rows = 0;
	for (size_t i = 0; i < f->n_instances; i++) {
		const struct fleet_view_key *k = &v->keys[i];
		if (v->problems_only && !k->problem)
			continue;
		if (v->filter && !strstr(k->hay, v->filter))
			continue;
		v->rows[v->n_rows++] = i;
	}
	sort_view = v;
	qsort(v->rows, v->n_rows, sizeof(*v->rows), cmp_rows);
	sort_view = NULL;
	v->dirty = false;
	return true;
}

long fleet_view_row_of(const struct fleet_view *v, size_t index)
{
	for (size_t r = 0; r < v->n_rows; r++)
		if (v->rows[r] == index)
			return (long)r;
	return -1;
}

long fleet_view_find_next(const struct fleet_view *v, const char *needle, long from, int dir)
{
	long n = (long)v->n_rows;

	if (n == 0 || !needle || !*needle)
		return -1;
	char *low = lower_dup(needle);
	long found = -1;
	for (long step = 1; step <= n; step++) {
		long r = ((from + dir * step) % n + n) % n;
		if (strstr(v->keys[v->rows[r]].hay, low)) {
			found = r;
			break;
		}
	}
	free(low);
	return found;
}
