/* One option value checked against its row and the caller's tier (see gw_opt_value.h). */
#include "gateway/gw_opt_value.h"
#include "engine/eng_barcode.h"
#include "engine/eng_format.h"
#include "engine/eng_pages.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gw__opt_in_list(const char *const *list, const char *s)
{
    for (; list != NULL && *list != NULL; ++list)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* Copies client-supplied text into a message: at most cap - 4 bytes (then "..."), anything but printable
 * ASCII as '?', so that the message stays short, valid UTF-8 and safe to log. */
const char *gw__opt_echo(char *dst, size_t cap, const char *s, size_t len)
{
    size_t o = 0, max = cap > 4 ? cap - 4 : 0;
    for (size_t i = 0; i < len && o < max; ++i)
        dst[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (len > max && cap >= 4) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    if (cap > 0)
        dst[o < cap ? o : cap - 1] = '\0';
    return dst;
}

/* Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t n;
        unsigned min;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, min = 0x10000;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        unsigned cp = c & (0x3fu >> n);
        for (size_t k = 1; k <= n; ++k) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

void gw__opt_problem(problems_t *p, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (p->count++ == 0) { /* truncated to the message's size; msg is ASCII, so no character is split */
        size_t n = strnlen(msg, sizeof(p->first) - 1);
        memcpy(p->first, msg, n);
        p->first[n] = '\0';
    }
    if (p->details == NULL && (p->details = json_array()) == NULL) {
        p->oom = 1;
        return;
    }
    /* field and msg are ASCII (client text goes through gw__opt_echo()), so json_pack cannot fail on UTF-8.
     */
    if (json_array_append_new(p->details, json_pack("{s:s,s:s}", "field", field, "message", msg)) != 0)
        p->oom = 1;
}

static int int_max(const job_opt_row_t *row, const gw_opt_limits_t *lim)
{
    switch (row->lim) {
    case JOB_LIM_RETENTION:
        return lim->max_retention_days;
    case JOB_LIM_PAGE_TIMEOUT:
        return lim->max_page_timeout_ms;
    default:
        return row->max;
    }
}

/* The `outputs` array of a set of formats (bit i: eng_outputs()[i]), in canonical order. */
static json_t *outputs_array(unsigned set)
{
    size_t nf;
    const eng_output_t *f = eng_outputs(&nf);
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < nf; ++i)
        if ((set >> i & 1) && json_array_append_new(a, json_string(f[i].name)) != 0) {
            json_decref(a);
            a = NULL;
        }
    return a;
}

/* The `barcodeTypes` array of a type mask (ENG_BARCODE_BIT), in the types table's order. */
static json_t *barcode_array(unsigned set)
{
    size_t nt;
    const eng_barcode_type_t *t = eng_barcode_types(&nt);
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < nt; ++i)
        if ((set & ENG_BARCODE_BIT(&t[i])) && json_array_append_new(a, json_string(t[i].name)) != 0) {
            json_decref(a);
            a = NULL;
        }
    return a;
}

json_t *gw__opt_default(const job_opt_row_t *row, const gw_opt_limits_t *lim)
{
    switch (row->type) {
    case JOB_OPT_LANGUAGES:
        return json_string("eng");
    case JOB_OPT_OUTPUTS: {
        size_t nf;
        const eng_output_t *f = eng_outputs(&nf);
        unsigned set = 0;
        for (size_t i = 0; i < nf; ++i)
            set |= (unsigned)f[i].is_default << i;
        return outputs_array(set);
    }
    case JOB_OPT_BOOL:
    case JOB_OPT_CLEANUP:
        return json_boolean(row->def);
    case JOB_OPT_INT: {
        if (row->def == JOB_OPT_DEF_NULL)
            return json_null();
        int v = row->def, max = int_max(row, lim);
        if (row->lim != JOB_LIM_NONE && v > max)
            v = max;
        if (v < row->min)
            v = row->min;
        return json_integer(v);
    }
    case JOB_OPT_ENUM:
        return json_string(row->choices[0]);
    case JOB_OPT_BARCODE_TYPES:
        return barcode_array(ENG_BARCODE_ALL);
    case JOB_OPT_PERCENT:
        return json_real(row->def / 100.0);
    case JOB_OPT_STRING:
    case JOB_OPT_TEXT:
    case JOB_OPT_PAGES:
        break;
    }
    return json_null();
}

