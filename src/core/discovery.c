#include "core/discovery.h"
#include "core/strmap.h"
#include "core/textsafe.h"
#include "core/xalloc.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Which (cloud, kind) rows have a list call: services.def's list column. */
static const struct {
	enum provider_kind cloud;
	enum service_kind kind;
	bool listed;
} list_rows[] = {
#define KIND(id, name)
#define SERVICE(cl, kd, status, list, link, signing, version, host) \
	{PROVIDER_##cl, SERVICE_##kd, (list) != NULL},
#include "providers/services.def"
#undef SERVICE
#undef KIND
};

static bool has_list_call(enum provider_kind cloud, enum service_kind kind)
{
	for (size_t i = 0; i < sizeof(list_rows) / sizeof(list_rows[0]); i++)
		if (list_rows[i].cloud == cloud && list_rows[i].kind == kind)
			return list_rows[i].listed;
	return false;
}

void found_instance_free(struct found_instance *it)
{
	free(it->id);
	free(it->name);
	free(it->region);
	free(it->engine);
	address_free(&it->addr);
	for (size_t i = 0; i < it->n_tags; i++) {
		free(it->tags[i].key);
		free(it->tags[i].value);
	}
	free(it->tags);
	memset(it, 0, sizeof(*it));
	it->addr.port = -1;
}

static bool named(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return n == 0;
}

void discovery_plan(struct discovery *d, struct fleet *f, const char *const *names, size_t n_names)
{
	size_t cap = 0;

	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < f->n_accounts; i++) {
		struct account *a = &f->accounts[i];
		const struct discover_spec *s = a->discover;
		if (!s || !named(a->name, names, n_names))
			continue;
		for (size_t r = 0; r < s->n_regions; r++) {
			for (int k = 0; k < SERVICE_COUNT; k++) {
				if (!has_list_call(a->provider, (enum service_kind)k))
					continue;
				if (s->services && !(s->services & (1u << k)))
					continue;
				if (d->n == cap) {
					cap = cap ? 2 * cap : 8;
					d->l = xrealloc(d->l, cap * sizeof(*d->l));
				}
				struct listing *l = &d->l[d->n++];
				memset(l, 0, sizeof(*l));
				l->a = a;
				l->kind = (enum service_kind)k;
				l->region = xstrdup(s->regions[r]);
			}
		}
	}
}

void discovery_free(struct discovery *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct listing *l = &d->l[i];
		for (size_t k = 0; k < l->n_items; k++)
			found_instance_free(&l->items[k]);
		free(l->items);
		free(l->item_page);
		free(l->paging.read);
		free(l->region);
		free(l->error);
	}
	free(d->l);
	memset(d, 0, sizeof(*d));
}

bool discovery_matches(const struct discover_spec *s, const struct found_instance *it)
{
	if (!s)
		return true;
	for (size_t i = 0; i < s->n_tags; i++) {
		bool found = false;
		for (size_t k = 0; k < it->n_tags && !found; k++)
			found = strcmp(it->tags[k].key, s->tags[i].key) == 0 &&
			        strcmp(it->tags[k].value ? it->tags[k].value : "", s->tags[i].value) == 0;
		if (!found)
			return false;
	}
	if (s->match) {
		const char *name = it->name && *it->name ? it->name : it->id;
		if (fnmatch(s->match, name, 0) != 0)
			return false;
	}
	return true;
}

void listing_take(struct listing *l, long page, struct found_instance *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!discovery_matches(l->a->discover, &items[i])) {
			found_instance_free(&items[i]);
			continue;
		}
		if (l->n_items == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 64;
			l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
			l->item_page = xrealloc(l->item_page, l->cap * sizeof(*l->item_page));
		}
		l->item_page[l->n_items] = page;
		l->items[l->n_items++] = items[i];
		memset(&items[i], 0, sizeof(items[i]));
	}
}

struct item_key {
	long page;
	size_t at;                   /* arrival: keeps a page's items as listed */
};

