/* Reloading the config (config/reload.c, the dashboard's Ctrl-R): the
 * instances that remain keep their status, a changed or new one starts
 * fresh, a removed one is dropped, and a broken file changes nothing. */
#include "config/reload.h"
#include "config/config_load.h"
#include "core/xalloc.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/tlsfleet-reload.XXXXXX";

static char *write_conf(const char *name, const char *instances)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *text = xasprintf(
		"accounts = ( { name = \"a\"; provider = \"tencent\"; secret_id = \"AKIDx\"; secret_key = \"k\"; } );\n"
		"instances = ( %s );\n", instances);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		exit(99);
	close(fd);
	free(text);
	return path;
}

#define INST(n, region) "{ name = \"" n "\"; account = \"a\"; service = \"redis\"; region = \"" region "\"; id = \"crs-" n "\"; }"

static const struct instance *find(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->n_instances; i++)
		if (strcmp(f->instances[i].name, name) == 0)
			return &f->instances[i];
	return NULL;
}

int main(void)
{
	struct fleet old, nf;
	char *err = NULL;
	size_t carried = 0;

	if (!mkdtemp(dir))
		return 1;
	setenv("HOME", dir, 1);
	char *p1 = write_conf("one.conf", INST("keep", "ap-guangzhou") ", " INST("moved", "ap-guangzhou")
	                      ", " INST("gone", "ap-guangzhou"));
	if (config_load(p1, &old, &err) != 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < old.n_instances; i++) {
		old.instances[i].st.state = STATE_ENABLED;
		old.instances[i].st.request_id = xstrdup("rid");
	}

	char *p2 = write_conf("two.conf", INST("new", "ap-guangzhou") ", " INST("keep", "ap-guangzhou")
	                      ", " INST("moved", "ap-shanghai"));
	ok(config_reload(p2, &old, &nf, &carried, &err) == 0, "a valid file reloads");
	is_int((long long)carried, 1, "one instance carried over");
	is_int((long long)nf.n_instances, 3, "the new file's instances");
	const struct instance *k = find(&nf, "keep");
	ok(k && k->st.state == STATE_ENABLED && k->st.request_id &&
	   strcmp(k->st.request_id, "rid") == 0, "an instance that remains keeps its status");
	const struct instance *m = find(&nf, "moved");
	ok(m && m->st.state == STATE_UNKNOWN && !m->st.request_id,
	   "the same name in another region starts fresh");
	const struct instance *n = find(&nf, "new");
	ok(n && n->st.state == STATE_UNKNOWN, "a new instance starts fresh");
	ok(!find(&nf, "gone"), "a removed instance is gone");
	ok(find(&old, "keep")->st.state == STATE_UNKNOWN, "the old fleet gave its status away");
	is_str(nf.instances[0].name, "new", "the new file's order");
	fleet_free(&nf);

	char *p3 = write_conf("bad.conf", "{ name = \"x\"; account = \"nope\"; service = \"redis\"; }");
	ok(config_reload(p3, &old, &nf, &carried, &err) == -1 && err, "a broken file: -1 with the errors");
	ok(err && strstr(err, "bad.conf:"), "the errors name the file");
	free(err);
	err = NULL;
	ok(find(&old, "moved")->st.state == STATE_ENABLED, "a broken file leaves the old fleet as it was");

	fleet_free(&old);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cleanup failed");
	free(cmd);
	free(p1);
	free(p2);
	free(p3);
	return done_testing();
}
