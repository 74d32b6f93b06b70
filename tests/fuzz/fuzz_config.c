/* The configuration loader (libconfig syntax, then tlsfleet's validation
 * and credential resolution). The input is the config file; HOME is a
 * scratch directory holding fake credential files and an include file, so
 * the user's own keys are never read. */
#include "fuzz.h"
#include "config/config_load.h"
#include "core/fleet.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char include_text[] =
	"{ name = \"inc-1\"; account = \"tc\"; service = \"redis\"; region = \"ap-guangzhou\";"
	" id = \"crs-inc1\"; },\n";
/* Fake keys: the profiles the seed configs name. */
static const char tencent_ini[] =
	"[default]\nsecret_id = fuzz-id\nsecret_key = fuzz-key\n[prod]\nsecret_id = p\nsecret_key = q\n";
static const char huawei_ini[] =
	"[basic]\nak = fuzz-ak\nsk = fuzz-sk\nproject_id = fuzzproject\n[otc]\nak = a\nsk = b\n";
static const char alibaba_ini[] =
	"[default]\ntype = access_key\naccess_key_id = fuzz-id\naccess_key_secret = fuzz-key\n";

static void setup(void)
{
	const char *dir = fuzz_scratch();
	char *p;

	free(fuzz_write("include-instances.inc", include_text, strlen(include_text), 0600));
	static const char *const sub[] = {"home/.tencentcloud", "home/.huaweicloud",
	                                  "home/.alibabacloud"};
	for (size_t i = 0; i < 3; i++) {
		p = xasprintf("%s/%s", dir, sub[i]);
		mkdir(p, 0700);
		free(p);
	}
	free(fuzz_write("home/.tencentcloud/credentials", tencent_ini, strlen(tencent_ini), 0600));
	free(fuzz_write("home/.huaweicloud/credentials", huawei_ini, strlen(huawei_ini), 0600));
	free(fuzz_write("home/.alibabacloud/credentials", alibaba_ini, strlen(alibaba_ini), 0600));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct fleet f;
	char *err = NULL;

	if (!ready) {
		setup();
		ready = 1;
	}
	char *path = fuzz_write("config", data, size, 0600);
	int rc = config_load(path, &f, &err);
	if (rc == 0) {
		if (err)
			abort();
		for (size_t i = 0; i < f.n_instances; i++)
			if (!f.instances[i].name || !f.instances[i].account)
				abort();
		fleet_free(&f);
	} else if (!err || f.n_instances || f.n_accounts) {
		abort();    /* an error says why and leaves *out empty */
	}
	/* Messages never carry a key from the credential files above (the
	 * input itself may name them, e.g. as a setting name it quotes). */
	if (err && ((strstr(err, "fuzz-key") && !memmem(data, size, "fuzz-key", 8)) ||
	            (strstr(err, "fuzz-sk") && !memmem(data, size, "fuzz-sk", 7))))
		abort();
	free(err);
	free(path);
	return 0;
}
