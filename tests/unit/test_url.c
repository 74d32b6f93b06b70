/* URLs through libcurl's parser (engine/url.h): the authority that goes
 * into Host headers and signatures, the Expires of presigned links, the
 * CA cache key, and the URLs hand splitting used to let through. */
#include "engine/url.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void parse_bad(const char *url, const char *want_err, const char *name)
{
	struct url_parts u;
	char *err = NULL;

	ok(url_parse(url, &u, &err) == -1 && err && !u.host && u.port == -1, "rejected: %s", name);
	if (want_err)
		is_str(err, want_err, name);
	ok(!err || !strstr(err, "SEKRIT"), "%s: the reason does not repeat the URL", name);
	free(err);
}

static void test_parse(void)
{
	struct url_parts u;
	char *err = NULL;

	ok(url_parse("HTTPS://user:pw@Host.Example:8443/a/../b%20c?X=1&Expires=5#frag", &u, &err) == 0,
	   "a full URL parses");
	is_str(u.scheme, "https", "scheme in lowercase");
	is_str(u.user, "user", "user");
	is_str(u.password, "pw", "password");
	is_str(u.host, "Host.Example", "host as written");
	is_int(u.port, 8443, "port");
	is_str(u.path, "/a/../b%20c", "path kept as written (dot segments, escapes)");
	is_str(u.query, "X=1&Expires=5", "query without '?'");
	is_str(u.fragment, "frag", "fragment without '#'");
	url_parts_free(&u);

	ok(url_parse("https://h.example", &u, &err) == 0, "host only");
	ok(u.port == -1 && !u.user && !u.password && !u.query && !u.fragment, "nothing else set");
	is_str(u.path, "/", "the path is at least /");
	url_parts_free(&u);

	ok(url_parse("https://[2001:db8::1]:9000/x", &u, &err) == 0, "IPv6 literal parses");
	is_str(u.host, "[2001:db8::1]", "an IPv6 host keeps its brackets");
	is_int(u.port, 9000, "port after an IPv6 literal");
	url_parts_free(&u);

	ok(url_parse("s3://bucket/key?sig=1", &u, &err) == 0, "any scheme is split");
	is_str(u.query, "sig=1", "s3 query");
	url_parts_free(&u);

	parse_bad("https://host:notaport/x", "the port is not a number in 0..65535", "a port that is no number");
	parse_bad("https://host:99999/", "the port is not a number in 0..65535", "a port past 65535");
	parse_bad("https://[2001:db8::zz]/", NULL, "a bad IPv6 literal");
	parse_bad("https://ho st/", NULL, "a space in the host");
	parse_bad("https://u:SEKRIT@h:x/", NULL, "user info and a bad port");
	parse_bad("not a url", NULL, "no scheme");
	parse_bad(NULL, "no URL", "NULL");
}

static void authority_is(const char *url, const char *want, const char *name)
{
	char *s = url_authority(url);

	is_str(s, want, name);
	free(s);
}

static void test_authority(void)
{
	authority_is("https://127.0.0.1:8443/x?y", "127.0.0.1:8443", "authority keeps the port");
	authority_is("https://user:pw@host.example:1/", "host.example:1", "authority drops userinfo");
	authority_is("https://[::1]:9000", "[::1]:9000", "authority of an IPv6 literal");
	authority_is("https://cvm.tencentcloudapi.com", "cvm.tencentcloudapi.com", "no port, no path");
	authority_is("https://h/p?next=https://evil:1/", "h", "a URL in the query is not the authority");
	authority_is("https://h:notaport/", "", "no authority from a URL curl refuses");
}

static void test_query(void)
{
	char *v;

	v = url_query_param("https://b/x?AWSAccessKeyId=K&Expires=1767225600&Signature=S", "Expires");
	is_str(v, "1767225600", "a parameter among others");
	free(v);
	v = url_query_param("https://b/x?X-Expires=1&Expires=2", "Expires");
	is_str(v, "2", "a longer name is another parameter");
	free(v);
	v = url_query_param("https://b/x?Expires=1#Expires=2", "Expires");
	is_str(v, "1", "the fragment is not the query");
	free(v);
	v = url_query_param("https://b/x?a&Expires", "Expires");
	is_str(v, "", "a parameter without '=' is empty");
	free(v);
	ok(url_query_param("https://b/Expires=1", "Expires") == NULL, "the path is not the query");
	ok(url_query_param("https://b/x", "Expires") == NULL, "no query");
	ok(url_query_param("https://b:x/?Expires=1", "Expires") == NULL, "not a URL");
}

static void without_is(const char *url, const char *want, const char *name)
{
	char *s = url_without_query(url);

	is_str(s, want, name);
	free(s);
}

static void test_without_query(void)
{
	without_is("https://h.example/ca/x.zip?sign=SEKRIT&t=1", "https://h.example/ca/x.zip", "query gone");
	without_is("https://h.example/x.zip#frag", "https://h.example/x.zip", "fragment gone");
	without_is("https://h.example/x.zip", "https://h.example/x.zip", "nothing to take away");
	without_is("https://h.example:8443/x?y#z", "https://h.example:8443/x", "port kept");
	without_is("not a url?sig=SEKRIT", "not a url", "not a URL: still cut at '?'");
	ok(url_without_query(NULL) == NULL, "NULL in, NULL out");
}

static void test_https(void)
{
	ok(url_is_https("https://h/x"), "https");
	ok(url_is_https("HTTPS://h/x"), "HTTPS");
	ok(!url_is_https("http://h/x"), "http is not https");
	ok(!url_is_https("ftp://h/x"), "ftp is not https");
	ok(!url_is_https("https://h:notaport/x"), "a bad port is not https");
	ok(!url_is_https(NULL), "NULL");
}

int main(void)
{
	test_parse();
	test_authority();
	test_query();
	test_without_query();
	test_https();
	return done_testing();
}
