/* UI statistics: how long a key press can wait (the loop's busy time
 * between two waits for input) and how long a frame takes to draw. When
 * TLSFLEET_UI_STATS names a file, the dashboard writes them there on exit
 * (bench/run.sh ui and tests/integration/it_screen.sh read it):
 *
 *   # tlsfleet UI statistics, milliseconds
 *   input_gap_ms p50=... p99=... max=... n=...
 *   frame_ms p50=... p99=... max=... n=...
 *
 * Times are passed in (microseconds), so the logic is testable without a
 * clock or a terminal (tests/unit/test_uistats.c). Ownership: nothing on the
 * heap; a struct uistats lives on tui_run()'s stack. */
#ifndef TLSFLEET_UISTATS_H
#define TLSFLEET_UISTATS_H
#include <stdint.h>
#include <stdio.h>

/* Log-scale histogram, 10% wide buckets from 1 µs (the last one tops out
 * near ten hours): constant memory for any run length, percentiles within
 * 10%. */
#define UISTATS_BUCKETS 256
struct uistats_hist {
	uint32_t b[UISTATS_BUCKETS];
	uint64_t n;
	double max_us;
};

struct uistats {
	struct uistats_hist gap;    /* busy time between two waits (startup excluded) */
	struct uistats_hist frame;  /* drawing one frame, doupdate included */
	double wait_left_us;        /* when the last wait returned; 0 = none yet */
};

void uistats_hist_add(struct uistats_hist *h, double us);
/* The p-quantile (0..1) in µs: the top of its bucket, never above the
 * maximum seen; 0 when empty. */
double uistats_hist_pct(const struct uistats_hist *h, double p);

/* Around each wait for input: the gap is counted from leaving one wait to
 * entering the next, since inside a wait a key wakes the loop at once. */
void uistats_wait_begin(struct uistats *s, double now_us);
void uistats_wait_end(struct uistats *s, double now_us);
void uistats_frame(struct uistats *s, double us);

/* Same into a new file at path; -1 when it cannot be written. */
int uistats_write(const struct uistats *s, const char *path);

#endif