static int item_key_cmp(const void *a, const void *b)
{
	const struct item_key *x = a, *y = b;

	if (x->page != y->page)
		return x->page < y->page ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

void listing_order(struct listing *l, long before)
{
	struct item_key *k;
	struct found_instance *items;
	size_t n = 0;

	if (!l->n_items)
		return;
	k = xcalloc(l->n_items, sizeof(*k));
	for (size_t i = 0; i < l->n_items; i++)
		k[i] = (struct item_key){l->item_page[i], i};
	qsort(k, l->n_items, sizeof(*k), item_key_cmp);
	items = xcalloc(l->cap, sizeof(*items));
	for (size_t i = 0; i < l->n_items; i++) {
		if (before >= 0 && k[i].page >= before) {
			found_instance_free(&l->items[k[i].at]);
			continue;
		}
		items[n] = l->items[k[i].at];
		l->item_page[n++] = k[i].page;
	}
	free(l->items);
	free(k);
	l->items = items;
	l->n_items = n;
}

bool discovery_failed(const struct discovery *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->l[i].error || !d->l[i].done)
			return true;
	return false;
}

void discovery_report_failures(const struct discovery *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct listing *l = &d->l[i];
		if (!l->error && l->done)
			continue;
		/* the error carries the provider's message: untrusted text */
		char *why = textsafe_plain(l->error ? l->error : "not finished");
		fprintf(out, "tlsfleet: listing %s %s in %s failed after %ld page%s read: %s\n",
		        l->a->name, service_kind_name(l->kind), l->region, l->pages,
		        l->pages == 1 ? "" : "s", why);
		free(why);
	}
}

void address_fill(struct address *to, const struct address *from)
{
	if (!to->host && from->host)
		to->host = xstrdup(from->host);
	if (!to->ip && from->ip)
		to->ip = xstrdup(from->ip);
	if (!to->ipv6 && from->ipv6)
		to->ipv6 = xstrdup(from->ipv6);
	if (!to->domain && from->domain)
		to->domain = xstrdup(from->domain);
	if (to->port <= 0 && from->port > 0)
		to->port = from->port;
}

char *discovery_unique_name(const struct found_instance *it, bool (*taken)(void *, const char *),
                            void *ud)
{
	/* the provider's name when the config would take it, else the id */
	const char *base = it->name && !textsafe_text_problem(it->name) ? it->name : it->id;
	char *name = xstrdup(base);

	if (!taken(ud, name))
		return name;
	free(name);
	name = xasprintf("%s (%s)", base, it->id);
	for (int n = 2; taken(ud, name); n++) {
		free(name);
		name = xasprintf("%s (%s) %d", base, it->id, n);
	}
	return name;
}

/* The listed engine, when it is a plain name ("MySQL", "SQLServer"): it
 * only picks a protocol, and a hostile listing's text goes nowhere. */
static void keep_engine(struct instance *in, const struct found_instance *it)
{
	if (in->listed_engine || !textsafe_only(it->engine, " ._-") || strlen(it->engine) > 32)
		return;
	in->listed_engine = xstrdup(it->engine);
}

static char *instance_key(const struct account *a, enum service_kind k, const char *id)
{
	return xasprintf("%s\x1f%d\x1f%s", a->name, (int)k, id);
}

static bool name_taken(void *ud, const char *name)
{
	return strmap_get(ud, name) != NULL;
}

size_t discovery_apply(struct fleet *f, const struct discovery *d)
{
	struct strmap names = {0}, keys = {0};
	size_t total = 0, added = 0, n0 = f->n_instances;

	for (size_t i = 0; i < d->n; i++)
		total += d->l[i].n_items;
	if (!total)
		return 0;
	/* Values are indexes + 1: pointers would move with the realloc. */
	for (size_t i = 0; i < n0; i++) {
		struct instance *in = &f->instances[i];
		strmap_put(&names, in->name, (void *)(i + 1));
		char *k = instance_key(in->account, in->service, in->id);
		strmap_put(&keys, k, (void *)(i + 1));
		free(k);
	}
	f->instances = xrealloc(f->instances, (n0 + total + 1) * sizeof(*f->instances));
	for (size_t i = 0; i < d->n; i++) {
		const struct listing *l = &d->l[i];
		for (size_t k = 0; k < l->n_items; k++) {
			const struct found_instance *it = &l->items[k];
			/* the config's rules for what becomes part of host names and URL
			 * paths: an instance the listing names otherwise is left out */
			if (!textsafe_only(it->id, "._:-") || !textsafe_only(it->region, "-_"))
				continue;
			char *key = instance_key(l->a, l->kind, it->id);
			size_t at = (size_t)strmap_get(&keys, key);
			if (at) {
				/* configured (or listed twice): the first wins */
				address_fill(&f->instances[at - 1].listed_addr, &it->addr);
				address_fill(&f->instances[at - 1].st.addr, &it->addr);
				keep_engine(&f->instances[at - 1], it);
				free(key);
				continue;
			}
			struct instance *in = &f->instances[f->n_instances];
			memset(in, 0, sizeof(*in));
			instance_status_init(&in->st);
			in->index = f->n_instances++;
			in->name = discovery_unique_name(it, name_taken, &names);
			in->account = l->a;
			in->service = l->kind;
			in->region = xstrdup(it->region);
			in->id = xstrdup(it->id);
			in->warn_days = in->crit_days = in->require_tls = -1;
			in->line = l->a->discover->line;
			in->discovered = true;
			in->listed_addr.port = -1;
			address_fill(&in->listed_addr, &it->addr);
			address_fill(&in->st.addr, &it->addr);
			keep_engine(in, it);
			strmap_put(&names, in->name, (void *)(in->index + 1));
			strmap_put(&keys, key, (void *)(in->index + 1));
			free(key);
			added++;
		}
	}
	strmap_free(&names);
	strmap_free(&keys);
	return added;
}