static json_t *check_languages(const json_t *v, const gw_opt_limits_t *lim, problems_t *p)
{
    if (!json_is_string(v)) {
        gw__opt_problem(p, "languages", "languages must be a string such as \"eng\" or \"eng+deu\"");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v), nparts = 0;
    struct {
        const char *s;
        size_t len;
    } parts[JOB_OPT_MAX_LANGUAGES];
    for (size_t i = 0;; ++i) {
        const char *plus = memchr(s + i, '+', len - i);
        size_t end = plus != NULL ? (size_t)(plus - s) : len;
        char e[44];
        if (end == i) {
            gw__opt_problem(p, "languages",
                            "languages must be language codes joined by '+', such as \"eng+deu\"");
            return NULL;
        }
        if (nparts == JOB_OPT_MAX_LANGUAGES) {
            gw__opt_problem(p, "languages", "languages may name at most %d languages", JOB_OPT_MAX_LANGUAGES);
            return NULL;
        }
        size_t k;
        for (k = 0; k < lim->nlanguages; ++k)
            if (strlen(lim->languages[k]) == end - i && memcmp(lim->languages[k], s + i, end - i) == 0)
                break;
        if (k == lim->nlanguages) {
            char installed[512];
            size_t o = 0;
            installed[0] = '\0';
            for (k = 0; k < lim->nlanguages && o < sizeof(installed); ++k) {
                int n =
                    snprintf(installed + o, sizeof(installed) - o, "%s%s", k ? ", " : "", lim->languages[k]);
                o += n > 0 ? (size_t)n : 0;
            }
            gw__opt_problem(p, "languages", "languages: '%s' is not installed (installed: %s)",
                            gw__opt_echo(e, sizeof(e), s + i, end - i), lim->nlanguages ? installed : "none");
            return NULL;
        }
        for (k = 0; k < nparts; ++k)
            if (parts[k].len == end - i && memcmp(parts[k].s, s + i, end - i) == 0) {
                gw__opt_problem(p, "languages", "languages names '%s' more than once",
                                gw__opt_echo(e, sizeof(e), s + i, end - i));
                return NULL;
            }
        parts[nparts].s = s + i;
        parts[nparts++].len = end - i;
        if (plus == NULL)
            break;
        i = end;
    }
    return json_stringn(s, len);
}

/* A set of names from one of the engine's tables (the output formats, the barcode types), as an option:
 * a non-empty array of distinct names, normalized to the table's order. */
typedef struct {
    const char *noun;                           /* "formats" */
    const char *what;                           /* "a result format" */
    char *(*names)(char *buf, size_t len);      /* every name, for the messages */
    unsigned (*bit)(const char *s, size_t len); /* the name's bit in a set, 0 when unknown */
    json_t *(*array)(unsigned set);             /* the normalized array of a set */
} name_set_t;

static json_t *check_name_set(const job_opt_row_t *row, const name_set_t *ns, const json_t *v, problems_t *p)
{
    unsigned seen = 0;
    size_t i;
    json_t *f;
    char list[160], e[44];
    json_array_foreach(v, i, f)
    {
        if (!json_is_string(f))
            break;
        unsigned bit = ns->bit(json_string_value(f), json_string_length(f));
        if (bit == 0) {
            gw__opt_problem(p, row->name, "%s: '%s' is not %s (%s)", row->name,
                            gw__opt_echo(e, sizeof(e), json_string_value(f), json_string_length(f)), ns->what,
                            ns->names(list, sizeof(list)));
            return NULL;
        }
        if (seen & bit) {
            gw__opt_problem(p, row->name, "%s lists '%s' more than once", row->name,
                            gw__opt_echo(e, sizeof(e), json_string_value(f), json_string_length(f)));
            return NULL;
        }
        seen |= bit;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || i < json_array_size(v)) {
        gw__opt_problem(p, row->name, "%s must be a non-empty array of %s from %s", row->name, ns->noun,
                        ns->names(list, sizeof(list)));
        return NULL;
    }
    return ns->array(seen);
}

