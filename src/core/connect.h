/* The connect line: one shell command an operator can paste to reach an
 * instance the way tlsfleet's probe does (TLS, the instance's CA, the name
 * checked). Pure: strings in, a string out; no I/O.
 *
 *   redis, dcs  redis-cli --tls --cacert '<ca>' -h <dial> -p <port> [--sni <name>]
 *   postgres    psql "host=<name> [hostaddr=<dial>] port=<port> sslmode=verify-full sslrootcert='<ca>'"
 *   mysql       mysql --ssl-mode=VERIFY_IDENTITY --ssl-ca='<ca>' -h <dial> -P <port>
 *   mariadb     mariadb --ssl-verify-server-cert --ssl-ca='<ca>' -h <dial> -P <port>
 *   mongodb     mongosh --tls --tlsCAFile '<ca>' --host <dial> --port <port>
 *
 * <dial> is the address dialled, <name> the name verified. When they
 * differ, redis-cli gets --sni and psql gets hostaddr= (an IP literal);
 * the clients that cannot verify a name other than the one they dial
 * (mysql, mariadb, mongosh, psql with a DNS name to dial) still check the
 * chain where they can (VERIFY_CA, sslmode=verify-ca, --tlsAllowInvalid-
 * Hostnames) but not the name: the probe's result says whether it matches.
 * mariadb's client verifies nothing without --ssl-verify-server-cert,
 * which also checks the name, so its line then only asks for TLS.
 *
 * Ownership: connect_line() returns a new string or NULL. */
#ifndef TLSFLEET_CONNECT_H
#define TLSFLEET_CONNECT_H

struct connect_spec {
	const char *protocol;     /* "redis", "dcs", "postgres", "mysql", "mariadb", "mongodb" */
	const char *host;         /* connect address (address.host) */
	int port;                 /* connect port (address.port) */
	const char *verify_name;  /* name to verify; NULL or "": host */
	const char *dial_host;    /* address to dial when it differs; NULL or "": host */
	int dial_port;            /* port to dial when it differs; 0: port */
	const char *ca_file;      /* the CA file (ca.pem); NULL: the line names none
	                             and the client falls back to its system store */
};

/* NULL when the host or port is unknown (never a placeholder), the
 * protocol has no client, or a value holds a control character (no line
 * with one in it is safe to show or paste). */
char *connect_line(const struct connect_spec *s);

struct fleet;
struct instance;
/* The line for an instance (JSON key "connect", the detail pane, the copy
 * key): the protocol the probe speaks (instance_protocol, core/fleet.h),
 * its connect address (provider's, else the host/port settings),
 * probe_host / probe_port as the address dialled, sni as the name
 * verified, and the downloaded ca.pem when there is one. NULL as above,
 * and when the instance has no protocol (SQL Server, an engine unknown). */
char *connect_line_of(const struct fleet *f, const struct instance *in);

#endif
