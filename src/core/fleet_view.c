#include "core/fleet_view.h"
#include "core/filter.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything the filter and the sort need about one instance, so neither
 * walks the model's strings on every frame. The config-only columns
 * (name, service, region, id) sort through precomputed ranks. */
struct fleet_view_key {
	char *hay;          /* case-folded "name\nid\nprovider/service\nregion\naccount\n" */
	char *hay_status;   /* case-folded "state\ncode\nhost\nip\nipv6\ndomain\n" */
	int64_t expiry;     /* CA expiry, or INT64_MAX when unknown */
	int64_t age;        /* -refreshed_at, or INT64_MAX when never */
	const char *addr;   /* borrowed from the model, or NULL */
	char *addr_low;     /* lowercase copy of addr (owned), or NULL */
	int64_t days;       /* days left, or INT64_MAX when unknown */
	uint8_t state;
	uint8_t verdict;    /* enum verdict_status */
	bool problem;
};


static const char *const sort_names[SORT_COUNT] = {
	"name", "provider", "region", "id", "state", "expiry", "address", "age", "verdict",
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
	free(k->hay);
	k->hay = filter_hay_fixed(in);
}

bool fleet_view_matches(const struct instance *in, const char *needle)
{
	struct filter *flt = filter_compile(needle);
	bool hit = filter_match(flt, in, time(NULL), NULL, NULL);

	filter_free(flt);
	return hit;
}

bool fleet_view_is_problem(const struct fleet *f, const struct instance *in, time_t now)
{
	return verdict_of(f, in, now, NULL) != VERDICT_OK;
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
		out->verdict[verdict_of(f, in, now, NULL)]++;
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
	time_t exp = instance_cert_expires(in, NULL);

	free(k->hay_status);
	k->hay_status = filter_hay_status(in);
	k->state = (uint8_t)in->st.state;
	k->expiry = exp == TIME_NONE ? INT64_MAX : (int64_t)exp;
	k->age = in->st.refreshed_at == TIME_NONE ? INT64_MAX : -(int64_t)in->st.refreshed_at;
	k->addr = in->st.addr.host && *in->st.addr.host ? in->st.addr.host :
	          in->st.addr.ip && *in->st.addr.ip ? in->st.addr.ip : NULL;
	free(k->addr_low);
	k->addr_low = k->addr ? lower_dup(k->addr) : NULL;
	k->verdict = (uint8_t)verdict_of(f, in, now, NULL);
	k->problem = k->verdict != VERDICT_OK;
	long days;
	k->days = instance_days_left(in, now, &days) ? (int64_t)days : INT64_MAX;
}

void fleet_view_init(struct fleet_view *v, const struct fleet *f)
{
	memset(v, 0, sizeof(*v));
	v->f = f;
	v->sort = SORT_VERDICT;   /* opens worst first */
	v->keys = xcalloc(f->n_instances ? f->n_instances : 1, sizeof(*v->keys));
	v->rows = xreallocarray(NULL, f->n_instances ? f->n_instances : 1, sizeof(*v->rows));
	for (size_t i = 0; i < f->n_instances; i++)
		key_fixed(&v->keys[i], &f->instances[i]);
	v->all_changed = true;
	v->dirty = true;
}

void fleet_view_free(struct fleet_view *v)
{
	for (size_t i = 0; v->keys && i < v->f->n_instances; i++) {
		free(v->keys[i].hay);
		free(v->keys[i].hay_status);
		free(v->keys[i].addr_low);
	}
	free(v->keys);
	for (int s = 0; s < SORT_COUNT; s++)
		free(v->rank[s]);
	free(v->rows);
	free(v->filter);
	filter_free(v->flt);
	free(v->changed);
	memset(v, 0, sizeof(*v));
}

