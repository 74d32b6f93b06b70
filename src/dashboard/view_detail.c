/* The detail pane: every field of the selected instance, values wrapped
 * to the pane's width (nothing cut silently), scrolled with J/K when
 * longer than the pane. The connect line is never wrapped: it has a line
 * of its own across the pane, complete when it fits, else cut with an
 * ellipsis on screen only (--list --format json has it whole). Provider strings are sanitised when drawn and
 * URLs lose their query (presigned links are bearer tokens). */
#include "dashboard/views.h"
#include "core/textsafe.h"
#include "core/timefmt.h"
#include "dashboard/ui.h"
#include "core/xalloc.h"
#include "core/connect.h"
#include "core/verdict.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_W 13

struct dline {
	char *label;     /* NULL on continuation lines */
	char *value;
	enum theme_elem elem;
	bool whole;      /* one screen line across the pane, no label, never wrapped */
};

struct dlines {
	struct dline *v;
	size_t n, cap;
};

static void add(struct dlines *d, const char *label, enum theme_elem elem, char *value)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	d->v[d->n++] = (struct dline){xstrdup(label), value, elem, false};
}

static void add_whole(struct dlines *d, char *value)
{
	add(d, NULL, THEME_DETAIL, value);
	d->v[d->n - 1].whole = true;
}

