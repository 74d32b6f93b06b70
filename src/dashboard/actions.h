/* The action table (actions.def) and the key map made from it. Key codes
 * are curses' (KEY_UP, ...), but parsing key names needs no terminal, so
 * tests use this without one. All strings returned are static. */
#ifndef TLSFLEET_ACTIONS_H
#define TLSFLEET_ACTIONS_H
#include <stddef.h>
#include <stdio.h>

enum action {
	ACT_NONE = 0,
#define ACTION(id, keys, help) ACT_##id,
#include "dashboard/actions.def"
#undef ACTION
	ACT_COUNT
};

/* Identifier ("REFRESH_ALL"), key names ("q F10") and help text. */
const char *action_id(enum action a);
const char *action_keys(enum action a);
const char *action_help(enum action a);

/* The action a key code triggers, or ACT_NONE. */
enum action action_for_key(int key);

/* Key codes for one key name ("PgUp", "Ctrl-L", "x"); Enter yields several.
 * Returns how many codes were written to out (at most max), 0 when the
 * name is not a key name. */
size_t action_key_codes(const char *name, int *out, size_t max);

/* Calls fn for each key name of a, in order. */
void action_each_key(enum action a, void (*fn)(const char *name, void *ud), void *ud);

/* The man page's KEYS block (between the BEGIN/END KEYS markers). */
void actions_write_man(FILE *fp);

#endif