/* "text, json, hocr, pdf, ...", for the messages about `outputs`. */
static char *all_formats(char *buf, size_t len)
{
    return eng_output_names(buf, len, 0);
}

static unsigned format_bit(const char *s, size_t len)
{
    const eng_output_t *row = eng_output_findn(s, len);
    return row != NULL ? 1u << eng_output_index(row) : 0;
}

static unsigned barcode_bit(const char *s, size_t len)
{
    const eng_barcode_type_t *row = eng_barcode_type_findn(s, len);
    return row != NULL ? ENG_BARCODE_BIT(row) : 0;
}

static const name_set_t output_set = {"formats", "a result format", all_formats, format_bit, outputs_array};
static const name_set_t barcode_set = {"types", "a barcode type", eng_barcode_type_names, barcode_bit,
                                       barcode_array};

/* The selection is parsed by the engine's parser, whose sentence names the problem. */
static json_t *check_pages(const json_t *v, problems_t *p)
{
    eng_pages_t sel;
    char err[256];
    if (!json_is_string(v)) {
        gw__opt_problem(p, "pages", "pages must be a string such as \"1-3,5,8-\"");
        return NULL;
    }
    if (eng_pages_parse(json_string_value(v), json_string_length(v), &sel, err, sizeof(err)) != 0) {
        gw__opt_problem(p, "pages", "%s", err);
        return NULL;
    }
    return json_stringn(json_string_value(v), json_string_length(v));
}

static json_t *check_percent(const job_opt_row_t *row, const json_t *v, problems_t *p)
{
    double d = json_is_number(v) ? json_number_value(v) : -1;
    /* The bounds are hundredths; the comparison leaves room for the binary representation of 0.01. */
    if (!json_is_number(v) || !(d * 100 >= row->min - 1e-9 && d * 100 <= row->max + 1e-9)) {
        gw__opt_problem(p, row->name, "%s must be a number between %g and %g", row->name, row->min / 100.0,
                        row->max / 100.0);
        return NULL;
    }
    return json_real(d);
}

static json_t *check_string(const job_opt_row_t *row, const json_t *v, problems_t *p)
{
    if (!json_is_string(v)) {
        gw__opt_problem(p, row->name, "%s must be a string of at most %d bytes", row->name,
                        JOB_OPT_MAX_STRING);
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len == 0) {
        gw__opt_problem(p, row->name, "%s must not be empty (use null to clear it)", row->name);
        return NULL;
    }
    if (len > JOB_OPT_MAX_STRING) {
        gw__opt_problem(p, row->name, "%s must be at most %d bytes of UTF-8", row->name, JOB_OPT_MAX_STRING);
        return NULL;
    }
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 || c == 0x7f) && !(row->type == JOB_OPT_TEXT && (c == '\t' || c == '\n'))) {
            gw__opt_problem(p, row->name, "%s must not contain control characters%s", row->name,
                            row->type == JOB_OPT_TEXT ? " other than tab and newline" : "");
            return NULL;
        }
    }
    if (!utf8_valid((const unsigned char *)s, len)) {
        gw__opt_problem(p, row->name, "%s must be valid UTF-8 text", row->name);
        return NULL;
    }
    return json_stringn(s, len);
}

