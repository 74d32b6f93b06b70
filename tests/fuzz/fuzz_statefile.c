/* The state file loader (state.json, written by us but read back from a
 * disk anyone with the account may edit). What loads must save, and what
 * saves must load back the same. */
#include "fuzz.h"
#include "core/fleet.h"
#include "store/statefile.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const names[] = {"orders-cache", "idle", "orders-db", "a", ""};
static const char *const ids[] = {"crs-2btr9ryn", "crs-idle", "postgres-hf8jo5pr", "x", ""};
#define N_INST (sizeof(names) / sizeof(names[0]))

static void fleet_make(struct fleet *f)
{
	memset(f, 0, sizeof(*f));
	f->instances = xcalloc(N_INST, sizeof(*f->instances));
	f->n_instances = N_INST;
	for (size_t i = 0; i < N_INST; i++) {
		struct instance *in = &f->instances[i];
		in->name = xstrdup(names[i]);
		in->id = xstrdup(ids[i]);
		in->index = i;
		in->warn_days = in->crit_days = in->require_tls = -1;
		instance_status_init(&in->st);
	}
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The fields a save/load round trip keeps. */
static void check_same(const struct fleet *f, const struct fleet *g)
{
	for (size_t i = 0; i < N_INST; i++) {
		const struct instance_status *a = &f->instances[i].st, *b = &g->instances[i].st;
		if (a->n_ca_certs != b->n_ca_certs || !str_eq(a->ca_certs_from, b->ca_certs_from) ||
		    !a->download != !b->download)
			abort();
		for (size_t k = 0; k < a->n_ca_certs; k++) {
			const struct cert_summary *x = &a->ca_certs[k], *y = &b->ca_certs[k];
			if (!str_eq(x->subject, y->subject) || !str_eq(x->issuer, y->issuer) ||
			    x->not_before != y->not_before || x->not_after != y->not_after ||
			    strcmp(x->sha256, y->sha256) != 0)
				abort();
		}
		if (a->download && (!str_eq(a->download->path, b->download->path) ||
		                    a->download->size != b->download->size ||
		                    a->download->at != b->download->at ||
		                    !str_eq(a->download->ca_pem, b->download->ca_pem) ||
		                    !str_eq(a->download->truststore, b->download->truststore) ||
		                    strcmp(a->download->sha256, b->download->sha256) != 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_write("state.json", data, size, 0600);
	char *out = xasprintf("%s/saved/state.json", fuzz_scratch());
	struct fleet f, g;
	char *err = NULL;

	fleet_make(&f);
	int rc = statefile_load(&f, path, &err);
	if ((rc == 0) != (err == NULL))
		abort();
	free(err);
	err = NULL;

	/* Whatever was taken in (damaged entries are skipped, good ones kept)
	 * survives a save and a load unchanged. */
	/* a fresh file: saving merges with what is there (another input's) */
	unlink(out);
	if (statefile_save(&f, out, &err) != 0)
		abort();
	fleet_make(&g);
	if (statefile_load(&g, out, &err) != 0)
		abort();
	check_same(&f, &g);

	fleet_free(&f);
	fleet_free(&g);
	free(out);
	free(path);
	return 0;
}