void fleet_view_set_filter(struct fleet_view *v, const char *filter)
{
	struct filter *flt = filter_compile(filter);
	char *nf = flt ? xstrdup(filter) : NULL;

	if ((!nf && !v->filter) || (nf && v->filter && strcmp(nf, v->filter) == 0)) {
		free(nf);
		filter_free(flt);
		return;
	}
	free(v->filter);
	filter_free(v->flt);
	v->filter = nf;
	v->flt = flt;
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

struct rank_item {
	const char *low;    /* lowercase, ends at '\n' */
	const char *orig;   /* as configured, for case-only differences */
	size_t index;
};

static int cmp_line(const char *a, const char *b)
{
	while (*a == *b && *a != '\n' && *a)
		a++, b++;
	unsigned char x = *a == '\n' ? 0 : (unsigned char)*a;
	unsigned char y = *b == '\n' ? 0 : (unsigned char)*b;
	return (x > y) - (x < y);
}

static int cmp_rank_items(const void *a, const void *b)
{
	const struct rank_item *x = a, *y = b;
	int c = cmp_line(x->low, y->low);

	return c ? c : strcmp(x->orig, y->orig);
}

/* Ranks of a config-only column: equal strings get equal ranks, so the
 * config-order tiebreak still applies. Built once per column, from the
 * lowercase haystack the filter already has. */
static uint32_t *build_rank(const struct fleet_view *v, enum view_sort s)
{
	const struct fleet *f = v->f;
	size_t n = f->n_instances;
	struct rank_item *it = xreallocarray(NULL, n ? n : 1, sizeof(*it));
	char **owned = NULL;
	uint32_t *rank = xreallocarray(NULL, n ? n : 1, sizeof(*rank));
	/* Field order in the haystack: name, id, provider/service, region. */
	int field = s == SORT_NAME ? 0 : s == SORT_ID ? 1 : s == SORT_SERVICE ? 2 : 3;

	if (s == SORT_SERVICE)
		owned = xcalloc(n ? n : 1, sizeof(*owned));
	for (size_t i = 0; i < n; i++) {
		const struct instance *in = &f->instances[i];
		const char *p = v->keys[i].hay;

		for (int k = 0; k < field; k++)
			p = strchr(p, '\n') + 1;
		it[i].low = p;
		it[i].index = i;
		switch (s) {
		case SORT_NAME: it[i].orig = in->name ? in->name : ""; break;
		case SORT_REGION: it[i].orig = in->region ? in->region : ""; break;
		case SORT_ID: it[i].orig = in->id ? in->id : ""; break;
		default:
			owned[i] = xasprintf("%s/%s", provider_of(in), service_kind_name(in->service));
			it[i].orig = owned[i];
			break;
		}
	}
	qsort(it, n, sizeof(*it), cmp_rank_items);
	uint32_t r = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(it[i].orig, it[i - 1].orig) != 0)
			r++;
		rank[it[i].index] = r;
	}
	if (owned)
		for (size_t i = 0; i < n; i++)
			free(owned[i]);
	free(owned);
	free(it);
	return rank;
}

/* The address column has no numeric key: it sorts as text with a
 * multikey quicksort (Bentley & Sedgewick) over the lowercase copies, which
 * compares each shared prefix once instead of once per comparison: 100k
 * addresses that all start "redis-..." sort in milliseconds, not in the
 * 100 ms of qsort + strcasecmp. */
struct addr_item {
	const char *low;
	const char *orig;
	size_t index;
};

static unsigned char addr_char(const struct addr_item *it, size_t depth)
{
	return (unsigned char)it->low[depth];
}

static void addr_swap(struct addr_item *a, size_t i, size_t j)
{
	struct addr_item t = a[i];
	a[i] = a[j];
	a[j] = t;
}

/* Every item shares its first `depth` characters. */
static void addr_mkqs(struct addr_item *a, size_t n, size_t depth)
{
	while (n > 1) {
		if (n < 12) {
			for (size_t i = 1; i < n; i++)
				for (size_t j = i; j > 0 && strcmp(a[j - 1].low + depth, a[j].low + depth) > 0; j--)
					addr_swap(a, j - 1, j);
			return;
		}
		/* Median of three characters as the pivot. */
		unsigned char x = addr_char(&a[0], depth), y = addr_char(&a[n / 2], depth),
		              z = addr_char(&a[n - 1], depth);
		unsigned char pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
		/* Three-way partition: [0,lt) below, [lt,gt) equal, [gt,n) above. */
		size_t lt = 0, i = 0, gt = n;
		while (i < gt) {
			unsigned char c = addr_char(&a[i], depth);
			if (c < pivot)
				addr_swap(a, lt++, i++);
			else if (c > pivot)
				addr_swap(a, i, --gt);
			else
				i++;
		}
		addr_mkqs(a, lt, depth);
		addr_mkqs(a + gt, n - gt, depth);
		if (pivot == 0)
			return; /* the equal part is equal strings */
		a += lt;
		n = gt - lt;
		depth++;
	}
}

