/* What the providers share: the cloud and service tables, base URLs, the
 * request and result containers, and the mapping of error answers
 * (tlsfleet(1), "STATES"). */
#include "providers/provider.h"
#include "core/textsafe.h"
#include "core/xalloc.h"
#include "engine/url.h"
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Provider messages are kept verbatim but capped: a hostile or broken
 * answer must not put a megabyte into every screen line and report. */
#define MESSAGE_MAX 4096

static const struct provider_ops *const clouds[PROVIDER_COUNT] = {
#define CLOUD(id, name) [PROVIDER_##id] = &provider_##name,
#include "providers/clouds.def"
#undef CLOUD
};

static const struct provider_service services[] = {
#define KIND(id, name)
#define SERVICE(cloud, kind, status, list, link, signing, version, host) \
	{PROVIDER_##cloud, SERVICE_##kind, status, list, link, signing, version, host},
#include "providers/services.def"
#undef SERVICE
#undef KIND
};

const struct provider_ops *provider_for(enum provider_kind k)
{
	return (unsigned)k < PROVIDER_COUNT ? clouds[k] : NULL;
}

const struct provider_service *provider_service(enum provider_kind cloud, enum service_kind kind)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (services[i].cloud == cloud && services[i].kind == kind)
			return &services[i];
	return NULL;
}

bool provider_supports(const struct provider_ops *ops, enum service_kind kind)
{
	return ops && provider_service(ops->kind, kind) != NULL;
}

const struct provider_service *provider_service_of(const struct instance *in)
{
	return in->account ? provider_service(in->account->provider, in->service) : NULL;
}

bool provider_cert_link_call(const struct instance *in)
{
	const struct provider_service *svc = provider_service_of(in);

	return svc && svc->link_action;
}

static char *strip_trailing_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

char *provider_base_url(const struct instance *in)
{
	const struct account *a = in->account;
	const struct provider_ops *ops;

	if (in->endpoint && *in->endpoint)
		return strip_trailing_slashes(xstrdup(in->endpoint));
	if (a->endpoint && *a->endpoint)
		return strip_trailing_slashes(xstrdup(a->endpoint));
	ops = a->ops ? a->ops : provider_for(a->provider);
	return ops->default_endpoint(a, in);
}

const char *provider_action(const struct instance *in, enum api_call call)
{
	const struct provider_service *svc = provider_service_of(in);
	const char *action = NULL;

	if (svc)
		action = call == CALL_STATUS ? svc->status_action : svc->link_action;
	/* Never NULL: callers use it as a pacing key and in messages. */
	return action ? action : "unsupported";
}

