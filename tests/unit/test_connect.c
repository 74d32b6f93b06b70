/* The connect line: exact text per client, NULL instead of a placeholder,
 * and a round trip through a real shell for paths with spaces, quotes, $
 * and ! (the words a shell hands the client must be the intended ones). */
#include "core/connect.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *line(const char *proto, const char *host, int port, const char *name,
                  const char *dial, const char *ca)
{
	struct connect_spec s = {.protocol = proto, .host = host, .port = port,
	                         .verify_name = name, .dial_host = dial, .ca_file = ca};
	return connect_line(&s);
}

static void is_line(char *got, const char *want, const char *name)
{
	is_str(got, want, name);
	free(got);
}

/* The words /bin/sh makes of the line's arguments, one per line, each
 * as [word]: the client is replaced by a function printing its argv. */
static char *shell_words(const char *cmdline)
{
	const char *sp = strchr(cmdline, ' ');
	char script[4096], out[4096];
	size_t n;

	snprintf(script, sizeof(script), "f() { for a in \"$@\"; do printf '[%%s]\\n' \"$a\"; done; }; f%s",
	         sp ? sp : "");
	FILE *tmp = tmpfile();
	if (!tmp)
		return NULL;
	fputs(script, tmp);
	rewind(tmp);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "sh /dev/stdin <&%d", fileno(tmp));
	FILE *p = popen(cmd, "r");
	if (!p) {
		fclose(tmp);
		return NULL;
	}
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	fclose(tmp);
	return strdup(out);
}