static int cmp_addr_ties(const void *a, const void *b)
{
	const struct addr_item *x = a, *y = b;
	int c = strcmp(x->orig, y->orig);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void reverse_items(struct addr_item *a, size_t n)
{
	for (size_t i = 0; i < n / 2; i++)
		addr_swap(a, i, n - 1 - i);
}

/* Unknown addresses last in both directions; equal addresses in config
 * order in both directions. */
static void sort_by_address(struct fleet_view *v)
{
	size_t n = v->n_rows, known = 0, unknown = 0;
	struct addr_item *a = xreallocarray(NULL, n, sizeof(*a));
	size_t *tail = xreallocarray(NULL, n, sizeof(*tail));

	for (size_t r = 0; r < n; r++) {
		const struct fleet_view_key *k = &v->keys[v->rows[r]];
		if (k->addr_low)
			a[known++] = (struct addr_item){k->addr_low, k->addr, v->rows[r]};
		else
			tail[unknown++] = v->rows[r];
	}
	addr_mkqs(a, known, 0);
	/* Runs of the same lowercase address: case, then config order. */
	for (size_t i = 0, j; i < known; i = j) {
		for (j = i + 1; j < known && strcmp(a[i].low, a[j].low) == 0; j++)
			;
		if (j - i > 1)
			qsort(a + i, j - i, sizeof(*a), cmp_addr_ties);
	}
	if (v->descending) {
		reverse_items(a, known);
		/* ...but identical addresses stay in config order. */
		for (size_t i = 0, j; i < known; i = j) {
			for (j = i + 1; j < known && strcmp(a[i].orig, a[j].orig) == 0; j++)
				;
			reverse_items(a + i, j - i);
		}
	}
	for (size_t i = 0; i < known; i++)
		v->rows[i] = a[i].index;
	memcpy(v->rows + known, tail, unknown * sizeof(*tail));
	free(tail);
	free(a);
}

/* Order-preserving map of a signed time into unsigned space. */
static uint64_t u64_of(int64_t t)
{
	return (uint64_t)t ^ (UINT64_C(1) << 63);
}

/* Worst first in one key: 2 bits of severity (inverted), 30 bits of days
 * left (biased; unknown after every known day), 32 bits of the name's
 * rank, so the radix sort needs no second pass. */
static uint64_t verdict_key(const struct fleet_view *v, size_t i)
{
	const struct fleet_view_key *k = &v->keys[i];
	const int64_t lim = INT64_C(1) << 29;
	int64_t d = k->days == INT64_MAX ? lim - 1 : k->days;
	uint64_t sev = 3u - (unsigned)verdict_severity((enum verdict_status)k->verdict);

	if (d < -lim)
		d = -lim;
	if (d > lim - 1)
		d = lim - 1;
	return sev << 62 | (uint64_t)(d + lim) << 32 | v->rank[SORT_NAME][i];
}

/* Every other column sorts by one 64-bit key: unknown values get the
 * largest key in both directions (an operator inverting "expiry" wants
 * the latest dates first, not a screen of blanks). */
static uint64_t sort_key(const struct fleet_view *v, size_t i)
{
	const struct fleet_view_key *k = &v->keys[i];
	uint64_t key;
	bool unknown = false;

	switch (v->sort) {
	case SORT_NAME: case SORT_SERVICE: case SORT_REGION: case SORT_ID:
		key = v->rank[v->sort][i];
		break;
	case SORT_STATE:
		key = k->state;
		break;
	case SORT_EXPIRY:
		unknown = k->expiry == INT64_MAX;
		key = u64_of(k->expiry);
		break;
	case SORT_AGE:
		unknown = k->age == INT64_MAX;
		key = u64_of(k->age);
		break;
	case SORT_VERDICT:
		key = verdict_key(v, i);
		break;
	default:
		key = 0;
		break;
	}
	if (unknown)
		return UINT64_MAX;
	if (key > UINT64_MAX - 1)
		key = UINT64_MAX - 1;
	return v->descending ? UINT64_MAX - 1 - key : key;
}

struct keyed {
	uint64_t key;
	size_t index;
};

/* LSD radix sort, one byte per pass, skipping bytes every key shares. It
 * is stable, and rows arrive in config order, so ties stay in config
 * order without comparing indices: 100k rows in a few milliseconds. */
static void radix_sort(struct keyed *a, struct keyed *tmp, size_t n)
{
	size_t count[256];

	for (int shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[(a[i].key >> shift) & 0xFF]++;
		if (count[(a[0].key >> shift) & 0xFF] == n)
			continue;
		size_t sum = 0;
		for (int b = 0; b < 256; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i].key >> shift) & 0xFF]++] = a[i];
		memcpy(a, tmp, n * sizeof(*a));
	}
}