void http_request_free(struct http_request *r)
{
	if (!r)
		return;
	free(r->method);
	free(r->url);
	for (size_t i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

const char *http_request_header(const struct http_request *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

void http_request_add_header(struct http_request *r, const char *name, const char *value)
{
	r->headers = xreallocarray(r->headers, r->n_headers + 1, sizeof(*r->headers));
	r->headers[r->n_headers].name = xstrdup(name);
	r->headers[r->n_headers].value = xstrdup(value);
	r->n_headers++;
}

void provider_result_init(struct provider_result *r)
{
	memset(r, 0, sizeof(*r));
	r->state = STATE_UNKNOWN;
	r->cert_url_expires = TIME_NONE;
	r->cert_expires = TIME_NONE;
	r->addr.port = -1;
}

void provider_result_free(struct provider_result *r)
{
	free(r->cert_url);
	address_free(&r->addr);
	cJSON_Delete(r->provider_status);
	api_error_free(r->error);
	free(r->request_id);
	free(r->file_name);
	free(r->link);
	provider_result_init(r);
}

bool provider_code_matches(const char *code, const char *rule)
{
	size_t n = strlen(rule);

	if (!code)
		return false;
	if (n >= 2 && strcmp(rule + n - 2, ".*") == 0) {
		n -= 2;
		return strncmp(code, rule, n) == 0 && (code[n] == '\0' || code[n] == '.');
	}
	return strcmp(code, rule) == 0;
}

bool provider_code_in(const char *code, const char *const *rules)
{
	for (; rules && *rules; rules++)
		if (provider_code_matches(code, *rules))
			return true;
	return false;
}

/* Where a provider's message starts echoing the signed request: Alibaba
 * answers a bad signature with "... server string to sign is:GET&%2F&
 * AccessKeyId%3D...", and the string to sign holds every signed parameter,
 * a SecurityToken among them. Such a message is kept up to there. */
static const char *const signed_echo[] = {"string to sign", "stringtosign", "canonical request"};

static size_t before_signed_echo(const char *m)
{
	size_t n = strlen(m);

	for (size_t i = 0; i < sizeof(signed_echo) / sizeof(signed_echo[0]); i++) {
		const char *hit = strcasestr(m, signed_echo[i]);
		if (hit && (size_t)(hit - m) < n)
			n = (size_t)(hit - m);
	}
	return n;
}

/* Cut at a UTF-8 character boundary so the message stays valid text, and
 * before any echo of the signed request. */
static char *capped_message(const char *m)
{
	if (!m)
		return NULL;
	size_t n = before_signed_echo(m);
	bool withheld = m[n] != '\0', cut = n > MESSAGE_MAX;

	if (cut) {
		n = MESSAGE_MAX;
		while (n > 0 && ((unsigned char)m[n] & 0xC0) == 0x80)
			n--;
	}
	while (withheld && n > 0 && m[n - 1] == ' ')
		n--;
	return xasprintf("%.*s%s%s", (int)n, m, cut ? "..." : "",
	                 withheld ? " [the request it echoes is withheld]" : "");
}

void provider_result_fail(struct provider_result *r, enum tls_state state, const char *code,
                          const char *message, long http_status)
{
	char *msg = capped_message(message);

	api_error_free(r->error);
	r->error = api_error_new(code, msg, (int)http_status);
	free(msg);
	r->state = state;
}

void provider_result_invalid(struct provider_result *r, long http_status, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	provider_result_fail(r, STATE_ERROR, "InvalidResponse", msg, http_status);
	free(msg);
	r->retry = false;
	r->throttled = false;
	r->clock_skew = false;
}

void provider_map_error(struct provider_result *r, const struct provider_codes *codes,
                        long http_status, const char *code, const char *message)
{
	enum tls_state st = STATE_UNKNOWN;
	char http_code[32], http_message[48];

	if (code && !*code)
		code = NULL;
	/* (a) a listed code decides... */
	if (code) {
		if (provider_code_in(code, codes->unsupported))
			st = STATE_UNSUPPORTED;
		else if (provider_code_in(code, codes->not_found))
			st = STATE_NOT_FOUND;
		else if (provider_code_in(code, codes->auth))
			st = STATE_AUTH_ERROR;
		else if (provider_code_in(code, codes->throttled))
			st = STATE_THROTTLED;
	}
	/* (b) ...else the HTTP status, (c) else error. */
	if (st == STATE_UNKNOWN) {
		switch (http_status) {
		case 204:
			st = STATE_NO_INFO;
			break;
		case 401:
		case 403:
			st = STATE_AUTH_ERROR;
			break;
		case 404:
			st = STATE_NOT_FOUND;
			break;
		case 429:
			st = STATE_THROTTLED;
			break;
		default:
			st = STATE_ERROR;
			break;
		}
	}
	if (!code) {
		snprintf(http_code, sizeof(http_code), "HTTP_%ld", http_status);
		code = http_code;
		if (!message || !*message) {
			snprintf(http_message, sizeof(http_message), "HTTP %ld", http_status);
			message = http_message;
		}
	}
	provider_result_fail(r, st, code, message, http_status);
	r->throttled = st == STATE_THROTTLED;
	r->retry = r->throttled || http_status >= 500 || provider_code_in(code, codes->retry);
	r->clock_skew = provider_code_in(code, codes->clock_skew);
}

const char *provider_json_type(const cJSON *j)
{
	if (!j)
		return "nothing";
	if (cJSON_IsBool(j))
		return "boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsNumber(j))
		return "number";
	if (cJSON_IsString(j))
		return "string";
	if (cJSON_IsArray(j))
		return "array";
	if (cJSON_IsObject(j))
		return "object";
	return "invalid";
}

/* s with every byte that starts no valid UTF-8 sequence replaced by
 * U+FFFD (allocated by cJSON), or NULL when s is valid as it is. */
static char *utf8_repaired(const char *s)
{
	size_t len, bad = 0, k;
	const unsigned char *a = (const unsigned char *)s;
	char *out, *o;

	/* Plain ASCII (nearly every answer) is valid as it is: checked a
	 * byte at a time instead of a character decode per byte. */
	while (*a && *a < 0x80)
		a++;
	if (!*a)
		return NULL;
	len = strlen(s);
	for (size_t i = 0; i < len; i += k ? k : 1)
		if (!(k = textsafe_utf8_next(s + i, len - i, NULL)))
			bad++;
	if (!bad)
		return NULL;
	out = o = cJSON_malloc(len + 2 * bad + 1);
	if (!out)
		die(70, "out of memory");
	for (size_t i = 0; i < len; i += k ? k : 1) {
		if ((k = textsafe_utf8_next(s + i, len - i, NULL))) {
			memcpy(o, s + i, k);
			o += k;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	*o = '\0';
	return out;
}

/* cJSON passes any byte through: an answer's invalid UTF-8 would reach
 * the JSON and CSV reports (making them invalid) and the state file. */
static void json_repair_utf8(cJSON *node)
{
	for (cJSON *c = node; c; c = c->next) {
		char *fixed;
		if (c->string && !(c->type & cJSON_StringIsConst) && (fixed = utf8_repaired(c->string))) {
			cJSON_free(c->string);
			c->string = fixed;
		}
		if (cJSON_IsString(c) && c->valuestring && (fixed = utf8_repaired(c->valuestring))) {
			cJSON_free(c->valuestring);
			c->valuestring = fixed;
		}
		if (c->child)
			json_repair_utf8(c->child); /* cJSON's nesting limit bounds the depth */
	}
}

cJSON *provider_parse_object(const struct http_response *resp, struct provider_result *r)
{
	cJSON *j;
	size_t len = resp->body ? resp->body_len : 0;
	size_t i = 0;
	const char *end = NULL;

	/* Whitespace-only is as empty as nothing. */
	while (i < len && strchr(" \t\r\n", resp->body[i]) && resp->body[i])
		i++;
	if (i == len) {
		provider_result_invalid(r, resp->status, "body: empty (HTTP %ld)", resp->status);
		return NULL;
	}
	/* A NUL byte is never valid JSON, but cJSON skips it as white space
	 * and ends strings at it. */
	j = memchr(resp->body, '\0', len) ? NULL : cJSON_ParseWithLengthOpts(resp->body, len, &end, false);
	/* cJSON stops after the first value: anything but space after it
	 * means the answer is not one JSON document. */
	if (j) {
		size_t used = (size_t)(end - resp->body);

		while (used < len && strchr(" \t\r\n", resp->body[used]) && resp->body[used])
			used++;
		if (used != len) {
			cJSON_Delete(j);
			j = NULL;
		}
	}
	if (!j) {
		provider_result_invalid(r, resp->status, "body: not valid JSON (HTTP %ld)",
		                        resp->status);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		provider_result_invalid(r, resp->status, "body: expected object, got %s",
		                        provider_json_type(j));
		cJSON_Delete(j);
		return NULL;
	}
	json_repair_utf8(j->child);
	return j;
}

int provider_json_string(const cJSON *obj, const char *name, const char **out,
                         struct provider_result *r, long http_status)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = NULL;
	if (!j || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsString(j) || !j->valuestring) {
		provider_result_invalid(r, http_status, "%s: expected string, got %s", name,
		                        provider_json_type(j));
		return -1;
	}
	*out = j->valuestring;
	return 0;
}

int provider_json_bool(const cJSON *obj, const char *name, int *out,
                       struct provider_result *r, long http_status)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = -1;
	if (!j || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsBool(j)) {
		provider_result_invalid(r, http_status, "%s: expected boolean, got %s", name,
		                        provider_json_type(j));
		return -1;
	}
	*out = cJSON_IsTrue(j) ? 1 : 0;
	return 0;
}

char *provider_nonempty(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

bool provider_url_expires(const char *url, time_t *out)
{
	char *v = url ? url_query_param(url, "Expires") : NULL;
	size_t n = v ? strlen(v) : 0;
	bool ok = n > 0 && n <= 12 && strspn(v, "0123456789") == n;

	/* 12 digits reach year 33658: anything longer is no time of ours. */
	if (ok)
		*out = (time_t)strtoll(v, NULL, 10);
	free(v);
	return ok;
}

bool provider_has_credentials(const struct credentials *c)
{
	return c && c->id && *c->id && c->secret && *c->secret;
}

int provider_check_request(const struct instance *in, enum api_call call,
                           const struct credentials *cred, char **err)
{
	const struct account *a = in->account;
	const struct provider_ops *ops = a->ops ? a->ops : provider_for(a->provider);
	const struct provider_service *svc = provider_service_of(in);
	bool call_supported = svc && (call == CALL_STATUS || svc->link_action);

	if (!call_supported) {
		*err = xasprintf("%s: %s has no %s call for service %s", in->name, ops->full_title,
		                 call == CALL_STATUS ? "status" : "certificate-link",
		                 service_kind_name(in->service));
		return -1;
	}
	if (!provider_has_credentials(cred)) {
		*err = xasprintf("%s: no credentials for account %s", in->name, a->name);
		return -1;
	}
	if (!in->region || !*in->region || !in->id || !*in->id) {
		*err = xasprintf("%s: region and id are required", in->name);
		return -1;
	}
	return 0;
}
