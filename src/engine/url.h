/* URLs, taken apart by libcurl's URL API (curl_url()) instead of by hand:
 * one parser for the provider endpoints, the config's endpoint setting,
 * the presigned CA links and the engine's CA cache keys, and the same one
 * curl uses when the URL is fetched, so what we check is what gets
 * requested. It rejects what hand splitting let through: a port that is
 * not a number in 0..65535, a bad IPv6 literal, spaces or backslashes in
 * the host.
 *
 * It lives in src/engine/ because that is the one folder allowed to
 * include <curl/curl.h>; this header itself is curl-free, so providers,
 * config and store use it without seeing curl.
 *
 * Ownership: every char * returned, and every field of struct url_parts,
 * is a new string the caller frees (url_parts_free for the struct). */
#ifndef TLSFLEET_URL_H
#define TLSFLEET_URL_H
#include <stdbool.h>

struct url_parts {
	char *scheme;    /* lowercase, e.g. "https" */
	char *user;      /* userinfo name, NULL when none */
	char *password;  /* NULL when none */
	char *host;      /* an IPv6 literal keeps its brackets: "[::1]" */
	int port;        /* the explicit port, -1 when the URL names none */
	char *path;      /* "/" at least; dot segments kept as written */
	char *query;     /* without '?', NULL when none ("" for a bare '?') */
	char *fragment;  /* without '#', NULL when none */
};

/* Split an absolute URL (any scheme, "scheme://host..." form). 0, or -1
 * with *err (new string; says why, never repeats the URL: it may hold a
 * signature) and *out zeroed. */
int url_parse(const char *url, struct url_parts *out, char **err);
void url_parts_free(struct url_parts *p);

/* host[:port] as the Host header wants it (no userinfo). "" when url is
 * not one curl accepts: the request then fails when curl is given it. */
char *url_authority(const char *url);

/* The raw (not percent-decoded) value of the first query parameter called
 * name; NULL when url has no such parameter or is not a URL. */
char *url_query_param(const char *url, const char *name);

/* url without its query and fragment (a presigned query is a bearer token
 * and must never be kept): the CA cache key. NULL in, NULL out. A string
 * curl does not accept is cut at its first '?' or '#' all the same. */
char *url_without_query(const char *url);

/* True when url parses and its scheme is https. */
bool url_is_https(const char *url);

#endif
