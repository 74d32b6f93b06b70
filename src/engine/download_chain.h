/* The download chain as a state machine: what a "download the CA file"
 * request does next, step by step, from what is known of the instance.
 *
 *   NEED_LINK ──► FETCHING_STATUS ──► NEED_LINK     (a fresh link first)
 *       │    └──► FETCHING_LINK ──► FETCHING_LINK   (link expired: once more)
 *       │                       └─► FETCHING_FILE
 *       └───────► FETCHING_FILE ──► SAVING ──► DONE
 *   any step ──► FAILED (with a message)
 *
 * The engine runs the steps (queues the API call or the file transfer) and
 * feeds their results back; this file only decides, so the rules (the
 * 30-second link margin, https only, how often a link is asked for) live in
 * one place. No curl.
 *
 * Ownership: a chain owns its strings (dir, url, name_hint); dl_chain_free
 * releases them. Messages returned through char **why are new strings. */
#ifndef TLSFLEET_DOWNLOAD_CHAIN_H
#define TLSFLEET_DOWNLOAD_CHAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "core/fleet.h"
#include "providers/provider.h"

/* A link that expires this close is treated as expired: it could lapse
 * between the answer and the storage host's check. */
#define LINK_MARGIN_S 30
/* How often one download may ask the provider for a link: a link that is
 * already expired when it arrives gets one more chance. */
#define LINK_TRIES_MAX 2

enum dl_state {
	DL_NEED_LINK,        /* decide from what the instance's status says */
	DL_FETCHING_STATUS,  /* a status call, for a fresh link */
	DL_FETCHING_LINK,    /* the provider's certificate-link call */
	DL_FETCHING_FILE,    /* the file itself, url set */
	DL_SAVING,
	DL_DONE,
	DL_FAILED,
};

struct dl_chain {
	enum dl_state state;
	int link_tries;      /* times a link was asked for */
	char *dir;           /* target directory */
	char *url;           /* the file's URL once known */
	char *name_hint;     /* the provider's file name, if it gave one */
};

/* The one 30-second rule: a link expiring at `expires` (TIME_NONE =
 * never) is no longer usable at `now`. */
bool link_expired(time_t expires, time_t now);

/* Where a new download request starts: DL_NEED_LINK (decide at once),
 * DL_FETCHING_STATUS (ask the provider first), or DL_FAILED with *why
 * when it must be refused before it starts. */
enum dl_state dl_chain_begin(const struct instance *in, time_t now, char **why);
/* From NEED_LINK, once the instance's state is known. */
enum dl_state dl_chain_decide(struct dl_chain *c, const struct instance *in, time_t now, char **why);
/* From FETCHING_LINK, with the provider's parsed answer (its link and
 * file name are taken). */
enum dl_state dl_chain_link_answer(struct dl_chain *c, const struct instance *in,
                                   struct provider_result *r, time_t now, char **why);
/* From FETCHING_FILE: save what came (DL_DONE with *msg saying where) or
 * DL_FAILED with *msg. */
enum dl_state dl_chain_save(struct dl_chain *c, struct instance *in, const unsigned char *data,
                            size_t len, char **msg);
void dl_chain_free(struct dl_chain *c);

#endif