static void addf(struct dlines *d, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void addf(struct dlines *d, const char *label, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	add(d, label, THEME_DETAIL, s);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void fmt_time(time_t t, char out[21])
{
	if (t == TIME_NONE)
		strcpy(out, "-");
	else
		timefmt_iso_utc(t, out);
}

static char *json_value(const cJSON *v)
{
	char *raw, *out;

	if (cJSON_IsString(v))
		return textsafe_redact_urls(v->valuestring);
	raw = cJSON_PrintUnformatted(v);
	out = textsafe_redact_urls(raw ? raw : "?");
	cJSON_free(raw);
	return out;
}

static void add_use_it(struct dlines *d, const struct tui *t, const struct instance *in)
{
	const char *why = NULL;
	char *line = connect_line_of(t->f, in);

	if (!line) {
		if (!instance_protocol(t->f, in, &why))
			addf(d, "Connect", "no line: %s", why ? why : "no client protocol known");
		else
			addf(d, "Connect", "no line: the connect host or port is unknown (settings host, port)");
		return;
	}
	addf(d, "Connect", "%s", in->st.download ? "with the downloaded ca.pem:"
	                                         : "(press d to download the CA certificate first):");
	add_whole(d, line);
	if (in->service == SERVICE_REDIS || in->service == SERVICE_DCS)
		addf(d, NULL, "redis-cli checks the chain but not the host name: a PONG proves only "
		     "a server with a certificate from this CA, and provider CAs are shared by many "
		     "customers. The probe checks the name.");
}

static void add_probe(struct dlines *d, const struct tui *t, const struct instance *in)
{
	const struct probe_status *p = &in->st.probe;
	char a[21], age[16];

	if (p->result == PROBE_NONE) {
		const char *why = NULL;

		if (instance_probe_enabled(t->f, in) && !instance_protocol(t->f, in, &why) && why)
			addf(d, "Probe", "not probed: %s", why);
		else
			addf(d, "Probe", "%s", engine_probe_pending(in) ? "running"
			     : instance_probe_enabled(t->f, in) ? "not yet (after a refresh that says TLS is on)"
			     : "off (setting probe)");
		return;
	}
	view_format_age(p->at, t->now, age, sizeof(age));
	add(d, "Probe", probe_result_verdict(p->result) == VERDICT_CRITICAL ? THEME_CRITICAL
	                : p->result == PROBE_OK ? THEME_DETAIL : THEME_STATE_ERROR,
	    xasprintf("%s: %s (%s ago)", probe_result_name(p->result),
	              probe_result_meaning(p->result), age));
	addf(d, NULL, "dialled %s port %d, verified name %s%s%s", or_dash(p->host), p->port,
	     or_dash(p->verify_name), p->tls_version ? ", " : "", p->tls_version ? p->tls_version : "");
	if (p->error)
		add(d, NULL, THEME_STATE_ERROR, textsafe_redact_urls(p->error));
	const struct probe_leaf *l = p->leaf;
	if (!l)
		return;
	fmt_time(l->not_after, a);
	addf(d, "Server cert", "%s", or_dash(l->subject));
	addf(d, NULL, "issuer %s", or_dash(l->issuer));
	long days = l->days_left;
	if (l->not_after != TIME_NONE) {
		long long s = (long long)l->not_after - (long long)t->now;
		days = (long)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
	}
	addf(d, NULL, "not after %s (%ld day%s %s)", a, days < 0 ? -days : days,
	     days == 1 || days == -1 ? "" : "s", days < 0 ? "ago" : "left");
	addf(d, NULL, "sha256 %s", l->sha256);
	for (size_t i = 0; i < l->n_san; i++)
		addf(d, NULL, "san %s", l->san[i]);
}

static void build(struct dlines *d, const struct tui *t, const struct instance *in)
{
	const struct instance_status *st = &in->st;
	const char *src = NULL;
	time_t exp = instance_cert_expires(in, &src);
	char a[21], b[21], age[16];
	long days;
	long long got, total;

	addf(d, "Instance", "%s", in->name);
	addf(d, "Provider", "%s/%s, account %s",
	     provider_kind_name(in->account ? in->account->provider : PROVIDER_COUNT),
	     service_kind_name(in->service), in->account ? in->account->name : "-");
	addf(d, "Region", "%s", or_dash(in->region));
	addf(d, "Instance id", "%s", or_dash(in->id));
	add(d, "State", THEME_DETAIL, xstrdup(state_name(st->state)));

	fmt_time(exp, a);
	if (exp != TIME_NONE && instance_days_left(in, t->now, &days))
		addf(d, "CA expiry", "%s, %ld day%s %s (from %s)", a, days < 0 ? -days : days,
		     (days == 1 || days == -1) ? "" : "s", days < 0 ? "ago" : "left",
		     src && strcmp(src, "api") == 0 ? "the provider's API" : "the certificate");
	else
		addf(d, "CA expiry", "unknown");
	if (instance_expiry_mismatch(in)) {
		char api[21];
		fmt_time(st->cert_expires_api, api);
		addf(d, "Mismatch", "the API date %s matches no certificate in the CA file (informational)", api);
	}
	addf(d, "Warn / crit", "%d / %d days", instance_warn_days(t->f, in), instance_crit_days(t->f, in));
	/* what a client sees, and how to connect: before the API's details */
	add_probe(d, t, in);
	add_use_it(d, t, in);

	add(d, "Cert URL", THEME_DETAIL, st->cert_url ? textsafe_redact_url(st->cert_url) : xstrdup("-"));
	fmt_time(st->cert_url_expires, a);
	addf(d, "URL expires", "%s", a);

	addf(d, "Address", "host %s", or_dash(st->addr.host));
	addf(d, NULL, "ip %s", or_dash(st->addr.ip));
	addf(d, NULL, "ipv6 %s", or_dash(st->addr.ipv6));
	if (st->addr.port >= 0)
		addf(d, NULL, "port %d", st->addr.port);
	else
		addf(d, NULL, "port -");
	addf(d, NULL, "domain %s", or_dash(st->addr.domain));

	if (st->error) {
		char *msg = textsafe_redact_urls(st->error->message);
		if (st->error->http_status)
			add(d, "Error", THEME_STATE_ERROR,
			    xasprintf("%s (HTTP %d)", or_dash(st->error->code), st->error->http_status));
		else
			add(d, "Error", THEME_STATE_ERROR, xstrdup(or_dash(st->error->code)));
		if (msg && *msg)
			add(d, NULL, THEME_STATE_ERROR, msg);
		else
			free(msg);
	}
	if (st->clock_skew)
		add(d, "Clock skew", THEME_STATE_ERROR,
		    xasprintf("the provider rejected our timestamp (server clock %+ld s from ours): fix the clock",
		              st->skew_seconds));
	if (st->http_status)
		addf(d, "HTTP status", "%d", st->http_status);
	else
		addf(d, "HTTP status", "-");
	addf(d, "Request id", "%s", or_dash(st->request_id));
	if (st->latency_ms >= 0)
		addf(d, "Latency", "%ld ms", st->latency_ms);
	else
		addf(d, "Latency", "-");
	fmt_time(st->refreshed_at, a);
	view_format_age(st->refreshed_at, t->now, age, sizeof(age));
	addf(d, "Refreshed", st->refreshed_at == TIME_NONE ? "%s" : "%s (%s ago)", a, age);
	fmt_time(st->last_good_at, b);
	addf(d, "Last good", "%s", b);
	addf(d, "Credentials", "%s",
	     in->account && in->account->credential_source ? in->account->credential_source : "-");

	if (st->provider_status && cJSON_IsObject(st->provider_status)) {
		const cJSON *it;
		bool first = true;
		cJSON_ArrayForEach(it, st->provider_status) {
			char *v = json_value(it);
			addf(d, first ? "Provider" : NULL, "%s: %s", it->string ? it->string : "?", v);
			free(v);
			first = false;
		}
		if (first)
			addf(d, "Provider", "(empty answer)");
	} else {
		addf(d, "Provider", "-");
	}

	for (size_t i = 0; i < st->n_ca_certs; i++) {
		const struct cert_summary *c = &st->ca_certs[i];
		char label[40];
		snprintf(label, sizeof(label), "CA cert %zu", i + 1);
		fmt_time(c->not_after, a);
		addf(d, label, "%s", or_dash(c->subject));
		addf(d, NULL, "issuer %s", or_dash(c->issuer));
		addf(d, NULL, "not after %s", a);
		addf(d, NULL, "sha256 %s", c->sha256);
	}
	if (st->n_ca_certs == 0)
		addf(d, "CA certs", "none inspected yet");
	if (st->ca_certs_from) {
		char *u = textsafe_redact_url(st->ca_certs_from);
		addf(d, NULL, "from %s", u);
		free(u);
	}
	if (st->download) {
		fmt_time(st->download->at, a);
		addf(d, "Downloaded", "%s", or_dash(st->download->path));
		addf(d, NULL, "%lld bytes, at %s", st->download->size, a);
		addf(d, NULL, "sha256 %s", st->download->sha256);
	}
	if (engine_download_progress(t->e, in, &got, &total)) {
		if (total > 0)
			addf(d, "Downloading", "%lld of %lld bytes (%lld%%), x cancels", got, total,
			     got * 100 / total);
		else
			addf(d, "Downloading", "%lld bytes so far, x cancels", got);
	}
}

static void free_lines(struct dlines *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].label);
		free(d->v[i].value);
	}
	free(d->v);
}

