#include "report/report.h"
#include "core/strbuf.h"
#include "core/textsafe.h"
#include "core/verdict.h"
#include "core/connect.h"
#include "core/probe_json.h"
#include "report/prometheus.h"
#include "core/jsonprint.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

bool report_format_from_name(const char *name, enum report_format *out)
{
	static const char *const names[] = {"table", "json", "csv", "prometheus"};

	for (int i = 0; i < 4; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum report_format)i;
			return true;
		}
	}
	return false;
}

/* ---- JSON --------------------------------------------------------------- */

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *time_or_null(time_t t)
{
	/* A refresh stamps thousands of instances with the same second: keep
	 * the last one formatted. */
	static time_t last = TIME_NONE;
	static char buf[21];

	if (t == TIME_NONE)
		return cJSON_CreateNull();
	if (t != last) {
		timefmt_iso_utc(t, buf);
		last = t;
	}
	return cJSON_CreateString(buf);
}

static cJSON *int_or_null(long long v, bool known)
{
	return known ? cJSON_CreateNumber((double)v) : cJSON_CreateNull();
}

/* A string that holds a URL and a query or fragment somewhere. The whole
 * string is cut there (textsafe_redact_url), not only its URL: a value
 * like "token?x https://..." is hidden too. */
static bool needs_redaction(const char *s)
{
	return s && strstr(s, "://") && strpbrk(s, "?#");
}

/* Presigned links are bearer tokens: every URL-looking string in the raw
 * provider answer loses its query too. */
static void redact_urls(cJSON *node)
{
	for (cJSON *c = node ? node->child : NULL; c; c = c->next) {
		if (cJSON_IsString(c) && needs_redaction(c->valuestring)) {
			char *r = textsafe_redact_url(c->valuestring);
			cJSON_SetValuestring(c, r);
			free(r);
		} else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			redact_urls(c);
		}
	}
}

/* True when redact_urls() would change something under node. */
static bool has_url_query(const cJSON *node)
{
	for (const cJSON *c = node ? node->child : NULL; c; c = c->next) {
		if (cJSON_IsString(c) && needs_redaction(c->valuestring))
			return true;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && has_url_query(c))
			return true;
	}
	return false;
}

enum status_mode {
	STATUS_BORROW,    /* a reference to the model's tree when nothing needs redacting:
	                   * only for an object printed and deleted at once */
	STATUS_NONE,      /* left out (CSV has no column for it) */
};

static cJSON *instance_json(const struct fleet *f, const struct instance *in, time_t now,
                            enum status_mode mode)
{
	const struct instance_status *st = &in->st;
	cJSON *o = cJSON_CreateObject();
	const char *source = NULL;
	long days = 0;
	char *url = textsafe_redact_url(st->cert_url);

	cJSON_AddStringToObject(o, "name", in->name);
	cJSON_AddStringToObject(o, "account", in->account->name);
	cJSON_AddStringToObject(o, "provider", provider_kind_name(in->account->provider));
	cJSON_AddStringToObject(o, "service", service_kind_name(in->service));
	cJSON_AddStringToObject(o, "region", in->region);
	cJSON_AddStringToObject(o, "instance_id", in->id);
	cJSON_AddStringToObject(o, "state", state_name(st->state));
	cJSON_AddItemToObject(o, "cert_url", str_or_null(url));
	free(url);
	cJSON_AddItemToObject(o, "cert_url_expires", time_or_null(st->cert_url_expires));
	time_t exp = instance_cert_expires(in, &source);
	cJSON_AddItemToObject(o, "cert_expires", time_or_null(exp));
	cJSON_AddItemToObject(o, "cert_expires_source", str_or_null(source));
	bool known = instance_days_left(in, now, &days);
	cJSON_AddItemToObject(o, "days_left", int_or_null(days, known));
	cJSON_AddBoolToObject(o, "expiry_mismatch", instance_expiry_mismatch(in));