static void sort_rows(struct fleet_view *v)
{
	size_t n = v->n_rows;

	if (n < 2)
		return;
	if (v->sort == SORT_ADDRESS) {
		sort_by_address(v);
		return;
	}
	struct keyed *a = xreallocarray(NULL, n, sizeof(*a));
	struct keyed *tmp = xreallocarray(NULL, n, sizeof(*tmp));
	for (size_t r = 0; r < n; r++)
		a[r] = (struct keyed){sort_key(v, v->rows[r]), v->rows[r]};
	radix_sort(a, tmp, n);
	for (size_t r = 0; r < n; r++)
		v->rows[r] = a[r].index;
	free(tmp);
	free(a);
}

/* fleet_view_count's figures from the keys just brought up to date: the
 * header is drawn after every answer, and a verdict per instance per draw
 * was a pass over the whole fleet each time. */
static void count_keys(struct fleet_view *v)
{
	const struct fleet *f = v->f;
	struct fleet_counts *out = &v->counts;

	memset(out, 0, sizeof(*out));
	out->total = f->n_instances;
	for (size_t i = 0; i < f->n_instances; i++) {
		const struct fleet_view_key *k = &v->keys[i];
		enum tls_state s = (unsigned)k->state < STATE_COUNT ? (enum tls_state)k->state : STATE_UNKNOWN;

		out->state[s]++;
		out->verdict[k->verdict < VERDICT_COUNT ? k->verdict : VERDICT_UNKNOWN]++;
		if (s == STATE_NOT_FOUND || s == STATE_AUTH_ERROR || s == STATE_THROTTLED ||
		    s == STATE_ERROR)
			out->errors++;
		if (s == STATE_ENABLED && k->days != INT64_MAX) {
			if (k->days < 0)
				out->expired++;
			else if (k->days <= instance_warn_days(f, &f->instances[i]))
				out->expiring++;
		}
	}
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
	count_keys(v);

	if (v->sort <= SORT_ID && !v->rank[v->sort])
		v->rank[v->sort] = build_rank(v, v->sort);
	if (v->sort == SORT_VERDICT && !v->rank[SORT_NAME])
		v->rank[SORT_NAME] = build_rank(v, SORT_NAME);

	v->n_rows = 0;
	for (size_t i = 0; i < f->n_instances; i++) {
		const struct fleet_view_key *k = &v->keys[i];
		if (v->problems_only && !k->problem)
			continue;
		if (v->flt && !filter_match(v->flt, &f->instances[i], now, k->hay, k->hay_status))
			continue;
		v->rows[v->n_rows++] = i;
	}
	sort_rows(v);
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
	struct filter *flt = filter_compile(needle);
	long found = -1;
	time_t now = time(NULL);
	for (long step = 1; flt && step <= n; step++) {
		long r = ((from + dir * step) % n + n) % n;
		const struct fleet_view_key *k = &v->keys[v->rows[r]];
		if (filter_match(flt, &v->f->instances[v->rows[r]], now, k->hay, k->hay_status)) {
			found = r;
			break;
		}
	}
	filter_free(flt);
	return found;
}