static char *scope_key(const struct account *a, enum service_kind k, const char *region)
{
	return xasprintf("%s\x1f%d\x1f%s", a->name, (int)k, region);
}

void discovery_reconcile(struct fleet *f, const struct discovery *d, discovery_change_fn changed,
                         void *ud, size_t **map, size_t *added)
{
	struct strmap scopes = {0}, found = {0};
	size_t n_old = f->n_instances, kept = 0;
	struct instance *old = f->instances;
	size_t *m = xcalloc(n_old + 1, sizeof(*m));

	/* What complete listings cover and hold. */
	for (size_t i = 0; i < d->n; i++) {
		const struct listing *l = &d->l[i];
		if (!l->done || l->error)
			continue;
		char *sk = scope_key(l->a, l->kind, l->region);
		strmap_put(&scopes, sk, (void *)1);
		free(sk);
		for (size_t k = 0; k < l->n_items; k++) {
			char *key = instance_key(l->a, l->kind, l->items[k].id);
			strmap_put(&found, key, (void *)1);
			free(key);
		}
	}
	f->instances = xcalloc(n_old + 1, sizeof(*f->instances));
	for (size_t i = 0; i < n_old; i++) {
		struct instance *in = &old[i];
		bool gone = false;
		if (in->discovered) {
			char *sk = scope_key(in->account, in->service, in->region);
			char *key = instance_key(in->account, in->service, in->id);
			gone = strmap_get(&scopes, sk) && !strmap_get(&found, key);
			free(sk);
			free(key);
		}
		if (gone) {
			if (changed)
				changed(ud, in, false);
			instance_free_fields(in);
			m[i] = SIZE_MAX;
			continue;
		}
		f->instances[kept] = *in;
		f->instances[kept].index = kept;
		m[i] = kept++;
	}
	free(old);
	f->n_instances = kept;
	strmap_free(&scopes);
	strmap_free(&found);

	size_t n0 = f->n_instances;
	*added = discovery_apply(f, d);
	for (size_t i = n0; changed && i < f->n_instances; i++)
		changed(ud, &f->instances[i], true);
	if (map)
		*map = m;
	else
		free(m);
}

/* A libconfig string: quotes, backslashes and control bytes escaped. */
static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void discovery_write_snippet(FILE *out, struct fleet *f, const struct discovery *d)
{
	struct strmap keys = {0};
	bool first = true;

	for (size_t i = 0; i < f->n_instances; i++) {
		struct instance *in = &f->instances[i];
		char *k = instance_key(in->account, in->service, in->id);
		strmap_put(&keys, k, in);
		free(k);
	}
	fputs("instances = (\n", out);
	for (size_t i = 0; i < d->n; i++) {
		const struct listing *l = &d->l[i];
		for (size_t k = 0; k < l->n_items; k++) {
			char *key = instance_key(l->a, l->kind, l->items[k].id);
			struct instance *in = strmap_get(&keys, key);
			free(key);
			if (!in)
				continue;  /* an id or region the config could not hold */
			/* each instance once, however often it was listed */
			char *again = instance_key(in->account, in->service, in->id);
			strmap_del(&keys, again);
			free(again);
			fputs(first ? "  { name = " : ",\n  { name = ", out);
			first = false;
			put_string(out, in->name);
			fputs("; account = ", out);
			put_string(out, in->account->name);
			fprintf(out, "; service = \"%s\"; region = ", service_kind_name(in->service));
			put_string(out, in->region);
			fputs("; id = ", out);
			put_string(out, in->id);
			fputs("; }", out);
		}
	}
	fputs(first ? ");\n" : "\n);\n", out);
	strmap_free(&keys);
}
