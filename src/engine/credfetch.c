#include "engine/credfetch.h"

bool credfetch_applies(const struct account *a)
{
	return a->auth == AUTH_INSTANCE_ROLE || a->auth == AUTH_ASSUME_ROLE;
}

bool credfetch_usable(const struct cred_state *cs, time_t now)
{
	const struct account *a = cs->a;

	if (!a->cred.id || !a->cred.secret || cs->stale)
		return false;
	return a->credential_expires == 0 || now < a->credential_expires - CREDFETCH_SAFETY_S;
}

bool credfetch_renew_due(const struct cred_state *cs, time_t now)
{
	const struct account *a = cs->a;

	if (!a->cred.id || cs->stale)
		return true;
	if (a->credential_expires == 0)
		return false;
	long long ahead = CREDFETCH_RENEW_AHEAD_S;
	long long life = (long long)a->credential_expires - (long long)cs->fetched_at;
	if (life > 0 && life / 3 < ahead)
		ahead = life / 3;
	return (long long)now >= (long long)a->credential_expires - ahead;
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
