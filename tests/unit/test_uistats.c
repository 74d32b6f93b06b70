/* UI statistics: the log-scale histogram's percentiles, the input gap
 * counted between waits, and the text bench/run.sh ui and it_screen.sh
 * read. Times are handed in, so no clock is involved. */
#include "dashboard/uistats.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int within(double got, double want, double frac)
{
	return got >= want * (1 - frac) && got <= want * (1 + frac);
}

static void test_hist(void)
{
	struct uistats_hist h;

	memset(&h, 0, sizeof(h));
	ok(uistats_hist_pct(&h, 0.5) == 0, "empty: 0");

	uistats_hist_add(&h, 1234);
	ok(uistats_hist_pct(&h, 0.5) == 1234, "one value: p50 is it (capped at the max)");
	ok(uistats_hist_pct(&h, 0.99) == 1234, "... p99 too");

	memset(&h, 0, sizeof(h));
	for (int i = 1; i <= 1000; i++)
		uistats_hist_add(&h, i * 100.0);
	is_int((long long)h.n, 1000, "count");
	ok(h.max_us == 100000, "max exact");
	ok(within(uistats_hist_pct(&h, 0.5), 50000, 0.1), "p50 within 10%% (%.0f)",
	   uistats_hist_pct(&h, 0.5));
	ok(within(uistats_hist_pct(&h, 0.99), 99000, 0.1), "p99 within 10%% (%.0f)",
	   uistats_hist_pct(&h, 0.99));
	ok(uistats_hist_pct(&h, 1.0) == 100000, "p100 is the max");

	memset(&h, 0, sizeof(h));
	uistats_hist_add(&h, 0.2);
	uistats_hist_add(&h, 1e13);   /* past the last bucket */
	is_int((long long)h.b[0], 1, "below 1 µs: first bucket");
	is_int((long long)h.b[UISTATS_BUCKETS - 1], 1, "huge: last bucket");
	ok(uistats_hist_pct(&h, 0.99) <= 1e13, "never above the max");
}

static void test_gap(void)
{
	struct uistats s;

	memset(&s, 0, sizeof(s));
	uistats_wait_begin(&s, 5000);
	is_int((long long)s.gap.n, 0, "first wait: startup is not a gap");
	uistats_wait_end(&s, 6000);
	uistats_wait_begin(&s, 6500);
	is_int((long long)s.gap.n, 1, "second wait: one gap");
	ok(s.gap.max_us == 500, "... from leaving one wait to entering the next");
	uistats_frame(&s, 2000);
	is_int((long long)s.frame.n, 1, "one frame");
}

static void test_output(void)
{
	struct uistats s;
	char path[] = "/tmp/test_uistats.XXXXXX";
	char buf[512];
	size_t n;
	FILE *fp;
	int fd;

	memset(&s, 0, sizeof(s));
	uistats_wait_end(&s, 1000);
	uistats_wait_begin(&s, 1500);
	uistats_frame(&s, 2000);
	fd = mkstemp(path);
	ok(fd >= 0, "temporary file");
	if (fd < 0)
		return;
	is_int(uistats_write(&s, path), 0, "written");
	fp = fdopen(fd, "r");
	n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
	buf[n] = '\0';
	is_str(buf,
	       "# tlsfleet UI statistics, milliseconds\n"
	       "input_gap_ms p50=0.500 p99=0.500 max=0.500 n=1\n"
	       "frame_ms p50=2.000 p99=2.000 max=2.000 n=1\n",
	       "the format bench/run.sh ui and it_screen.sh read");
	if (fp)
		fclose(fp);
	unlink(path);
	is_int(uistats_write(&s, "/nonexistent-dir/stats"), -1, "unwritable path: -1");
}

int main(void)
{
	test_hist();
	test_gap();
	test_output();
	return done_testing();
}
