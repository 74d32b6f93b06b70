/* Building the connect line: two quoting layers, the client's own (libpq's
 * conninfo values) inside the shell's. Single quotes are the shell quoting
 * used wherever possible, because nothing inside them is special, not even
 * `!` in an interactive bash that pastes the line. */
#include "core/connect.h"
#include "core/strbuf.h"
#include "core/fleet.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static bool is_ip_literal(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* 'text' with every ' as '\'' */
static void shell_quote(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '\'');
}

/* Host names and addresses are shown bare, as an operator types them,
 * unless something in them means anything to a shell. */
static void shell_word(struct strbuf *sb, const char *s)
{
	bool safe = *s != '\0';

	for (const char *p = s; *p && safe; p++)
		safe = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		              "0123456789._-:@%+=,/", *p) != NULL;
	if (safe)
		strbuf_adds(sb, s);
	else
		shell_quote(sb, s);
}

/* A libpq conninfo value: bare when it is a plain word, else in single
 * quotes with \ and ' escaped by a backslash. */
static void pq_value(struct strbuf *sb, const char *s, bool always_quote)
{
	bool plain = *s != '\0' && !strpbrk(s, " \t'\\");

	if (plain && !always_quote) {
		strbuf_adds(sb, s);
		return;
	}
	strbuf_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '\'');
}

/* The conninfo in double quotes, as libpq's documentation shows it, with
 * $ ` " \ escaped; a conninfo holding `!` goes in single quotes instead,
 * since an interactive bash expands history inside double quotes. */
static void shell_dquote(struct strbuf *sb, const char *s)
{
	if (strchr(s, '!')) {
		shell_quote(sb, s);
		return;
	}
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (strchr("$`\"\\", *s))
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}

static void line_redis(struct strbuf *sb, const struct connect_spec *s, const char *name,
                       const char *dial, int port, bool differ)
{
	strbuf_adds(sb, "redis-cli --tls");
	if (s->ca_file) {
		strbuf_adds(sb, " --cacert ");
		shell_quote(sb, s->ca_file);
	}
	strbuf_adds(sb, " -h ");
	shell_word(sb, dial);
	strbuf_addf(sb, " -p %d", port);
	if (differ && !is_ip_literal(name)) {
		strbuf_adds(sb, " --sni ");
		shell_word(sb, name);
	}
}

static void line_psql(struct strbuf *sb, const struct connect_spec *s, const char *name,
                      const char *dial, int port, bool differ)
{
	struct strbuf ci = STRBUF_INIT;
	bool by_addr = differ && is_ip_literal(dial);

	strbuf_adds(&ci, "host=");
	pq_value(&ci, differ && !by_addr ? dial : name, false);
	if (by_addr) {
		strbuf_adds(&ci, " hostaddr=");
		pq_value(&ci, dial, false);
	}
	strbuf_addf(&ci, " port=%d sslmode=%s", port,
	            differ && !by_addr ? "verify-ca" : "verify-full");
	if (s->ca_file) {
		strbuf_adds(&ci, " sslrootcert=");
		pq_value(&ci, s->ca_file, true);
	}
	strbuf_adds(sb, "psql ");
	shell_dquote(sb, strbuf_str(&ci));
	strbuf_free(&ci);
}

static void line_mysql(struct strbuf *sb, const struct connect_spec *s, const char *dial,
                       int port, bool differ, bool mariadb)
{
	if (mariadb)
		strbuf_adds(sb, differ ? "mariadb --ssl" : "mariadb --ssl-verify-server-cert");
	else
		strbuf_adds(sb, differ ? "mysql --ssl-mode=VERIFY_CA"
		                       : "mysql --ssl-mode=VERIFY_IDENTITY");
	if (s->ca_file) {
		strbuf_adds(sb, " --ssl-ca=");
		shell_quote(sb, s->ca_file);
	}
	strbuf_adds(sb, " -h ");
	shell_word(sb, dial);
	strbuf_addf(sb, " -P %d", port);
}

static void line_mongosh(struct strbuf *sb, const struct connect_spec *s, const char *dial,
                         int port, bool differ)
{
	strbuf_adds(sb, "mongosh --tls");
	if (s->ca_file) {
		strbuf_adds(sb, " --tlsCAFile ");
		shell_quote(sb, s->ca_file);
	}
	strbuf_adds(sb, " --host ");
	shell_word(sb, dial);
	strbuf_addf(sb, " --port %d", port);
	if (differ)
		strbuf_adds(sb, " --tlsAllowInvalidHostnames");
}

char *connect_line(const struct connect_spec *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *proto = s->protocol ? s->protocol : "";
	const char *name = s->verify_name && *s->verify_name ? s->verify_name : s->host;
	const char *dial = s->dial_host && *s->dial_host ? s->dial_host : s->host;
	int port = s->dial_port > 0 ? s->dial_port : s->port;

	if (!s->host || !*s->host || s->port <= 0 || s->port > 65535 || port > 65535)
		return NULL;
	if (has_control(s->host) || has_control(name) || has_control(dial) ||
	    has_control(s->ca_file))
		return NULL;
	bool differ = strcmp(dial, name) != 0;

	if (strcmp(proto, "redis") == 0 || strcmp(proto, "dcs") == 0)
		line_redis(&sb, s, name, dial, port, differ);
	else if (strcmp(proto, "postgres") == 0)
		line_psql(&sb, s, name, dial, port, differ);
	else if (strcmp(proto, "mysql") == 0 || strcmp(proto, "mariadb") == 0)
		line_mysql(&sb, s, dial, port, differ, proto[1] == 'a');
	else if (strcmp(proto, "mongodb") == 0)
		line_mongosh(&sb, s, dial, port, differ);
	else
		return NULL;
	return strbuf_steal(&sb);
}

char *connect_line_of(const struct fleet *f, const struct instance *in)
{
	/* With only the address to dial known (probe_host/probe_port), that
	 * address is the one an operator can reach too. */
	const char *host = instance_connect_host(in);
	int port = instance_connect_port(in);
	struct connect_spec s = {
		.protocol = instance_protocol(f, in, NULL),
		.host = host ? host : in->probe_host,
		.port = port > 0 ? port : in->probe_port,
		.verify_name = in->sni,
		.dial_host = in->probe_host,
		.dial_port = in->probe_port > 0 ? in->probe_port : 0,
		.ca_file = in->probe_ca ? in->probe_ca : in->st.download ? in->st.download->ca_pem : NULL,
	};

	return connect_line(&s);
}
