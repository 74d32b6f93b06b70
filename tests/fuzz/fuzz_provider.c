/* Every provider response parser: each provider x service x call, with
 * the HTTP status and the Date / Retry-After / Content-Type headers taken
 * from the input's first bytes and the body from the rest.
 *
 * Input: byte 0 picks provider (%3), service (/3 %3) and call (/9 %2);
 * bytes 1-2 are the status (big-endian, %1000); then three lines, Date,
 * Retry-After and Content-Type, an empty line meaning "no such header";
 * everything after the third newline is the body. */
#include "fuzz.h"
#include "providers/provider.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The next line of [*p, end) as a new string, NULL when empty. */
static char *next_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	const uint8_t *stop = nl ? nl : end;
	char *s = stop > *p ? fuzz_strndup(*p, (size_t)(stop - *p)) : NULL;

	*p = nl ? nl + 1 : end;
	return s;
}

static void check_result(const struct provider_result *r)
{
	/* Invariants the engine relies on. */
	if ((unsigned)r->state >= STATE_COUNT)
		abort();
	if (r->error && !r->error->code)
		abort();
	if (!state_is_definite(r->state) && !r->error)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;

	const uint8_t *p = data + 3, *end = data + size;
	struct account acct = {0};
	struct instance in = {0};
	struct provider_result r;

	acct.name = "fuzz-acct";
	acct.provider = (enum provider_kind)(data[0] % 3);
	acct.ops = provider_for(acct.provider);
	acct.project_id = "0123456789abcdef0123456789abcdef";
	in.name = "fuzz-inst";
	in.account = &acct;
	in.service = (enum service_kind)(data[0] / 3 % 3);
	in.region = "eu-de";
	in.id = "crs-fuzz";
	in.warn_days = in.crit_days = in.require_tls = -1;
	instance_status_init(&in.st);

	enum api_call call = data[0] / 9 % 2 ? CALL_CERT_LINK : CALL_STATUS;
	char *date = next_line(&p, end);
	char *retry_after = next_line(&p, end);
	char *content_type = next_line(&p, end);
	/* A private copy of exactly the body bytes, so ASan sees any read
	 * past body_len; parsers must not rely on a terminator. */
	size_t body_len = (size_t)(end - p);
	char *body = xmalloc(body_len ? body_len : 1);
	if (body_len)
		memcpy(body, p, body_len);

	struct http_response resp = {
		.status = (long)(((unsigned)data[1] << 8 | data[2]) % 1000),
		.body = body,
		.body_len = body_len,
		.date = date,
		.retry_after = retry_after,
		.content_type = content_type,
	};

	provider_result_init(&r);
	acct.ops->parse_response(&in, call, &resp, &r);
	check_result(&r);
	provider_result_free(&r);

	free(body);
	free(date);
	free(retry_after);
	free(content_type);
	instance_status_free(&in.st);
	return 0;
}
