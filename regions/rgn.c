#include "regions/rgn.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rgn_code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 2 || n > RGN_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; ++i)
        if (!isupper((unsigned char)code[i]))
            return 0;
    return 1;
}

void rgn_subscription_name(const char *code, char out[RGN_SUBSCRIPTION_MAX])
{
    size_t n = snprintf(out, RGN_SUBSCRIPTION_MAX, "ocrgate_catalog_%s", code);
    for (size_t i = sizeof("ocrgate_catalog_") - 1; i < n && out[i] != '\0'; ++i)
        out[i] = (char)tolower((unsigned char)out[i]);
}

int rgn_parse_text(rgn_registry_t *reg, const char *name, const char *text, char *err, size_t errlen)
{
    char *copy = strdup(text), *line, *next;
    int lineno = 0, ret = -1;
    memset(reg, 0, sizeof(*reg));
    for (line = copy; line != NULL; line = next) {
        char code[32], endpoint[512], extra[2];
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        ++lineno;
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        int n = sscanf(line, "%31s %511s %1s", code, endpoint, extra);
        if (n <= 0)
            continue;
        if (n != 2 || !rgn_code_valid(code) || strncmp(endpoint, "https://", 8) != 0) {
            snprintf(err, errlen, "%s:%d: expected 'CODE https://endpoint' with an upper-case code", name,
                     lineno);
            goto Exit;
        }
        if (rgn_find(reg, code) != NULL) {
            snprintf(err, errlen, "%s:%d: region %s is listed twice", name, lineno, code);
            goto Exit;
        }
        reg->regions = realloc(reg->regions, (reg->count + 1) * sizeof(*reg->regions));
        rgn_region_t *r = &reg->regions[reg->count++];
        memcpy(r->code, code, strlen(code) + 1); /* rgn_code_valid bounded it */
        size_t elen = strlen(endpoint);
        while (elen > 8 && endpoint[elen - 1] == '/')
            endpoint[--elen] = '\0';
        r->endpoint = strdup(endpoint);
    }
    if (reg->count == 0) {
        snprintf(err, errlen, "%s: no regions listed", name);
        goto Exit;
    }
    ret = 0;
Exit:
    free(copy);
    if (ret != 0)
        rgn_free(reg);
    return ret;
}

int rgn_load(rgn_registry_t *reg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open regions file: %s", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t cap = 0;
    if (getdelim(&text, &cap, '\0', f) < 0) {
        free(text);
        text = strdup("");
    }
    fclose(f);
    int r = rgn_parse_text(reg, path, text, err, errlen);
    free(text);
    return r;
}

void rgn_free(rgn_registry_t *reg)
{
    for (size_t i = 0; i < reg->count; ++i)
        free(reg->regions[i].endpoint);
    free(reg->regions);
    memset(reg, 0, sizeof(*reg));
}

const rgn_region_t *rgn_find(const rgn_registry_t *reg, const char *code)
{
    for (size_t i = 0; i < reg->count; ++i)
        if (strcmp(reg->regions[i].code, code) == 0)
            return &reg->regions[i];
    return NULL;
}

char *rgn_to_json(const rgn_registry_t *reg)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < reg->count; ++i)
        json_array_append_new(
            arr, json_pack("{s:s,s:s}", "code", reg->regions[i].code, "endpoint", reg->regions[i].endpoint));
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return s;
}
