/* The dashboard's saved preferences: a round trip through the file, a
 * missing file (defaults), a broken file (message naming file and line,
 * defaults), unknown names ignored, hostile filter text kept exactly,
 * atomic writes into a new directory. */
#include "dashboard/prefs.h"
#include "core/xalloc.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const sorts[] = {"name", "provider", "region", "id", "state", "expiry"};
static const char *const columns[] = {"name", "provider", "region", "id", "state"};
static const struct prefs_names names = {sorts, 6, columns, 5};

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
}

int main(void)
{
	char dir[] = "/tmp/tlsfleet-prefs.XXXXXX";
	struct dash_prefs p, q;
	char *err = NULL;

	if (!mkdtemp(dir))
		return 1;
	char *path = xasprintf("%s/new/sub/dashboard", dir);

	ok(prefs_load(path, &names, &p, &err) == 0 && !err, "a missing file: defaults, no error");
	ok(p.sort == -1 && !p.filter && !p.theme && p.refresh_interval == -1 && !p.hidden[0],
	   "defaults: nothing saved");

	p.sort = 5;
	p.descending = true;
	p.problems_only = true;
	p.filter = xstrdup("state:error \"quoted\" back\\slash caf\xc3\xa9 \x01");
	p.hidden[3] = p.hidden[2] = true;
	p.theme = xstrdup("dark");
	p.refresh_interval = 60;
	ok(prefs_save(path, &p, &names, &err) == 0, "save creates the directories and writes");
	if (err)
		diag("%s", err);
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600");

	ok(prefs_load(path, &names, &q, &err) == 0, "load what was saved");
	is_int(q.sort, 5, "sort");
	ok(q.descending && q.problems_only, "descending and problems only");
	is_str(q.filter, p.filter, "the filter comes back byte for byte (quotes, backslash, control)");
	ok(!q.hidden[0] && !q.hidden[1] && q.hidden[2] && q.hidden[3] && !q.hidden[4], "hidden columns");
	is_str(q.theme, "dark", "theme");
	is_int(q.refresh_interval, 60, "refresh_interval");
	prefs_free(&q);

	write_file(path, "sort = \"no-such\";\nhidden_columns = [ \"gone\", \"id\" ];\nfuture = 1;\n");
	ok(prefs_load(path, &names, &q, &err) == 0, "unknown names and settings are ignored");
	ok(q.sort == -1 && q.hidden[3] && !q.hidden[0], "... and the known ones are kept");
	prefs_free(&q);

	write_file(path, "sort = \"name\"\nfilter = ;\n");
	ok(prefs_load(path, &names, &q, &err) == -1 && err, "a broken file: -1 with a message");
	ok(err && strstr(err, path) && strstr(err, ":2:"), "the message names the file and the line");
	ok(q.sort == -1 && !q.filter, "a broken file leaves defaults");
	free(err);
	err = NULL;
	prefs_free(&q);

	write_file(path, "refresh_interval = -5;\n");
	ok(prefs_load(path, &names, &q, &err) == 0 && q.refresh_interval == -1,
	   "a negative refresh_interval is ignored");
	prefs_free(&q);

	char *txt = prefs_format(&p, &names);
	ok(strstr(txt, "hidden_columns = [ \"region\", \"id\" ];") != NULL, "format lists hidden columns");
	free(txt);
	prefs_free(&p);

	/* Saving over an unwritable directory fails with a message. */
	char *bad = xasprintf("%s/file/dashboard", dir);
	char *blocker = xasprintf("%s/file", dir);
	write_file(blocker, "x");
	prefs_init(&p);
	ok(prefs_save(bad, &p, &names, &err) == -1 && err, "an impossible path: -1 with a message");
	free(err);

	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cleanup failed");
	free(cmd);
	free(bad);
	free(blocker);
	free(path);
	return done_testing();
}
