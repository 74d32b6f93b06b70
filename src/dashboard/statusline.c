#include "dashboard/statusline.h"
#include "core/textsafe.h"
#include "dashboard/theme.h"
#include "dashboard/ui.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void statusline_init(struct statusline *s)
{
	memset(s, 0, sizeof(*s));
}

void statusline_free(struct statusline *s)
{
	for (size_t i = 0; i < STATUSLINE_LOG_MAX; i++)
		free(s->log[i].text);
	free(s->shown);
	memset(s, 0, sizeof(*s));
}

static struct status_msg *keep(struct statusline *s, time_t now, bool error,
                               const char *fmt, va_list ap)
{
	char *raw, *redacted;
	struct status_msg *m = &s->log[s->head];

	raw = xvasprintf(fmt, ap);
	redacted = textsafe_redact_urls(raw);
	free(m->text);
	m->text = textsafe_utf8(redacted);
	m->at = now;
	m->error = error;
	free(redacted);
	free(raw);
	s->head = (s->head + 1) % STATUSLINE_LOG_MAX;
	if (s->count < STATUSLINE_LOG_MAX)
		s->count++;
	s->seq++;
	return m;
}

void statusline_log(struct statusline *s, time_t now, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(s, now, error, fmt, ap);
	va_end(ap);
}

void statusline_post(struct statusline *s, time_t now, long long now_ms, bool error,
                     const char *fmt, ...)
{
	va_list ap;
	struct status_msg *m;

	va_start(ap, fmt);
	m = keep(s, now, error, fmt, ap);
	va_end(ap);
	/* An error still within its minimum time is not pushed off the line
	 * by a mere informational message. */
	if (!error && s->shown && s->shown_error && now_ms < s->shown_until)
		return;
	free(s->shown);
	s->shown = xstrdup(m->text);
	s->shown_error = error;
	s->shown_until = now_ms + (error ? STATUSLINE_ERROR_MS : STATUSLINE_INFO_MS);
	s->seq++;
}

size_t statusline_log_count(const struct statusline *s)
{
	return s->count;
}

const struct status_msg *statusline_log_get(const struct statusline *s, size_t i)
{
	if (i >= s->count)
		return NULL;
	size_t first = (s->head + STATUSLINE_LOG_MAX - s->count) % STATUSLINE_LOG_MAX;
	return &s->log[(first + i) % STATUSLINE_LOG_MAX];
}

/* Message to show now, or NULL when its time is up. */
static const char *statusline_current(const struct statusline *s, long long now_ms, bool *error)
{
	if (!s->shown || now_ms >= s->shown_until)
		return NULL;
	if (error)
		*error = s->shown_error;
	return s->shown;
}

bool statusline_expire(struct statusline *s, long long now_ms)
{
	if (!s->shown || now_ms < s->shown_until)
		return false;
	free(s->shown);
	s->shown = NULL;
	return true;
}

long statusline_next_ms(const struct statusline *s, long long now_ms)
{
	if (!s->shown || now_ms >= s->shown_until)
		return -1;
	return (long)(s->shown_until - now_ms);
}

/* Hints are "key:label key:label": keys drawn in their own colour. */
static void draw_hints(int y, int cols, const char *hints)
{
	int x = 0;
	const char *p = hints;

	ui_blank(y, 0, cols, theme_attr(THEME_STATUS));
	while (*p && x < cols) {
		size_t n = strcspn(p, " ");
		const char *colon = memchr(p, ':', n);
		char key[32], label[64];

		if (colon && colon > p && (size_t)(colon - p) < sizeof(key) &&
		    n - (size_t)(colon - p) - 1 < sizeof(label)) {
			size_t k = (size_t)(colon - p), l = n - k - 1;
			int w;

			memcpy(key, p, k);
			key[k] = '\0';
			memcpy(label, colon + 1, l);
			label[l] = '\0';
			w = (int)k < cols - x ? (int)k : cols - x;
			ui_put(y, x, w, key, theme_attr(THEME_STATUS_KEY));
			x += w;
			w = (int)l + 3 < cols - x ? (int)l + 3 : cols - x;
			ui_put(y, x, 1, "", theme_attr(THEME_STATUS));
			if (w > 1)
				ui_put(y, x + 1, w - 1, label, theme_attr(THEME_STATUS));
			x += w;
		}
		p += n;
		p += strspn(p, " ");
	}
}

void statusline_draw(const struct statusline *s, int y, int cols, long long now_ms,
                     const char *hints)
{
	bool err = false;
	const char *msg = statusline_current(s, now_ms, &err);

	if (msg) {
		ui_put(y, 0, cols, msg, theme_attr(err ? THEME_STATUS_ERROR : THEME_STATUS));
		return;
	}
	draw_hints(y, cols, hints ? hints : "");
}
