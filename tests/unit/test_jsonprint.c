/* jsonprint must print what cJSON_Print prints, byte for byte, and its
 * compact form what cJSON_PrintUnformatted prints: the JSON report's and
 * the snapshot's bytes were cJSON's before it and must not change. Every
 * case compares both pairs on the same tree. */
#include "core/jsonprint.h"
#include "tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void same(const cJSON *j, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char *want = cJSON_Print(j);
	int rc = jsonprint_append(&sb, j);

	ok(want && rc == 0, "%s: printed", name);
	is_str(strbuf_str(&sb), want ? want : "(cJSON refused)", name);
	free(want);
	strbuf_reset(&sb);
	want = cJSON_PrintUnformatted(j);
	rc = jsonprint_append_compact(&sb, j, NULL);
	ok(want && rc == 0, "%s: printed compact", name);
	char cname[256];
	snprintf(cname, sizeof(cname), "%s (compact)", name);
	is_str(strbuf_str(&sb), want ? want : "(cJSON refused)", cname);
	free(want);
	strbuf_free(&sb);
}

static void same_text(const char *text, const char *name)
{
	cJSON *j = cJSON_Parse(text);

	ok(j != NULL, "%s: parses", name);
	if (j)
		same(j, name);
	cJSON_Delete(j);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, fp) == (size_t)n)
		buf[n] = '\0';
	else {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

int main(void)
{
	/* Scalars, empty and nested containers, arrays of objects. */
	same_text("null", "null");
	same_text("true", "true");
	same_text("false", "false");
	same_text("\"\"", "empty string");
	same_text("{}", "empty object");
	same_text("[]", "empty array");
	same_text("{\"a\":{}}", "nested empty object");
	same_text("{\"a\":[]}", "nested empty array");
	same_text("[[], {}, [1, [2, {}]]]", "arrays of containers");
	same_text("{\"a\":[{\"b\":1,\"c\":{\"d\":[true,false,null]}},{\"e\":\"f\"}],\"g\":{\"h\":{\"i\":{}}}}",
	          "deep mix");
	same_text("[{\"subject\":\"CN=x\",\"not_after\":null},{\"subject\":\"CN=y\"}]", "array of objects");

	/* Numbers: integers by %d, everything else by cJSON's own rule. */
	same_text("[0, -0, 1, -1, 42, 2147483647, -2147483648, 2147483648, -2147483649]", "int range edges");
	same_text("[1.5, -0.25, 3.141592653589793, 1e300, -1e-300, 0.1, 123456789012345678]",
	          "fractions and big numbers");
	cJSON *n = cJSON_CreateArray();
	cJSON_AddItemToArray(n, cJSON_CreateNumber(1786406400.0));
	cJSON_AddItemToArray(n, cJSON_CreateNumber(-3.0));
	cJSON_AddItemToArray(n, cJSON_CreateNumber(1e20));
	same(n, "created numbers");
	cJSON_Delete(n);

	/* Every byte in a value and in a key (escapes, UTF-8, DEL). */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, all, all);
	cJSON_AddStringToObject(o, "q\"b\\s/", "\"\\\b\f\n\r\t\x01\x1f\x7f caf\xc3\xa9");
	cJSON_AddNullToObject(o, "");
	same(o, "every byte");

	/* A borrowed subtree (the report refers to the model's tree). */
	cJSON *outer = cJSON_CreateObject();
	cJSON_AddItemReferenceToObject(outer, "provider_status", o);
	cJSON_AddItemReferenceToArray(cJSON_AddArrayToObject(outer, "refs"), o);
	same(outer, "references");
	cJSON_Delete(outer);
	cJSON_Delete(o);

	cJSON *raw = cJSON_CreateObject();
	cJSON_AddRawToObject(raw, "raw", "{\"x\":1}");
	same(raw, "raw text");
	cJSON_Delete(raw);

	/* A NULL key or string prints as "", like cJSON. */
	cJSON *nulls = cJSON_CreateArray();
	cJSON *s = cJSON_CreateString("x");
	cJSON_free(s->valuestring);
	s->valuestring = NULL;
	cJSON_AddItemToArray(nulls, s);
	same(nulls, "NULL string");
	cJSON_Delete(nulls);

	/* The providers' documented answers. */
	const char *top = getenv("top_srcdir");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tests/data/api", top ? top : ".");
	DIR *d = opendir(dir);
	int files = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		char path[8192], *text;
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(text = slurp(path)))
			continue;
		cJSON *j = cJSON_Parse(text);
		if (j) {
			same(j, e->d_name);
			files++;
		}
		cJSON_Delete(j);
		free(text);
	}
	if (d)
		closedir(d);
	ok(files >= 5, "provider answers compared (%d)", files);

	ok(jsonprint_append(&(struct strbuf)STRBUF_INIT, NULL) == -1, "NULL item refused");
	return done_testing();
}
