/* Discovery's model: what the providers' listings found, per (account,
 * service, region), the filters of an account's `discover` setting, and
 * the merge of the findings into the fleet (names made unique, configured
 * instances winning, addresses remembered). No curl, no curses: the
 * engine fills the listings page by page, several pages of one listing at
 * a time (engine_discover), front ends merge and print.
 *
 * Ownership: a struct discovery owns its listings, their regions, error
 * strings and found instances (discovery_free). Accounts are borrowed from
 * the fleet. discovery_apply() copies what it adds into the fleet, which
 * then owns it like any configured instance.
 *
 * Instance pointers: discovery_apply() appends to fleet->instances and so
 * may move every instance. It is for the moment before anything holds an
 * instance pointer (the headless modes and the dashboard's start); a
 * caller that already holds some must drop them first. */
#ifndef TLSFLEET_DISCOVERY_H
#define TLSFLEET_DISCOVERY_H

#include <stdio.h>
#include "core/fleet.h"

/* What a listing says about one instance. */
struct found_instance {
	char *id;
	char *name;                  /* the provider's name; "" when it has none */
	char *region;
	struct address addr;         /* where clients connect, as listed; port -1 unknown */
	char *engine;                /* the engine as listed where one service hosts several
	                              * (Alibaba RDS Engine, PolarDB DBType, Huawei RDS
	                              * datastore.type), verbatim; NULL when not listed */
	struct discover_tag *tags;
	size_t n_tags;
};
void found_instance_free(struct found_instance *it);

/* The engine's paging of one listing (engine.c): once a pass's first
 * page tells the total, the pages after it are asked side by side. */
struct list_paging {
	long queued_to;              /* the highest page queued so far */
	long want_to;                /* the last page of the pass being read, as last reported */
	long pass_first;             /* the first page of that pass */
	long pass_next;              /* the first page of the next pass; -1: none known */
	long failed_page;            /* the lowest page that failed; -1: none */
	size_t outstanding;          /* pages queued, waiting for keys, retrying or on the wire */
	bool lost;                   /* a page was dropped unread (the engine was freed) */
	long *read;                  /* the pages read, as they answered */
	size_t n_read, cap_read;
};

/* One listing: every page of (account, service, region). */
struct listing {
	struct account *a;
	enum service_kind kind;
	char *region;
	long pages;                  /* pages read (before the failed one when one failed) */
	long total;                  /* as the provider last reported it */
	bool done;                   /* every page read */
	char *error;                 /* why a page failed after its retries, or NULL */
	struct found_instance *items;/* what passed the account's filters; in list order once
	                              * the listing ended (listing_order) */
	long *item_page;             /* the page each item came on */
	size_t n_items, cap;
	struct list_paging paging;
};

struct discovery {
	struct listing *l;
	size_t n;
};

/* One listing per (account with `discover`, region, service with a list
 * call among the wanted ones), of the n_names accounts named (0: all). */
void discovery_plan(struct discovery *d, struct fleet *f, const char *const *names, size_t n_names);
void discovery_free(struct discovery *d);

/* The account's filters: every tag (key and value) present, the name
 * (the id when the name is empty) matching the glob. */
bool discovery_matches(const struct discover_spec *s, const struct found_instance *it);
/* Take page `page`'s items into the listing; those failing the filters
 * are freed. The array itself stays the caller's. Pages may come in any
 * order: listing_order() puts them in list order. */
void listing_take(struct listing *l, long page, struct found_instance *items, size_t n);
/* The items in list order (by page, a page's items as listed), and those
 * of page `before` and after dropped (before < 0: none dropped). */
void listing_order(struct listing *l, long before);

/* True when some listing failed (or never finished). */
bool discovery_failed(const struct discovery *d);
/* One line per failed listing on out: "tlsfleet: listing ... failed: why". */
void discovery_report_failures(const struct discovery *d, FILE *out);

/* Merge into the fleet: a found instance whose (account, service, id) is
 * configured adds nothing but its listed address; any other is appended
 * with discovered = true, its name the provider's (its id when empty),
 * ` (<id>)` appended when the name is taken. Returns how many were added.
 * See the prologue about instance pointers. */
size_t discovery_apply(struct fleet *f, const struct discovery *d);

/* A re-listing (the dashboard): discovery_apply(), and a discovered
 * instance that a listing which read every page no longer holds leaves
 * the fleet; a failed listing removes nothing. changed(ud, in, added) is
 * called for each instance that leaves (before it is freed) and each that
 * joins. The array is rebuilt, so every instance may move and indexes
 * change: when map is not NULL it gets a new array giving each old index
 * its new one (SIZE_MAX: gone). Instances that joined are the last
 * *added of the fleet. Same rule as discovery_apply() about pointers. */
typedef void (*discovery_change_fn)(void *ud, const struct instance *in, bool added);
void discovery_reconcile(struct fleet *f, const struct discovery *d, discovery_change_fn changed,
                         void *ud, size_t **map, size_t *added);

/* The libconfig snippet `instances = ( ... );` of every instance the
 * listings found, named as in the fleet after discovery_apply(). */
void discovery_write_snippet(FILE *out, struct fleet *f, const struct discovery *d);

/* Fill what `to` lacks (NULL strings, port <= 0) from `from`. */
void address_fill(struct address *to, const struct address *from);

/* The name a found instance gets: its name, else its id; made unique
 * against taken(name) by appending " (<id>)" (then " (<id>) 2", ...).
 * New string. */
char *discovery_unique_name(const struct found_instance *it, bool (*taken)(void *, const char *),
                            void *ud);

#endif