/* Break a value into pieces of at most cols columns, at a space when one
 * is in the second half of the line, else anywhere (URLs, digests). */
struct piece {
	size_t off, len;
};

static size_t wrap(const wchar_t *w, size_t n, int cols, struct piece **out)
{
	size_t cap = 4, np = 0, pos = 0;
	struct piece *p = xreallocarray(NULL, cap, sizeof(*p));

	if (cols < 1)
		cols = 1;
	if (cols == INT_MAX) {   /* unwrapped: one line per value */
		p[np++] = (struct piece){0, n};
		*out = p;
		return np;
	}
	do {
		size_t fit = textsafe_fit(w + pos, n - pos, cols, NULL);
		size_t take = fit;
		if (fit == 0 && pos < n)
			take = 1;   /* a glyph wider than the pane: show it anyway */
		if (pos + take < n) {
			size_t sp = take;
			while (sp > take / 2 && w[pos + sp] != L' ')
				sp--;
			if (w[pos + sp] == L' ' && sp > take / 2)
				take = sp + 1;
		}
		if (np == cap) {
			cap *= 2;
			p = xreallocarray(p, cap, sizeof(*p));
		}
		/* a break at the space just past a full line: the space is
		 * consumed but not drawn (it would not fit and cost an ellipsis) */
		p[np++] = (struct piece){pos, take > fit && fit ? fit : take};
		pos += take;
	} while (pos < n);
	*out = p;
	return np;
}

