#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void xalloc_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

_Noreturn void die(int code, const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook) {
		void (*hook)(void) = fatal_hook;
		fatal_hook = NULL; /* a failing hook must not recurse */
		hook();
	}
	fputs("tlsfleet: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void *check(void *p)
{
	if (!p)
		die(70, "out of memory");
	return p;
}

void *xmalloc(size_t n)
{
	return check(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return check(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return check(realloc(p, n ? n : 1));
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		die(70, "out of memory (array of %zu x %zu)", n, size);
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	return s ? check(strdup(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	return s ? check(strndup(s, n)) : NULL;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *out;

	if (vasprintf(&out, fmt, ap) < 0)
		die(70, "out of memory");
	return out;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = xvasprintf(fmt, ap);
	va_end(ap);
	return out;
}
