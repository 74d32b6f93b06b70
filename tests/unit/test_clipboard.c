/* The OSC 52 sequence the copy key (y) writes: base64 per RFC 4648 with
 * padding, the exact framing, the size cap, and a write to a pipe. */
#include "dashboard/clipboard.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void is_seq(const char *in, const char *want_b64, const char *name)
{
	char *got = clipboard_osc52(in, strlen(in));
	char want[256];

	snprintf(want, sizeof(want), "\033]52;c;%s\a", want_b64);
	is_str(got, want, name);
	free(got);
}

int main(void)
{
	/* RFC 4648 section 10 vectors. */
	is_seq("", "", "empty value");
	is_seq("f", "Zg==", "one byte, two pads");
	is_seq("fo", "Zm8=", "two bytes, one pad");
	is_seq("foo", "Zm9v", "three bytes, no pad");
	is_seq("foobar", "Zm9vYmFy", "six bytes");
	is_seq("/tmp/ca dir/ca.pem", "L3RtcC9jYSBkaXIvY2EucGVt", "a path with a space");
	is_seq("caf\xc3\xa9", "Y2Fmw6k=", "UTF-8 bytes as they are");

	char *big = malloc(CLIPBOARD_MAX + 2);
	memset(big, 'a', CLIPBOARD_MAX + 1);
	big[CLIPBOARD_MAX + 1] = '\0';
	ok(clipboard_osc52(big, CLIPBOARD_MAX + 1) == NULL, "longer than the cap: refused, not cut");
	char *at_cap = clipboard_osc52(big, CLIPBOARD_MAX);
	ok(at_cap && strlen(at_cap) == 7 + (CLIPBOARD_MAX + 2) / 3 * 4 + 1, "at the cap: accepted");
	free(at_cap);
	char *err = NULL;
	int pfd[2];
	ok(clipboard_write(1, big, &err) == -1 && err && strstr(err, "longer"), "write refuses too long");
	free(err);
	free(big);

	if (pipe(pfd) == 0) {
		char buf[64] = {0};
		err = NULL;
		ok(clipboard_write(pfd[1], "dcs-1234", &err) == 0, "write to a descriptor");
		ssize_t n = read(pfd[0], buf, sizeof(buf) - 1);
		ok(n > 0 && strcmp(buf, "\033]52;c;ZGNzLTEyMzQ=\a") == 0, "the bytes written");
		close(pfd[0]);
		close(pfd[1]);
		err = NULL;
		int bad[2];
		if (pipe(bad) == 0) {
			close(bad[1]);
			ok(clipboard_write(bad[1], "x", &err) == -1 && err, "a closed descriptor: -1 with a message");
			free(err);
			close(bad[0]);
		}
	}
	return done_testing();
}
