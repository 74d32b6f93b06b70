/* Allocation that cannot fail: on exhaustion the program restores the
 * terminal (through the registered fatal hook) and exits. Callers never
 * check for NULL from these. */
#ifndef TLSFLEET_XALLOC_H
#define TLSFLEET_XALLOC_H
#include <stddef.h>
#include <stdarg.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);                 /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Print "tlsfleet: <message>" to stderr, run the fatal hook, exit(code). */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The dashboard registers a hook that ends curses before anything is
 * printed; one hook at a time. */
void xalloc_set_fatal_hook(void (*hook)(void));

#endif
