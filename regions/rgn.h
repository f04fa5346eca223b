/*
 * rgn: the region registry. Every node loads the same list of processing regions (code and public endpoint)
 * from a file at start-up; it is read-only afterwards and safe to read from any thread.
 */
#ifndef OCRGATE_RGN_H
#define OCRGATE_RGN_H

#include <stddef.h>

#define RGN_CODE_MAX 8

typedef struct {
    char code[RGN_CODE_MAX + 1];
    char *endpoint;
} rgn_region_t;

typedef struct {
    rgn_region_t *regions;
    size_t count;
} rgn_registry_t;

/* Parses `CODE https://endpoint` lines (# comments). Codes are 2-8 upper-case letters. */
__attribute__((warn_unused_result)) int rgn_load(rgn_registry_t *reg, const char *path, char *err,
                                                 size_t errlen);
__attribute__((warn_unused_result)) int rgn_parse_text(rgn_registry_t *reg, const char *name,
                                                       const char *text, char *err, size_t errlen);
void rgn_free(rgn_registry_t *reg);
/* The region with this code, or NULL. */
const rgn_region_t *rgn_find(const rgn_registry_t *reg, const char *code);
/* Serialized `[{"code":..,"endpoint":..},...]`, malloc'ed; the caller frees. */
char *rgn_to_json(const rgn_registry_t *reg);
/* Non-zero when `code` has the shape of a region code. */
int rgn_code_valid(const char *code);

/* Name of the region's catalog subscription on its cluster, which is also the name of its replication slot on
 * the catalog primary: "ocrgate_catalog_" + the lower-case code. */
#define RGN_SUBSCRIPTION_MAX (sizeof("ocrgate_catalog_") + RGN_CODE_MAX)
void rgn_subscription_name(const char *code, char out[RGN_SUBSCRIPTION_MAX]);

#endif
