/* The OpenAPI document (argv[1], gateway/openapi.json) against the one options table (gw_options.c): the
 * Options schema, the query parameters of POST /v1/jobs and the template bodies name exactly the options, in
 * the table's order, with the table's types. A new option fails this test until the document describes it. */
#include "gateway/gw_options.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

static const char *schema_type(const json_t *doc, const json_t *s)
{
    const char *ref = json_string_value(json_object_get(s, "$ref"));
    if (ref != NULL && strncmp(ref, "#/components/schemas/Options/properties/", 40) == 0)
        s = json_object_get(
            json_object_get(
                json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Options"),
                "properties"),
            ref + 40);
    return json_string_value(json_object_get(s, "type"));
}

/* The JSON type of a default; NULL for a null default (an unset string, dpi): any type, but nullable. */
static const char *value_type(const json_t *v)
{
    return json_is_boolean(v)   ? "boolean"
           : json_is_integer(v) ? "integer"
           : json_is_real(v)    ? "number"
           : json_is_array(v)   ? "array"
           : json_is_string(v)  ? "string"
                                : NULL;
}

static int type_ok(const json_t *doc, const json_t *schema, const char *want)
{
    const char *got = schema_type(doc, schema);
    if (want != NULL)
        return got != NULL && strcmp(got, want) == 0;
    const char *ref = json_string_value(json_object_get(schema, "$ref"));
    if (ref != NULL)
        schema = json_object_get(
            json_object_get(
                json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Options"),
                "properties"),
            ref + 40);
    return got != NULL && json_is_true(json_object_get(schema, "nullable"));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s gateway/openapi.json\n", argv[0]);
        return 2;
    }
    json_error_t je;
    json_t *doc = json_load_file(argv[1], 0, &je);
    if (!ok(doc != NULL, "the document is JSON")) {
        printf("# %s line %d\n", je.text, je.line);
        return done_testing();
    }
    static const char *const langs[] = {"eng"};
    gw_opt_limits_t lim = {30, 60000, langs, 1};
    json_t *table = gw_options_defaults(&lim);
    json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
    json_t *props = json_object_get(json_object_get(schemas, "Options"), "properties");
    json_t *params = json_object_get(
        json_object_get(json_object_get(json_object_get(doc, "paths"), "/v1/jobs"), "post"), "parameters");
    json_t *query = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        const char *in = json_string_value(json_object_get(p, "in")),
                   *name = json_string_value(json_object_get(p, "name"));
        if (in != NULL && strcmp(in, "query") == 0 && strcmp(name, "template") != 0)
            json_object_set(query, name, p);
    }
    is_int(json_object_size(props), json_object_size(table),
           "Options has as many properties as the table has rows");
    is_int(json_object_size(query), json_object_size(table),
           "POST /v1/jobs has one query parameter per option");
    const char *const bodies[] = {"TemplateCreate", "TemplateChange"};
    for (size_t b = 0; b < 2; ++b)
        is_int(json_object_size(json_object_get(json_object_get(schemas, bodies[b]), "properties")),
               json_object_size(table) + 1, bodies[b]);
    const char *key;
    json_t *v;
    void *it = json_object_iter(props);
    json_object_foreach(table, key, v)
    {
        const char *want = value_type(v);
        ok(it != NULL && strcmp(json_object_iter_key(it), key) == 0, "Options lists %s in the table's order",
           key);
        it = it != NULL ? json_object_iter_next(props, it) : NULL;
        json_t *prop = json_object_get(props, key);
        const char *shown = want != NULL ? want : "nullable";
        ok(type_ok(doc, prop, want), "Options.%s is %s", key, shown);
        json_t *q = json_object_get(query, key);
        ok(type_ok(doc, json_object_get(q, "schema"), want), "query parameter %s is %s", key, shown);
        if (want != NULL && strcmp(want, "array") == 0)
            ok(json_is_false(json_object_get(q, "explode")) &&
                   strcmp(json_string_value(json_object_get(q, "style")), "form") == 0,
               "query parameter %s is comma-separated (style form, explode false)", key);
        for (size_t b = 0; b < 2; ++b) {
            json_t *tp =
                json_object_get(json_object_get(json_object_get(schemas, bodies[b]), "properties"), key);
            ok(type_ok(doc, tp, want), "%s.%s is %s", bodies[b], key, shown);
        }
    }
    json_decref(query);
    json_decref(table);
    json_decref(doc);
    return done_testing();
}
