#include "engine/credfetch.h"

bool credfetch_applies(const struct account *a)
{
	return a->auth == AUTH_INSTANCE_ROLE || a->auth == AUTH_ASSUME_ROLE;
}

/* Seconds the current keys live in all, as far as we know. */
static long long lifetime(const struct cred_state *cs)
{
	return (long long)cs->a->credential_expires - (long long)cs->fetched_at;
}

static long long part_of_life(const struct cred_state *cs, long long cap, int div)
{
	long long life = lifetime(cs);

	if (life > 0 && life / div < cap)
		return life / div > 1 ? life / div : 1;
	return cap;
}

bool credfetch_usable(const struct cred_state *cs, time_t now)
{
	const struct account *a = cs->a;

	if (!a->cred.id || !a->cred.secret || cs->stale)
		return false;
	return a->credential_expires == 0 ||
	       (long long)now < (long long)a->credential_expires - part_of_life(cs, CREDFETCH_SAFETY_S, 8);
}

bool credfetch_renew_due(const struct cred_state *cs, time_t now)
{
	const struct account *a = cs->a;

	if (!a->cred.id || cs->stale)
		return true;
	if (a->credential_expires == 0 || cs->renew_same)
		return false;
	return (long long)now >= (long long)a->credential_expires -
	                         part_of_life(cs, CREDFETCH_RENEW_AHEAD_S, 3);
}

void credfetch_got(struct cred_state *cs, time_t expires, bool same, time_t now)
{
	cs->a->credential_expires = expires;
	cs->gen++;
	cs->stale = false;
	cs->renew_same = same;
	if (!same)
		cs->fetched_at = now;
}

void credfetch_park(struct cred_state *cs, struct sched_job *j)
{
	j->next = NULL;
	if (cs->parked_tail)
		cs->parked_tail->next = j;
	else
		cs->parked = j;
	cs->parked_tail = j;
	cs->n_parked++;
}

struct sched_job *credfetch_unpark(struct cred_state *cs)
{
	struct sched_job *j = cs->parked;

	if (!j)
		return NULL;
	cs->parked = j->next;
	if (!cs->parked)
		cs->parked_tail = NULL;
	cs->n_parked--;
	j->next = NULL;
	return j;
}