int main(void)
{
	const char *ca = "/var/lib/tlsfleet/it's a $HOME `x` \"dir\"!/ca.pem";
	char *l;

	/* the plain cases, as the man page shows them */
	is_line(line("redis", "r-1.example.com", 6379, NULL, NULL, "/d/ca.pem"),
	        "redis-cli --tls --cacert '/d/ca.pem' -h r-1.example.com -p 6379",
	        "redis: plain");
	is_line(line("dcs", "10.0.0.5", 6379, "dcs.example.com", NULL, "/d/ca.pem"),
	        "redis-cli --tls --cacert '/d/ca.pem' -h 10.0.0.5 -p 6379 --sni dcs.example.com",
	        "dcs: dial an address other than the verified name adds --sni");
	is_line(line("postgres", "pg.example.com", 5432, NULL, NULL, "/d/ca.pem"),
	        "psql \"host=pg.example.com port=5432 sslmode=verify-full sslrootcert='/d/ca.pem'\"",
	        "postgres: plain");
	is_line(line("postgres", "pg.example.com", 5432, NULL, "10.1.2.3", "/d/ca.pem"),
	        "psql \"host=pg.example.com hostaddr=10.1.2.3 port=5432 sslmode=verify-full "
	        "sslrootcert='/d/ca.pem'\"",
	        "postgres: dial an IP: hostaddr, name still verified");
	is_line(line("postgres", "pg.example.com", 5432, NULL, "tunnel.local", "/d/ca.pem"),
	        "psql \"host=tunnel.local port=5432 sslmode=verify-ca sslrootcert='/d/ca.pem'\"",
	        "postgres: dial a name: psql cannot verify another name, verify-ca");
	is_line(line("mysql", "my.example.com", 3306, NULL, NULL, "/d/ca.pem"),
	        "mysql --ssl-mode=VERIFY_IDENTITY --ssl-ca='/d/ca.pem' -h my.example.com -P 3306",
	        "mysql: plain");
	is_line(line("mariadb", "my.example.com", 3306, NULL, NULL, "/d/ca.pem"),
	        "mariadb --ssl-verify-server-cert --ssl-ca='/d/ca.pem' -h my.example.com -P 3306",
	        "mariadb: plain");
	is_line(line("mongodb", "mg.example.com", 27017, NULL, NULL, "/d/ca.pem"),
	        "mongosh --tls --tlsCAFile '/d/ca.pem' --host mg.example.com --port 27017",
	        "mongodb: plain");
	struct connect_spec fwd = {.protocol = "redis", .host = "r.example.com", .port = 6379,
	                           .dial_host = "127.0.0.1", .dial_port = 16379,
	                           .ca_file = "/d/ca.pem"};
	is_line(connect_line(&fwd),
	        "redis-cli --tls --cacert '/d/ca.pem' -h 127.0.0.1 -p 16379 --sni r.example.com",
	        "a port-forward: dial address and port, SNI the name");

	/* never a placeholder */
	is_line(line("redis", NULL, 6379, NULL, NULL, "/d/ca.pem"), NULL, "no host: NULL");
	is_line(line("redis", "", 6379, NULL, NULL, "/d/ca.pem"), NULL, "empty host: NULL");
	is_line(line("redis", "h", 0, NULL, NULL, "/d/ca.pem"), NULL, "no port: NULL");
	is_line(line("redis", "h", 70000, NULL, NULL, "/d/ca.pem"), NULL, "bad port: NULL");
	is_line(line("ftp", "h", 21, NULL, NULL, "/d/ca.pem"), NULL, "no client: NULL");
	is_line(line("redis", "h", 1, NULL, NULL, "/d/\nca.pem"), NULL,
	        "a control character in the path: NULL");
	is_line(line("redis", "h", 6379, NULL, NULL, NULL),
	        "redis-cli --tls -h h -p 6379", "no CA file: no --cacert");

	/* hostile paths and hosts, quoted for the shell */
	is_line(line("redis", "h", 6379, NULL, NULL, "/a b/it's/ca.pem"),
	        "redis-cli --tls --cacert '/a b/it'\\''s/ca.pem' -h h -p 6379",
	        "redis: a quote in the path");
	is_line(line("redis", "h;rm -rf x", 6379, NULL, NULL, "/ca"),
	        "redis-cli --tls --cacert '/ca' -h 'h;rm -rf x' -p 6379",
	        "a host with shell syntax is quoted");
	is_line(line("postgres", "h", 5432, NULL, NULL, "/a b/it's $x/ca.pem"),
	        "psql \"host=h port=5432 sslmode=verify-full sslrootcert='/a b/it\\\\'s \\$x/ca.pem'\"",
	        "postgres: libpq escapes inside, shell escapes outside");

	/* what a shell makes of them */
	l = line("redis", "h", 6379, NULL, NULL, ca);
	char *w = shell_words(l);
	is_str(w, "[--tls]\n[--cacert]\n[/var/lib/tlsfleet/it's a $HOME `x` \"dir\"!/ca.pem]\n"
	          "[-h]\n[h]\n[-p]\n[6379]\n", "redis: the shell hands redis-cli the path as is");
	free(w);
	free(l);

	l = line("mysql", "h", 3306, NULL, NULL, ca);
	w = shell_words(l);
	is_str(w, "[--ssl-mode=VERIFY_IDENTITY]\n"
	          "[--ssl-ca=/var/lib/tlsfleet/it's a $HOME `x` \"dir\"!/ca.pem]\n"
	          "[-h]\n[h]\n[-P]\n[3306]\n", "mysql: the shell hands mysql the path as is");
	free(w);
	free(l);

	l = line("postgres", "h", 5432, NULL, NULL, "/a b/$x `y` \"z\"\\/ca.pem");
	w = shell_words(l);
	is_str(w, "[host=h port=5432 sslmode=verify-full sslrootcert='/a b/$x `y` \"z\"\\\\/ca.pem']\n",
	       "postgres: the shell hands psql libpq's conninfo");
	free(w);
	free(l);

	l = line("postgres", "h", 5432, NULL, NULL, ca);
	ok(l && l[5] == '\'', "postgres: a conninfo with ! goes in single quotes");
	w = shell_words(l);
	is_str(w, "[host=h port=5432 sslmode=verify-full "
	          "sslrootcert='/var/lib/tlsfleet/it\\'s a $HOME `x` \"dir\"!/ca.pem']\n",
	       "postgres: ... and reaches psql intact");
	free(w);
	free(l);
	return done_testing();
}
