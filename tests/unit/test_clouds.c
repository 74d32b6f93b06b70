/* The cloud table: every descriptor and service row carries what the rest
 * of the program asks about it, so a new cloud or service cannot be half
 * described. */
#include "tap.h"
#include "providers/provider.h"
#include "providers/listing.h"

#include <string.h>

static const char *nz(const char *s)
{
	return s ? s : "(null)";
}

int main(void)
{
	int n_services = 0;

	for (int p = 0; p < PROVIDER_COUNT; p++) {
		const struct provider_ops *ops = provider_for((enum provider_kind)p);
		const char *name = provider_kind_name((enum provider_kind)p);

		if (!ok(ops != NULL, "cloud %d has a descriptor", p))
			continue;
		is_str(ops->name, name, "descriptor name is the table's");
		ok(ops->kind == (enum provider_kind)p, "%s: kind matches its row", name);
		ok(ops->title && *ops->title && ops->full_title && *ops->full_title && ops->help_title &&
		   *ops->help_title, "%s: titles", name);
		ok(ops->inline_keys[0] && ops->inline_keys[1] && ops->inline_keys[2] &&
		   strcmp(ops->inline_keys[0], ops->inline_keys[1]) != 0,
		   "%s: inline credential keys id/secret/token", name);
		ok(ops->env.id && ops->env.secret && ops->env.token[0], "%s: environment variables", name);
		ok(ops->files[0].format != CRED_FILE_NONE && ops->files[0].path &&
		   ops->files[0].path[0] == '~', "%s: a credential file under home", name);
		for (int f = 0; f < PROVIDER_FILES_MAX && ops->files[f].format != CRED_FILE_NONE; f++) {
			const struct provider_cred_file *cf = &ops->files[f];
			ok(cf->id && cf->secret && (cf->format != CRED_FILE_INI || cf->section) &&
			   (cf->format != CRED_FILE_JSON_PROFILES || (cf->what && cf->kind_key && cf->token)) &&
			   (!cf->kind_key || (cf->kind_values[0] && cf->kind_values[1])),
			   "%s: credential file %s is fully described", name, nz(cf->path));
		}
		for (int s = 0; s < PROVIDER_SETTINGS_MAX && ops->settings[s].key; s++) {
			const struct provider_setting *st = &ops->settings[s];
			ok(st->kind != SETTING_CHOICE || st->choices[0], "%s: setting %s has a default", name,
			   st->key);
			ok(!st->required || ops->env.project_id, "%s: required %s can come from the environment",
			   name, st->key);
		}
		ok(ops->default_endpoint && ops->build_request && ops->parse_response,
		   "%s: request builder and parser", name);

		int offered = 0;
		for (int k = 0; k < SERVICE_COUNT; k++) {
			const struct provider_service *svc = provider_service((enum provider_kind)p,
			                                                      (enum service_kind)k);
			if (!svc) {
				ok(!provider_supports(ops, (enum service_kind)k), "%s does not offer %s", name,
				   service_kind_name((enum service_kind)k));
				continue;
			}
			offered++;
			n_services++;
			const char *sn = service_kind_name((enum service_kind)k);
			ok(provider_supports(ops, (enum service_kind)k), "%s offers %s", name, sn);
			ok(svc->cloud == (enum provider_kind)p && svc->kind == (enum service_kind)k,
			   "%s/%s: row matches", name, sn);
			ok(svc->status_action && *svc->status_action, "%s/%s: status action %s", name, sn,
			   nz(svc->status_action));
			ok(svc->signing_service && *svc->signing_service, "%s/%s: signing service %s", name, sn,
			   nz(svc->signing_service));
			ok(svc->version && *svc->version && svc->host && *svc->host,
			   "%s/%s: version and endpoint host", name, sn);
			/* a list action comes with its functions (lists.def), and only then */
			ok(!svc->list_action == !provider_lister(svc->cloud, svc->kind),
			   "%s/%s: list action and list functions together", name, sn);
		}
		ok(offered > 0, "%s offers at least one service", name);
	}
	ok(n_services >= PROVIDER_COUNT, "%d service rows", n_services);
	ok(provider_for(PROVIDER_COUNT) == NULL, "no descriptor past the table");
	return done_testing();
}