	cJSON *addr = cJSON_AddObjectToObject(o, "address");
	cJSON_AddItemToObject(addr, "host", str_or_null(st->addr.host));
	cJSON_AddItemToObject(addr, "ip", str_or_null(st->addr.ip));
	cJSON_AddItemToObject(addr, "ipv6", str_or_null(st->addr.ipv6));
	cJSON_AddItemToObject(addr, "port", int_or_null(st->addr.port, st->addr.port >= 0));
	cJSON_AddItemToObject(addr, "domain", str_or_null(st->addr.domain));

	if (st->provider_status && mode == STATUS_BORROW && cJSON_IsObject(st->provider_status) &&
	    !has_url_query(st->provider_status)) {
		/* Printing a 100k fleet must not copy every answer tree. */
		cJSON_AddItemReferenceToObject(o, "provider_status", st->provider_status);
	} else if (st->provider_status && mode != STATUS_NONE) {
		cJSON *ps = cJSON_Duplicate(st->provider_status, 1);
		redact_urls(ps);
		cJSON_AddItemToObject(o, "provider_status", ps);
	} else {
		cJSON_AddNullToObject(o, "provider_status");
	}
	if (st->error) {
		cJSON *e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", st->error->code);
		cJSON_AddStringToObject(e, "message", st->error->message);
		cJSON_AddItemToObject(e, "http_status",
		                      int_or_null(st->error->http_status, st->error->http_status > 0));
	} else {
		cJSON_AddNullToObject(o, "error");
	}
	cJSON_AddItemToObject(o, "http_status", int_or_null(st->http_status, st->http_status > 0));
	cJSON_AddItemToObject(o, "request_id", str_or_null(st->request_id));
	cJSON_AddItemToObject(o, "latency_ms", int_or_null(st->latency_ms, st->latency_ms >= 0));
	cJSON_AddItemToObject(o, "refreshed_at", time_or_null(st->refreshed_at));
	cJSON_AddItemToObject(o, "last_good_at", time_or_null(st->last_good_at));
	cJSON_AddStringToObject(o, "credential_source",
	                        in->account->credential_source ? in->account->credential_source : "none");
	if (st->download) {
		cJSON *d = cJSON_AddObjectToObject(o, "download");
		cJSON_AddStringToObject(d, "path", st->download->path);
		cJSON_AddNumberToObject(d, "size", (double)st->download->size);
		cJSON_AddStringToObject(d, "sha256", st->download->sha256);
		cJSON_AddItemToObject(d, "at", time_or_null(st->download->at));
		cJSON_AddItemToObject(d, "ca_pem", str_or_null(st->download->ca_pem));
		cJSON_AddItemToObject(d, "truststore", str_or_null(st->download->truststore));
	} else {
		cJSON_AddNullToObject(o, "download");
	}
	cJSON *certs = cJSON_AddArrayToObject(o, "ca_certs");
	for (size_t i = 0; i < st->n_ca_certs; i++) {
		const struct cert_summary *c = &st->ca_certs[i];
		cJSON *cj = cJSON_CreateObject();
		cJSON_AddItemToObject(cj, "subject", str_or_null(c->subject));
		cJSON_AddItemToObject(cj, "issuer", str_or_null(c->issuer));
		cJSON_AddItemToObject(cj, "not_after", time_or_null(c->not_after));
		cJSON_AddStringToObject(cj, "sha256", c->sha256);
		cJSON_AddItemToArray(certs, cj);
	}
	/* Keys added since the first contract, in the order it names them:
	 * discovered, probe and connect, check, credential_expires. */
	cJSON_AddBoolToObject(o, "discovered", in->discovered);
	cJSON_AddItemToObject(o, "probe", probe_status_json(&st->probe, now));
	char *line = connect_line_of(f, in);
	cJSON_AddItemToObject(o, "connect", str_or_null(line));
	free(line);
	char *reason = NULL;
	enum verdict_status vs = verdict_of(f, in, now, &reason);
	cJSON *chk = cJSON_AddObjectToObject(o, "check");
	cJSON_AddStringToObject(chk, "status", verdict_status_name(vs));
	cJSON_AddStringToObject(chk, "reason", reason);
	free(reason);
	cJSON_AddItemToObject(o, "credential_expires",
	                      in->account->credential_expires ? time_or_null(in->account->credential_expires)
	                                                      : cJSON_CreateNull());
	return o;
}

