/* Helpers the per-cloud list files (listing_tencent.c, listing_huawei.c,
 * listing_alibaba.c) share; defined in listing_util.c. Private to
 * src/providers/listing*.c: the rest of the program uses listing.h.
 *
 * Ownership: strings returned are new (the caller's); found instances
 * filled here belong to the page they are in. */
#ifndef TLSFLEET_LISTING_UTIL_H
#define TLSFLEET_LISTING_UTIL_H

#include "providers/listing.h"

/* An instance standing for the listing, so the clouds' endpoint rules and
 * error parsers apply unchanged. Borrows from q. */
void list_query_instance(const struct list_query *q, struct instance *in);
/* A list call exists, credentials and a region are there. */
int list_check_query(const struct list_query *q, const struct credentials *cred, char **err);
/* Map an error answer as the cloud's status parser does. */
void list_page_error(const struct list_query *q, const struct http_response *resp,
                     struct list_page *out);
/* A count: a non-negative integer number. */
bool list_get_count(const cJSON *obj, const char *name, long *out);
/* A port as a number or a numeric string; -1 otherwise. */
int list_get_port(const cJSON *obj, const char *name);
/* A non-empty string member, new; NULL otherwise. */
char *list_get_str(const cJSON *obj, const char *name);
/* The first non-empty string of an array member, new; NULL otherwise. */
char *list_get_first(const cJSON *obj, const char *name);
/* Tags from [{kname: k, vname: v}, ...]; anything else is no tags. */
void list_get_tags(const cJSON *arr, const char *kname, const char *vname,
                   struct found_instance *it);
/* The account's tag filters as the item's tags: for a list that filters
 * by tag but does not show tags (the API vouches for them). */
void list_spec_tags(const struct list_query *q, struct found_instance *it);

/* Walk an array of instance objects; each needs a non-empty string id. */
typedef void (*list_item_fn)(const cJSON *obj, const struct list_query *q,
                             struct found_instance *it);
bool list_read_items(const cJSON *arr, const char *arr_name, const char *id_name,
                     const char *name_name, const struct list_query *q, list_item_fn fill,
                     const struct http_response *resp, struct list_page *out);
/* A page read: ok, and the next and last pages from the total. */
void list_page_done(const struct list_query *q, struct list_page *out);
/* "k=v,k2=v2" of the account's tag filters (Huawei's tags query), new;
 * NULL without filters. */
char *list_tags_query(const struct list_query *q);

#endif