void view_detail_draw(struct tui *t)
{
	struct instance *in = t->sel_index < t->f->n_instances ? &t->f->instances[t->sel_index] : NULL;
	struct dlines d = {0};
	int x = t->detail_x, w = t->detail_w, y0, h, vcols;
	char title[256];
	attr_t border = theme_attr(THEME_BORDER);

	if (w <= 0 || t->detail_h <= 1)
		return;
	if (t->detail_x > 0) {
		/* Beside the table: a vertical rule, the title on the first line. */
		attrset(border);
		mvvline(t->detail_y, t->detail_x - 1, ACS_VLINE, t->detail_h);
	}
	y0 = t->detail_y + 1;
	h = t->detail_h - 1;
	vcols = w - LABEL_W - 1;
	if (vcols < 10)
		vcols = 10;
	/* Unwrapped (w): URLs, paths and digests stay whole on one line and
	 * Left/Right scroll them, so nothing is broken mid-token. */
	int wrap_cols = t->detail_raw ? INT_MAX : vcols;

	if (in)
		build(&d, t, in);
	else
		addf(&d, NULL, "nothing selected");

	/* Lay everything out once to know the length, then draw the window. */
	int total = 0;
	for (size_t i = 0; i < d.n; i++) {
		size_t n;
		if (d.v[i].whole) {
			total++;
			continue;
		}
		wchar_t *wv = textsafe_wide(d.v[i].value, &n);
		struct piece *p;
		total += (int)wrap(wv, n, wrap_cols, &p);
		free(p);
		free(wv);
	}
	t->detail_lines = total;
	if (t->detail_scroll > total - h)
		t->detail_scroll = total - h > 0 ? total - h : 0;

	if (t->detail_hscroll < 0 || !t->detail_raw)
		t->detail_hscroll = 0;
	if (total > h)
		snprintf(title, sizeof(title), " %s  lines %d-%d of %d, J/K scroll%s ",
		         in ? in->name : "", t->detail_scroll + 1,
		         t->detail_scroll + h < total ? t->detail_scroll + h : total, total,
		         t->detail_raw ? ", unwrapped: Left/Right, w wraps" : "");
	else
		snprintf(title, sizeof(title), " %s%s ", in ? in->name : "",
		         t->detail_raw ? "  unwrapped: Left/Right, w wraps" : "");
	{
		size_t tn;
		wchar_t *tw = textsafe_wide(title, &tn);
		int tcols = textsafe_width(tw, tn);
		if (tcols > w - 2)
			tcols = w - 2;
		attrset(border);
		mvhline(t->detail_y, x, ACS_HLINE, w);
		ui_put_wide(t->detail_y, x + 1, tcols, tw, tn, theme_attr(THEME_DETAIL_LABEL));
		free(tw);
	}

	int line = 0, y = y0;
	for (size_t i = 0; i < d.n && y < y0 + h; i++) {
		size_t n;
		wchar_t *wv = textsafe_wide(d.v[i].value, &n);
		if (d.v[i].whole) {
			/* ui_put_wide cuts with an ellipsis when it does not fit */
			if (line++ >= t->detail_scroll)
				ui_put_wide(y++, x, w, wv, n, theme_attr(d.v[i].elem));
			free(wv);
			continue;
		}
		struct piece *p;
		size_t np = wrap(wv, n, wrap_cols, &p);

		for (size_t k = 0; k < np && y < y0 + h; k++, line++) {
			if (line < t->detail_scroll)
				continue;
			ui_put(y, x, LABEL_W, k == 0 && d.v[i].label ? d.v[i].label : "",
			       theme_attr(THEME_DETAIL_LABEL));
			ui_blank(y, x + LABEL_W, 1, theme_attr(THEME_DETAIL));
			size_t off = p[k].off, len = p[k].len;
			if (t->detail_raw) {
				/* Skip hscroll columns, never half a wide glyph. */
				size_t skip = textsafe_fit(wv + off, len, t->detail_hscroll, NULL);
				off += skip;
				len -= skip;
			}
			ui_put_wide(y, x + LABEL_W + 1, w - LABEL_W - 1, wv + off, len,
			            theme_attr(d.v[i].elem));
			y++;
		}
		free(p);
		free(wv);
	}
	for (; y < y0 + h; y++)
		ui_blank(y, x, w, theme_attr(THEME_DETAIL));
	free_lines(&d);
}
