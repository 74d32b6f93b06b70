/* The dashboard's view of the fleet, without curses: which instances are
 * shown (filter, problems only) and in which order (sort column and
 * direction). Keys are computed once per instance and only recomputed for
 * instances marked changed, so a 100k-instance fleet re-sorts in a few
 * milliseconds and nothing is re-sorted unless something changed.
 *
 * Ownership: the view borrows the fleet (which must outlive it) and owns
 * its row vector and keys; fleet_view_free() releases them. */
#ifndef TLSFLEET_FLEET_VIEW_H
#define TLSFLEET_FLEET_VIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "core/fleet.h"
#include "core/verdict.h"

/* Sort columns, in the order the s / < / > keys step through them. */
enum view_sort {
	SORT_NAME,
	SORT_SERVICE,   /* provider/service */
	SORT_REGION,
	SORT_ID,
	SORT_STATE,     /* tlsfleet(1) STATES order */
	SORT_EXPIRY,    /* CA expiry, unknown last */
	SORT_ADDRESS,   /* host, else IP; unknown last */
	SORT_AGE,       /* youngest answer first; never refreshed last */
	SORT_VERDICT,   /* worst first: verdict, then days left, then name */
	SORT_COUNT
};

const char *fleet_view_sort_name(enum view_sort s);

struct fleet_view_key;  /* per-instance precomputed keys (private) */
struct filter;          /* core/filter.h */

/* Header counts. */
struct fleet_counts {
	size_t total;
	size_t state[STATE_COUNT];
	size_t errors;      /* not_found + auth_error + throttled + error */
	size_t expiring;    /* enabled, 0 <= days_left <= warn_days */
	size_t expired;     /* enabled, days_left < 0 */
	size_t verdict[VERDICT_COUNT]; /* by verdict status */
};

struct fleet_view {
	const struct fleet *f;
	size_t *rows;           /* instance indices, in display order */
	size_t n_rows;
	struct fleet_counts counts; /* the whole fleet as of the last update (the header) */

	/* Settings: change them through the setters so the view knows. */
	char *filter;           /* as typed; NULL = none */
	bool problems_only;
	enum view_sort sort;
	bool descending;

	/* private */
	struct filter *flt;     /* filter compiled (core/filter.h) */
	struct fleet_view_key *keys;
	uint32_t *rank[SORT_COUNT]; /* ranks of the config-only string columns */
	size_t *changed;
	size_t n_changed;
	bool all_changed;
	bool dirty;
};

void fleet_view_init(struct fleet_view *v, const struct fleet *f);
void fleet_view_free(struct fleet_view *v);

void fleet_view_set_filter(struct fleet_view *v, const char *filter); /* NULL/"" = none */
void fleet_view_set_problems(struct fleet_view *v, bool on);
void fleet_view_set_sort(struct fleet_view *v, enum view_sort s, bool descending);

/* An instance's status changed (engine notification): its keys are
 * recomputed at the next update. */
void fleet_view_instance_changed(struct fleet_view *v, size_t index);
/* Everything may have changed, e.g. the clock moved an expiry past the
 * warning threshold (problems only depends on now). */
void fleet_view_all_changed(struct fleet_view *v);
bool fleet_view_dirty(const struct fleet_view *v);

/* Recompute rows if anything changed; true when the rows were rebuilt. */
bool fleet_view_update(struct fleet_view *v, time_t now);

/* Row showing instance index, or -1 when it is filtered out. O(rows). */
long fleet_view_row_of(const struct fleet_view *v, size_t index);

/* Next (dir > 0) or previous row after row `from` whose instance matches
 * the filter text, wrapping around; -1 when none. The filter is what the
 * view shows, so this searches with `needle` (case-insensitive) instead. */
long fleet_view_find_next(const struct fleet_view *v, const char *needle, long from, int dir);

/* Filter rule, exposed for tests: the language of core/filter.h (free
 * text over name, id, provider/service, region, account, state, error code
 * and addresses; field predicates; days; negation), Unicode case-folded. */
bool fleet_view_matches(const struct instance *in, const char *needle);

/* Problems only: every instance whose verdict (core/verdict.h, the same
 * one --check prints) is not OK, so `p` and --check name the same set. */
bool fleet_view_is_problem(const struct fleet *f, const struct instance *in, time_t now);

void fleet_view_count(const struct fleet *f, time_t now, struct fleet_counts *out);

#endif