static void list_json(FILE *out, const struct fleet *f, time_t now)
{
	/* Printed one object at a time into one reused buffer: a 100k fleet
	 * never needs one tree, nor a malloc per printed object. */
	struct strbuf sb = STRBUF_INIT;

	fputs("[", out);
	for (size_t i = 0; i < f->n_instances; i++) {
		cJSON *o = instance_json(f, &f->instances[i], now, STATUS_BORROW);
		strbuf_reset(&sb);
		if (jsonprint_append(&sb, o) != 0)
			die(70, "a report entry cannot be printed as JSON");
		fputs(i ? ",\n" : "\n", out);
		fwrite(sb.buf, 1, sb.len, out);
		cJSON_Delete(o);
	}
	strbuf_free(&sb);
	fputs(f->n_instances ? "\n]\n" : "]\n", out);
}

/* ---- CSV ---------------------------------------------------------------- */

static const char *const csv_columns[] = {
	"name", "account", "provider", "service", "region", "instance_id", "state",
	"cert_url", "cert_url_expires", "cert_expires", "cert_expires_source", "days_left",
	"expiry_mismatch", "http_status", "request_id", "latency_ms", "refreshed_at",
	"last_good_at", "credential_source",
	"address.host", "address.ip", "address.ipv6", "address.port", "address.domain",
	"error.code", "error.message", "discovered",
	"probe.result", "probe.leaf.not_after", "probe.leaf.days_left",
	"check.status", "check.reason", "credential_expires",
};

static void csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	char *clean = textsafe_plain(s);
	if (strpbrk(clean, ",\"\r\n")) {
		fputc('"', out);
		for (const char *p = clean; *p; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p, out);
		}
		fputc('"', out);
	} else {
		fputs(clean, out);
	}
	free(clean);
}

static void csv_value(FILE *out, const cJSON *v)
{
	char buf[32];

	if (!v || cJSON_IsNull(v))
		return;
	if (cJSON_IsString(v))
		csv_field(out, v->valuestring);
	else if (cJSON_IsBool(v))
		fputs(cJSON_IsTrue(v) ? "true" : "false", out);
	else if (cJSON_IsNumber(v)) {
		snprintf(buf, sizeof(buf), "%.0f", v->valuedouble);
		fputs(buf, out);
	}
}

static const cJSON *json_path(const cJSON *o, const char *path)
{
	const char *dot = strchr(path, '.');

	if (!dot)
		return cJSON_GetObjectItemCaseSensitive(o, path);
	char head[32];
	snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(o, head);
	return cJSON_IsObject(inner) ? json_path(inner, dot + 1) : NULL;
}

static void list_csv(FILE *out, const struct fleet *f, time_t now)
{
	size_t ncol = sizeof(csv_columns) / sizeof(csv_columns[0]);

	for (size_t c = 0; c < ncol; c++)
		fprintf(out, "%s%s", c ? "," : "", csv_columns[c]);
	fputs("\r\n", out);
	for (size_t i = 0; i < f->n_instances; i++) {
		cJSON *o = instance_json(f, &f->instances[i], now, STATUS_NONE);
		for (size_t c = 0; c < ncol; c++) {
			if (c)
				fputc(',', out);
			csv_value(out, json_path(o, csv_columns[c]));
		}
		fputs("\r\n", out);
		cJSON_Delete(o);
	}
}

/* ---- table -------------------------------------------------------------- */

