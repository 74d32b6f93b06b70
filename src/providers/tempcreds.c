/* Temporary credentials: requests and answers (providers/tempcreds.h). */
#include "providers/tempcreds.h"
#include "core/strbuf.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct provider_ops *ops_of(const struct account *a)
{
	return a->ops ? a->ops : provider_for(a->provider);
}

char *tempcreds_metadata_url(const struct account *a)
{
	const struct provider_roles *r = &ops_of(a)->roles;
	const char *base = a->metadata_endpoint ? a->metadata_endpoint : r->metadata_base;
	size_t n = strlen(base ? base : "");
	struct strbuf sb = STRBUF_INIT;

	while (n && base[n - 1] == '/')
		n--;
	strbuf_add(&sb, base ? base : "", n);
	for (const char *p = r->metadata_path ? r->metadata_path : ""; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			strbuf_adds(&sb, a->role_name ? a->role_name : "");
			p++;
		} else {
			strbuf_addc(&sb, *p);
		}
	}
	return strbuf_steal(&sb);
}

char *tempcreds_sts_base(const struct account *a)
{
	const char *base = a->sts_endpoint ? a->sts_endpoint : ops_of(a)->roles.sts_base;

	return xstrdup(base ? base : "");
}

/* ---- answers ---------------------------------------------------------------- */

static const cJSON *json_path(const cJSON *root, const char *path)
{
	char name[64];
	const cJSON *j = root;

	if (!path)
		return NULL;
	while (j && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(name))
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		j = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, name) : NULL;
		path += n + (path[n] == '.');
	}
	return j;
}

static const char *json_path_str(const cJSON *root, const char *path)
{
	const cJSON *j = json_path(root, path);

	return cJSON_IsString(j) && j->valuestring && *j->valuestring ? j->valuestring : NULL;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void json_wipe(cJSON *j)
{
	for (; j; j = j->next) {
		if (cJSON_IsString(j) && j->valuestring)
			explicit_bzero(j->valuestring, strlen(j->valuestring));
		json_wipe(j->child);
	}
}

/* A printable copy of a code or message from the answer, cut short. */
static char *shown(const char *s)
{
	char buf[161];
	size_t n = 0;

	for (; s && *s && n < sizeof(buf) - 1; s++)
		buf[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	buf[n] = '\0';
	return xstrdup(buf);
}

int tempcreds_parse(const struct provider_cred_answer *k, const struct http_response *resp,
                    struct credentials *out, time_t *expires, char **code, char **err)
{
	memset(out, 0, sizeof(*out));
	*expires = 0;
	if (code)
		*code = NULL;
	cJSON *root = resp->body_len ? cJSON_ParseWithLength(resp->body, resp->body_len) : NULL;
	const char *ecode = root ? json_path_str(root, k->error_code) : NULL;
	const char *emsg = root ? json_path_str(root, k->error_message) : NULL;
	const char *id = root ? json_path_str(root, k->id) : NULL;
	const char *secret = root ? json_path_str(root, k->secret) : NULL;
	const char *token = root ? json_path_str(root, k->token) : NULL;
	const cJSON *ex = root ? json_path(root, k->expires) : NULL;
	int rc = -1;

	if (ecode || resp->status < 200 || resp->status >= 300) {
		char *c = shown(ecode ? ecode : "");
		char *m = shown(emsg ? emsg : "");
		*err = xasprintf("HTTP %ld%s%s%s%s", resp->status, *c ? " " : "", c, *m ? ": " : "", m);
		if (code && *c)
			*code = xstrdup(c);
		free(c);
		free(m);
	} else if (!cJSON_IsObject(root)) {
		*err = xstrdup("the answer is not a JSON object");
	} else if (!id || !secret || !token) {
		*err = xasprintf("the answer has no %s", !id ? k->id : !secret ? k->secret : k->token);
	} else if (has_control(id) || has_control(secret) || has_control(token)) {
		*err = xstrdup("the answer's keys contain a control character");
	} else {
		if (cJSON_IsNumber(ex) && ex->valuedouble > 0 && ex->valuedouble < 1e15)
			*expires = (time_t)ex->valuedouble;
		else if (cJSON_IsString(ex) && !timefmt_parse_iso8601(ex->valuestring, expires))
			*expires = 0;
		if (*expires == TIME_NONE)
			*expires = 0;
		out->id = xstrdup(id);
		out->secret = xstrdup(secret);
		out->token = xstrdup(token);
		rc = 0;
	}
	json_wipe(root);
	cJSON_Delete(root);
	return rc;
}

bool tempcreds_token_expired(const struct provider_ops *ops, const char *code)
{
	return code && ops->roles.token_expired && provider_code_in(code, ops->roles.token_expired);
}

/* ---- AssumeRole ----------------------------------------------------------------- */

static int duration_of(const struct account *a)
{
	return a->duration > 0 ? a->duration : TEMPCREDS_DURATION_DEFAULT;
}

static const char *session_of(const struct account *a)
{
	return a->role_session_name ? a->role_session_name : TEMPCREDS_SESSION_DEFAULT;
}

static void json_quote(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addc(sb, (char)c);
	}
	strbuf_addc(sb, '"');
}

void tempcreds_tencent_assume_role(const struct account *a, const char *base_url, const char *region,
                                   const struct sign_context *ctx, struct http_request *out)
{
	struct strbuf body = STRBUF_INIT;

	strbuf_adds(&body, "{\"RoleArn\":");
	json_quote(&body, a->role_arn ? a->role_arn : "");
	strbuf_adds(&body, ",\"RoleSessionName\":");
	json_quote(&body, session_of(a));
	strbuf_addf(&body, ",\"DurationSeconds\":%d}", duration_of(a));
	/* STS is a regional API like the others; any region answers. */
	provider_tencent_request(base_url, "sts", "AssumeRole", "2018-08-13",
	                         region && *region ? region : "ap-guangzhou", strbuf_str(&body),
	                         &a->base, ctx->now, out);
	strbuf_free(&body);
}

void tempcreds_alibaba_assume_role(const struct account *a, const char *base_url, const char *region,
                                   const struct sign_context *ctx, struct http_request *out)
{
	char duration[16];

	(void)region;
	snprintf(duration, sizeof(duration), "%d", duration_of(a));
	const struct sign_kv params[] = {
		{"DurationSeconds", duration},
		{"RoleArn", a->role_arn ? a->role_arn : ""},
		{"RoleSessionName", session_of(a)},
	};
	provider_alibaba_request(base_url, "POST", "AssumeRole", "2015-04-01", params, 3, &a->base,
	                         ctx, out);
}
