/* The snapshot: the last known state of every instance, kept on disk
 * beside the state file ($XDG_STATE_HOME/tlsfleet/snapshot.json) so the
 * dashboard and --serve open on what was last seen, and `--list --max-age`
 * answers without calling the API for instances refreshed recently.
 *
 * What it holds is what --list JSON shows of an instance's answer (state,
 * error, address, CA expiry, provider status, times), never more: the
 * certificate link and every URL in the provider status lose their query
 * (a presigned link is a bearer token) on the way in. Certificates and
 * downloads stay in the state file. One JSON object per line, so a
 * 100k-instance file is parsed line by line; written atomically under the
 * state file's lock, merged with what another process wrote meanwhile.
 *
 * Ownership: functions borrow the fleet; snapshot_path() and *err are new
 * strings; the keeper owns its path (snapshot_keeper_free). */
#ifndef TLSFLEET_SNAPSHOT_H
#define TLSFLEET_SNAPSHOT_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "core/fleet.h"

char *snapshot_path(void);   /* new string, or NULL without a home */

struct snapshot_mark;

/* Instances of the fleet not answered yet (refreshed_at unknown) take
 * their entry's state, matched by name, account and instance id, and are
 * marked from_snapshot. A missing file is not an error; a corrupt line is
 * skipped and counted in *err (0 returned). *loaded (may be NULL) gets how
 * many instances took an entry. mark (may be NULL) learns the file as the
 * next save would, so that save need not parse it again. -1 with *err
 * when the file is unreadable. */
int snapshot_load(struct fleet *f, const char *path, size_t *loaded, struct snapshot_mark *mark,
                  char **err);

/* What the last save wrote, so the next one can tell whether another
 * process wrote in between (then it reads and merges the file again) or
 * not (then what it kept last time is still the word, and the file need
 * not be parsed again: 100k lines cost a good part of a second). */
struct snapshot_mark {
	dev_t dev;
	ino_t ino;
	off_t size;
	long long mtime_ns;
	bool set;
	char *foreign;          /* lines of names this fleet lacks */
	size_t foreign_len;
	char **their_line;      /* per instance: the file's newer entry, or NULL */
	time_t *their_time;     /* its refreshed_at */
	size_t n;
	/* Per instance: the line last written for it, reused while the
	 * answer it shows is still the instance's (same refreshed_at, request
	 * id string, state and latency), so a save serialises only what
	 * changed (100k lines cost about a second of CPU). */
	struct snapshot_line *lines;
};
struct snapshot_line {
	char *text;             /* without the newline; NULL = none */
	time_t at;
	const char *rid;
	long latency;
	int state;
};
void snapshot_mark_free(struct snapshot_mark *m);

/* Write every instance with an answer; entries for names this fleet lacks,
 * and entries another process refreshed later, are kept. mark may be NULL
 * (always merge). 0, or -1 with *err. */
int snapshot_save(const struct fleet *f, const char *path, struct snapshot_mark *mark, char **err);

/* Coalesced saving for the long-running modes: mark after every answer,
 * tick from the loop. A save happens at most once a second, and never
 * sooner than ten times the last save's duration after it, so a big
 * fleet's snapshot costs at most ~10% of the loop. */
struct snapshot_keeper {
	const struct fleet *f;
	char *path;              /* NULL: keeping is off */
	struct snapshot_mark mark;
	bool dirty;
	long long last_ms;       /* monotonic ms of the last save */
	long long gap_ms;        /* at least this between saves */
	char *last_err;          /* the last failure, reported once */
};

#define SNAPSHOT_MIN_GAP_MS 1000

void snapshot_keeper_init(struct snapshot_keeper *k, const struct fleet *f, const char *path);
void snapshot_keeper_free(struct snapshot_keeper *k);
void snapshot_keeper_mark(struct snapshot_keeper *k);
/* The fleet's instances were rebuilt (a re-listing merge, a config
 * reload): the per-index caches start over, and a save is due. */
void snapshot_keeper_fleet_changed(struct snapshot_keeper *k);
/* Milliseconds until a save is due, -1 when nothing waits. */
long snapshot_keeper_due_ms(const struct snapshot_keeper *k, long long now_ms);
/* Save when due; returns a new error string when this save failed and the
 * previous one had not (the caller shows it), else NULL. */
char *snapshot_keeper_tick(struct snapshot_keeper *k, long long now_ms);
/* Save now if anything waits (on exit). */
char *snapshot_keeper_flush(struct snapshot_keeper *k, long long now_ms);

#endif
