/* The credential files: Tencent and Huawei INI, Alibaba's INI and the
 * aliyun CLI's config.json. Byte 0 picks the provider and file (%4) and
 * the profile (/4 %4); the rest is the file. */
#include "fuzz.h"
#include "config/credentials.h"
#include "core/fleet.h"
#include "providers/provider.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	enum provider_kind provider;
	const char *dir, *file;
} kinds[4] = {
	{PROVIDER_TENCENT, "home/.tencentcloud", "home/.tencentcloud/credentials"},
	{PROVIDER_HUAWEI, "home/.huaweicloud", "home/.huaweicloud/credentials"},
	{PROVIDER_ALIBABA, "home/.alibabacloud", "home/.alibabacloud/credentials"},
	{PROVIDER_ALIBABA, "home/.aliyun", "home/.aliyun/config.json"},
};
static const char *const profiles[4] = {NULL, "default", "prod", "otc"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct account a;
	char *err = NULL;

	if (size < 1)
		return 0;
	if (!ready) {
		for (size_t i = 0; i < 4; i++) {
			char *d = xasprintf("%s/%s", fuzz_scratch(), kinds[i].dir);
			mkdir(d, 0700);
			free(d);
		}
		ready = 1;
	}
	int k = data[0] % 4;
	char *path = fuzz_write(kinds[k].file, data + 1, size - 1, 0600);

	memset(&a, 0, sizeof(a));
	a.name = xstrdup("fuzz");
	a.provider = kinds[k].provider;
	a.ops = provider_for(a.provider);
	a.profile = profiles[data[0] / 4 % 4] ? xstrdup(profiles[data[0] / 4 % 4]) : NULL;
	int rc = credentials_resolve(&a, &err);
	if (rc == 0) {
		if (err || !a.credential_source)
			abort();
		/* Both halves of a key pair, or neither. */
		if (!a.cred.id != !a.cred.secret && strcmp(a.credential_source, "none") != 0)
			abort();
	} else if (!err) {
		abort();
	}
	/* A message names the file and line, never a value. */
	if (err && a.cred.secret && *a.cred.secret && strlen(a.cred.secret) > 3 &&
	    strstr(err, a.cred.secret))
		abort();
	free(err);
	unlink(path);
	free(path);
	account_free_fields(&a);
	return 0;
}