static int text_width(const char *s)
{
	int w = 0;
	mbstate_t mb;
	wchar_t wc;
	size_t n, len = strlen(s);

	/* Printable ASCII is one column a byte, without a trip through the
	 * locale per character. */
	for (n = 0; n < len && (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f; n++)
		;
	if (n == len)
		return (int)len;
	memset(&mb, 0, sizeof(mb));
	while (len && (n = mbrtowc(&wc, s, len, &mb)) != 0) {
		if (n == (size_t)-1 || n == (size_t)-2) {
			w++;
			s++;
			len--;
			memset(&mb, 0, sizeof(mb));
			continue;
		}
		int cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += n;
		len -= n;
	}
	return w;
}

enum { COL_NAME, COL_KIND, COL_REGION, COL_ID, COL_STATE, COL_EXPIRY, COL_ADDRESS, COL_NOTE, NCOLS };

static char *table_cell(const struct instance *in, int col, time_t now)
{
	const struct instance_status *st = &in->st;
	const char *source;
	char date[21];
	long days;

	switch (col) {
	case COL_NAME:
		return textsafe_plain(in->name);
	case COL_KIND:
		return xasprintf("%s/%s", provider_kind_name(in->account->provider), service_kind_name(in->service));
	case COL_REGION:
		return textsafe_plain(in->region);
	case COL_ID:
		return textsafe_plain(in->id);
	case COL_STATE:
		return xstrdup(state_name(st->state));
	case COL_EXPIRY: {
		time_t exp = instance_cert_expires(in, &source);
		if (exp == TIME_NONE || !instance_days_left(in, now, &days))
			return xstrdup("-");
		timefmt_iso_utc(exp, date);
		return xasprintf("%.10s %5ldd %s", date, days, strcmp(source, "api") == 0 ? "api" : "cert");
	}
	case COL_ADDRESS: {
		const char *h = st->addr.host ? st->addr.host : st->addr.ip;
		if (!h)
			return xstrdup("-");
		char *clean = textsafe_plain(h);
		char *out = st->addr.port >= 0 ? xasprintf("%s:%d", clean, st->addr.port) : xstrdup(clean);
		free(clean);
		return out;
	}
	default:
		if (st->error)
			return textsafe_plain(st->error->code);
		return xstrdup("");
	}
}

static void list_table(FILE *out, const struct fleet *f, time_t now)
{
	static const char *const heads[NCOLS] = {"NAME", "KIND", "REGION", "ID", "STATE",
	                                         "CA EXPIRES", "ADDRESS", "ERROR"};
	int width[NCOLS];
	char **cells = xcalloc(f->n_instances * NCOLS + 1, sizeof(char *));
	int *widths = xcalloc(f->n_instances * NCOLS + 1, sizeof(int));

	for (int c = 0; c < NCOLS; c++)
		width[c] = (int)strlen(heads[c]);
	for (size_t i = 0; i < f->n_instances; i++) {
		for (int c = 0; c < NCOLS; c++) {
			char *cell = table_cell(&f->instances[i], c, now);
			int w = text_width(cell);
			if (w > width[c])
				width[c] = w;
			cells[i * NCOLS + c] = cell;
			widths[i * NCOLS + c] = w;
		}
	}
	for (int c = 0; c < NCOLS; c++)
		fprintf(out, "%s%-*s", c ? "  " : "", c == NCOLS - 1 ? 0 : width[c], heads[c]);
	fputc('\n', out);
	for (size_t i = 0; i < f->n_instances; i++) {
		for (int c = 0; c < NCOLS; c++) {
			char *cell = cells[i * NCOLS + c];
			if (c)
				fputs("  ", out);
			fputs(cell, out);
			if (c < NCOLS - 1)
				for (int pad = width[c] - widths[i * NCOLS + c]; pad > 0; pad--)
					fputc(' ', out);
			free(cell);
		}
		fputc('\n', out);
	}
	free(widths);
	free(cells);
}

void report_list(FILE *out, const struct fleet *f, enum report_format fmt, time_t now)
{
	switch (fmt) {
	case REPORT_JSON:
		list_json(out, f, now);
		break;
	case REPORT_CSV:
		list_csv(out, f, now);
		break;
	case REPORT_PROMETHEUS:
		prometheus_write(out, f, NULL, PROM_TEXT, now);
		break;
	default:
		list_table(out, f, now);
		break;
	}
}

int report_list_exit_code(const struct fleet *f)
{
	for (size_t i = 0; i < f->n_instances; i++)
		if (!state_is_definite(f->instances[i].st.state))
			return 1;
	return 0;
}
