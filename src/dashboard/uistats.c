/* UI statistics (see uistats.h). */
#include "dashboard/uistats.h"

/* Upper bound of bucket i: 1.1^i µs (no libm for two lines of maths). */
static double bucket_top(int i)
{
	double v = 1.0;

	while (i-- > 0)
		v *= 1.1;
	return v;
}

void uistats_hist_add(struct uistats_hist *h, double us)
{
	int i = 0;
	double top = 1.0;

	while (top < us && i < UISTATS_BUCKETS - 1) {
		top *= 1.1;
		i++;
	}
	h->b[i]++;
	h->n++;
	if (us > h->max_us)
		h->max_us = us;
}

double uistats_hist_pct(const struct uistats_hist *h, double p)
{
	uint64_t want = (uint64_t)(p * (double)h->n), seen = 0;

	if (!h->n)
		return 0;
	for (int i = 0; i < UISTATS_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want || (seen == want && seen == h->n)) {
			double up = bucket_top(i);
			return up < h->max_us ? up : h->max_us;
		}
	}
	return h->max_us;
}

void uistats_wait_begin(struct uistats *s, double now_us)
{
	if (s->wait_left_us > 0)
		uistats_hist_add(&s->gap, now_us - s->wait_left_us);
}

void uistats_wait_end(struct uistats *s, double now_us)
{
	s->wait_left_us = now_us;
}

void uistats_frame(struct uistats *s, double us)
{
	uistats_hist_add(&s->frame, us);
}

static void print_hist(FILE *fp, const char *name, const struct uistats_hist *h)
{
	fprintf(fp, "%s p50=%.3f p99=%.3f max=%.3f n=%llu\n", name,
	        uistats_hist_pct(h, 0.5) / 1e3, uistats_hist_pct(h, 0.99) / 1e3,
	        h->max_us / 1e3, (unsigned long long)h->n);
}

/* The text shown above, to fp. */
static void uistats_print(const struct uistats *s, FILE *fp)
{
	fprintf(fp, "# tlsfleet UI statistics, milliseconds\n");
	print_hist(fp, "input_gap_ms", &s->gap);
	print_hist(fp, "frame_ms", &s->frame);
}

int uistats_write(const struct uistats *s, const char *path)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return -1;
	uistats_print(s, fp);
	return fclose(fp) == 0 ? 0 : -1;
}
