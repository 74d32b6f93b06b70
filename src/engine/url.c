#include "engine/url.h"
#include "core/xalloc.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* Any scheme is split (a provider may hand out s3:// or oss:// links);
 * whether it may be fetched is the caller's decision (url_is_https). Dot
 * segments are kept: the path is signed and sent as written. */
#define PARSE_FLAGS (CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS)

static CURLU *parse(const char *url, CURLUcode *rc)
{
	CURLU *h = curl_url();

	if (!h)
		die(70, "out of memory (curl_url)");
	*rc = curl_url_set(h, CURLUPART_URL, url, PARSE_FLAGS);
	if (*rc == CURLUE_OUT_OF_MEMORY)
		die(70, "out of memory (curl_url_set)");
	if (*rc != CURLUE_OK) {
		curl_url_cleanup(h);
		return NULL;
	}
	return h;
}

/* One part as a new string of ours (curl's copy is freed with curl_free),
 * NULL when the URL has none. */
static char *part(CURLU *h, CURLUPart what)
{
	char *v = NULL, *out;
	CURLUcode rc = curl_url_get(h, what, &v, 0);

	if (rc == CURLUE_OUT_OF_MEMORY)
		die(70, "out of memory (curl_url_get)");
	if (rc != CURLUE_OK || !v)
		return NULL;
	out = xstrdup(v);
	curl_free(v);
	return out;
}

/* Our words for why curl refused a URL (curl_url_strerror needs curl
 * 7.80; we build with 7.66). */
static const char *why_not(CURLUcode rc)
{
	switch (rc) {
	case CURLUE_BAD_PORT_NUMBER:
		return "the port is not a number in 0..65535";
	case CURLUE_NO_HOST:
		return "the URL has no host";
	case CURLUE_UNSUPPORTED_SCHEME:
		return "the scheme is not supported";
	default:
		return "not a valid scheme://host[:port]/path URL";
	}
}

int url_parse(const char *url, struct url_parts *out, char **err)
{
	CURLUcode rc;
	CURLU *h;

	memset(out, 0, sizeof(*out));
	out->port = -1;
	if (!url || !(h = parse(url, &rc))) {
		*err = xstrdup(url ? why_not(rc) : "no URL");
		return -1;
	}
	out->scheme = part(h, CURLUPART_SCHEME);
	out->user = part(h, CURLUPART_USER);
	out->password = part(h, CURLUPART_PASSWORD);
	out->host = part(h, CURLUPART_HOST);
	out->path = part(h, CURLUPART_PATH);
	out->query = part(h, CURLUPART_QUERY);
	out->fragment = part(h, CURLUPART_FRAGMENT);
	char *port = part(h, CURLUPART_PORT);
	if (port) {
		/* curl has checked it: decimal, 0..65535 */
		out->port = atoi(port);
		free(port);
	}
	curl_url_cleanup(h);
	return 0;
}

void url_parts_free(struct url_parts *p)
{
	free(p->scheme);
	free(p->user);
	free(p->password);
	free(p->host);
	free(p->path);
	free(p->query);
	free(p->fragment);
	memset(p, 0, sizeof(*p));
	p->port = -1;
}

/* The providers ask for the same base URL's authority on every request
 * (10k requests, a handful of accounts): the last answer is kept. Taking
 * the URL apart costs ~10k instructions (callgrind), a tenth of a
 * request's whole CPU before this. Single-threaded: only the engine's
 * thread builds requests. */
static char *authority_url, *authority_out;

static char *authority_of(const char *url)
{
	CURLUcode rc;
	CURLU *h = parse(url, &rc);
	char *host, *port, *out;

	if (!h)
		return xstrdup("");
	host = part(h, CURLUPART_HOST);
	port = part(h, CURLUPART_PORT);
	curl_url_cleanup(h);
	/* curl has checked the port: decimal, 0..65535 */
	out = port ? xasprintf("%s:%d", host ? host : "", atoi(port)) : xstrdup(host ? host : "");
	free(host);
	free(port);
	return out;
}

char *url_authority(const char *url)
{
	if (!url)
		return xstrdup("");
	/* Keyed by "scheme://authority" alone: requests to one host with other
	 * paths and queries share the entry, and a signed query (an Alibaba
	 * Signature, a SecurityToken) is never kept. */
	const char *sep = strstr(url, "://");
	size_t n = sep ? (size_t)(sep + 3 - url) + strcspn(sep + 3, "/?#") : strlen(url);
	if (!authority_url || strlen(authority_url) != n || strncmp(authority_url, url, n) != 0) {
		free(authority_url);
		free(authority_out);
		authority_url = xstrndup(url, n);
		authority_out = authority_of(authority_url);
	}
	return xstrdup(authority_out);
}

char *url_query_param(const char *url, const char *name)
{
	CURLUcode rc;
	CURLU *h;
	char *query, *out = NULL;
	size_t len = strlen(name);

	if (!url || !(h = parse(url, &rc)))
		return NULL;
	query = part(h, CURLUPART_QUERY);
	curl_url_cleanup(h);
	/* curl hands the query over whole; its '&'-separated pairs are ours
	 * to split (the URL API parses no parameters). */
	for (const char *p = query; p && *p && !out; p += strcspn(p, "&"), p += *p == '&') {
		size_t n = strcspn(p, "&");
		if (n > len && strncmp(p, name, len) == 0 && p[len] == '=')
			out = xstrndup(p + len + 1, n - len - 1);
		else if (n == len && strncmp(p, name, len) == 0)
			out = xstrdup("");
	}
	free(query);
	return out;
}

char *url_without_query(const char *url)
{
	CURLUcode rc;
	CURLU *h;
	char *out;

	if (!url)
		return NULL;
	if (!(h = parse(url, &rc)))
		return xstrndup(url, strcspn(url, "?#"));
	if (curl_url_set(h, CURLUPART_QUERY, NULL, 0) == CURLUE_OUT_OF_MEMORY ||
	    curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OUT_OF_MEMORY)
		die(70, "out of memory (curl_url_set)");
	out = part(h, CURLUPART_URL);
	curl_url_cleanup(h);
	return out ? out : xstrndup(url, strcspn(url, "?#"));
}

bool url_is_https(const char *url)
{
	struct url_parts u;
	char *err = NULL;
	bool https;

	if (!url || url_parse(url, &u, &err) != 0) {
		free(err);
		return false;
	}
	https = strcmp(u.scheme, "https") == 0;
	url_parts_free(&u);
	return https;
}