/* Checks one given, non-null value; returns its normalized copy, or NULL after recording the problem. */
json_t *gw__opt_check(const job_opt_row_t *row, const json_t *v, const gw_opt_limits_t *lim, problems_t *p)
{
    switch (row->type) {
    case JOB_OPT_LANGUAGES:
        return check_languages(v, lim, p);
    case JOB_OPT_OUTPUTS:
        return check_name_set(row, &output_set, v, p);
    case JOB_OPT_BOOL:
    case JOB_OPT_CLEANUP:
        if (!json_is_boolean(v)) {
            gw__opt_problem(p, row->name, "%s must be true or false", row->name);
            return NULL;
        }
        return json_boolean(json_is_true(v));
    case JOB_OPT_INT: {
        int max = int_max(row, lim);
        if (!json_is_integer(v) || json_integer_value(v) < row->min || json_integer_value(v) > max) {
            gw__opt_problem(p, row->name, "%s must be an integer between %d and %d", row->name, row->min,
                            max);
            return NULL;
        }
        return json_integer(json_integer_value(v));
    }
    case JOB_OPT_STRING:
    case JOB_OPT_TEXT:
        return check_string(row, v, p);
    case JOB_OPT_ENUM:
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
            !gw__opt_in_list(row->choices, json_string_value(v))) {
            char list[128];
            size_t o = 0;
            for (const char *const *c = row->choices; *c != NULL; ++c)
                o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", c == row->choices ? "" : ", ", *c);
            gw__opt_problem(p, row->name, "%s must be one of %s", row->name, list);
            return NULL;
        }
        return json_string(json_string_value(v));
    case JOB_OPT_BARCODE_TYPES:
        return check_name_set(row, &barcode_set, v, p);
    case JOB_OPT_PAGES:
        return check_pages(v, p);
    case JOB_OPT_PERCENT:
        return check_percent(row, v, p);
    }
    return NULL;
}

/* Turns a query-string value into the JSON value it stands for, or records why it cannot. Integers are plain
 * decimal (an optional '-' so that "-1" earns the range message), booleans exactly true/false. */
json_t *gw__opt_from_text(const job_opt_row_t *row, const char *s, const gw_opt_limits_t *lim, problems_t *p)
{
    size_t len = strlen(s);
    if (len == 0) {
        gw__opt_problem(p, row->name, "%s must not be empty", row->name);
        return NULL;
    }
    if (!utf8_valid((const unsigned char *)s, len)) {
        gw__opt_problem(p, row->name, "%s must be valid UTF-8 text", row->name);
        return NULL;
    }
    switch (row->type) {
    case JOB_OPT_BOOL:
    case JOB_OPT_CLEANUP:
        if (strcmp(s, "true") == 0)
            return json_true();
        if (strcmp(s, "false") == 0)
            return json_false();
        gw__opt_problem(p, row->name, "%s must be true or false", row->name);
        return NULL;
    case JOB_OPT_INT: {
        size_t i = s[0] == '-';
        long long v = 0;
        if (i == len)
            goto BadInt;
        for (; i < len; ++i) {
            if (s[i] < '0' || s[i] > '9')
                goto BadInt;
            if (v < 10000000000LL) /* saturate: anything this large is out of range anyway */
                v = v * 10 + (s[i] - '0');
        }
        return json_integer(s[0] == '-' ? -v : v);
    BadInt:
        gw__opt_problem(p, row->name, "%s must be an integer between %d and %d", row->name, row->min,
                        int_max(row, lim));
        return NULL;
    }
    case JOB_OPT_OUTPUTS:
    case JOB_OPT_BARCODE_TYPES: { /* comma-separated */
        json_t *a = json_array();
        for (size_t i = 0; a != NULL;) {
            const char *comma = memchr(s + i, ',', len - i);
            size_t end = comma != NULL ? (size_t)(comma - s) : len;
            if (json_array_append_new(a, json_stringn(s + i, end - i)) != 0) {
                json_decref(a);
                return NULL;
            }
            if (comma == NULL)
                break;
            i = end + 1;
        }
        return a;
    }
    case JOB_OPT_PERCENT: { /* plain decimal: digits with at most one '.' (an optional '-' earns the range
                               message) */
        size_t i = s[0] == '-', dots = 0, digits = 0;
        for (; i < len; ++i) {
            if (s[i] == '.')
                ++dots;
            else if (s[i] >= '0' && s[i] <= '9')
                ++digits;
            else
                break;
        }
        if (i == len && dots <= 1 && digits > 0)
            return json_real(strtod(s, NULL));
        gw__opt_problem(p, row->name, "%s must be a number between %g and %g", row->name, row->min / 100.0,
                        row->max / 100.0);
        return NULL;
    }
    default:
        return json_string(s);
    }
}
