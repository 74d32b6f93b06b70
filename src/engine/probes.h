/* Live TLS probes run by the engine: a queue of instances to probe, at
 * most PROBES_MAX_IN_FLIGHT probes on the wire, their descriptors for the
 * loop's poll, and each outcome written into the instance's st.probe. No
 * curl: engine.c adds probes_fds() to curl_multi_poll's extra descriptors
 * and calls probes_step() from engine_perform().
 *
 * Which CA a probe trusts: the instance's downloaded ca.pem when it is
 * readable, else the PEM of the CA file fetched this run for its cert_url
 * (probes_remember_pem(), kept per URL without its query); neither gives
 * no_ca. The engine fetches the CA file first when it can (engine.c).
 *
 * Ownership: struct probes owns its queue, the running struct probe and
 * the PEM strings; instances belong to the fleet (marked with
 * PENDING_PROBE while queued or running). */
#ifndef TLSFLEET_PROBES_H
#define TLSFLEET_PROBES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/fleet.h"
#include "core/strmap.h"
#include "probe/probe.h"

/* Handshakes are ~2 ms of CPU each (ARCHITECTURE.md): 16 at once keep a
 * loopback server at its rate while one perform round stays short. */
#define PROBES_MAX_IN_FLIGHT 16

struct probe_run;

struct probes {
	struct fleet *fleet;
	struct instance **queue;     /* FIFO: head..len */
	size_t head, len, cap;
	struct probe_run *flight;    /* PROBES_MAX_IN_FLIGHT slots */
	size_t in_flight;
	size_t cursor;               /* round robin over the running probes */
	struct strmap pem;           /* URL without query -> PEM (owned, in pems) */
	char **pems;
	size_t n_pems;
};

void probes_init(struct probes *pr, struct fleet *f);
void probes_free(struct probes *pr);

/* The probe protocol of in, from providers/protocol.h ("mariadb" is the
 * MySQL protocol); false when it has none: SQL Server, an engine not known
 * yet. out may be NULL. */
bool probes_protocol(const struct instance *in, enum probe_proto *out);
/* Queue a probe of in; false when one is already queued or running, or
 * in has no protocol (probes_protocol). */
bool probes_request(struct probes *pr, struct instance *in);
/* Whether a CA for probing in is at hand (ca.pem on disk or a PEM kept). */
bool probes_have_ca(const struct probes *pr, const struct instance *in);
/* Keep the certificates of a fetched CA file (url as given) for probing. */
void probes_remember_pem(struct probes *pr, const char *url, const unsigned char *data, size_t len);

/* Start what the cap allows, advance the running probes, finish the done
 * ones into their instance, until deadline_ns (pacer_now_ns() clock).
 * Calls done(ud, in) per finished probe. Returns the number finished. */
size_t probes_step(struct probes *pr, int64_t deadline_ns,
                   void (*done)(void *ud, struct instance *in), void *ud);
/* Descriptors of running probes: fds[i] with events[i] (1 read, 2 write);
 * returns how many were written (at most max). */
size_t probes_fds(const struct probes *pr, int *fds, int *events, size_t max);
/* Milliseconds until the first running probe times out; -1 when none run
 * (0 when probes are queued and a slot is free). */
long probes_next_ms(const struct probes *pr);
bool probes_busy(const struct probes *pr);
size_t probes_queued(const struct probes *pr);

#endif
