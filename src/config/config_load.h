/* The configuration file (tlsfleet.conf(5)), loaded into a fleet. */
#ifndef TLSFLEET_CONFIG_H
#define TLSFLEET_CONFIG_H
#include "core/fleet.h"

/* $XDG_CONFIG_HOME/tlsfleet/config, else ~/.config/tlsfleet/config. New string. */
char *config_default_path(void);

/* Load, validate and resolve credentials. On success returns 0 and fills
 * *out (the caller frees it with fleet_free). On error returns -1 with
 * *err = "FILE:LINE: message" (new string; never contains a secret) and
 * leaves *out empty. Several errors come one per line, at most 10 (then a
 * last line says more were not shown). */
int config_load(const char *path, struct fleet *out, char **err);

/* Defaults of every global setting (download_dir expanded). */
void settings_defaults(struct settings *s);
void settings_free(struct settings *s);

/* A leading "~", "~/", "$HOME" or "${HOME}" becomes the home directory
 * ($HOME, else the password database); a path still relative afterwards is
 * joined to base_dir unless base_dir is NULL. New string, or NULL for the
 * "~user" form, which is not supported. */
char *config_expand_path(const char *path, const char *base_dir);

#endif
