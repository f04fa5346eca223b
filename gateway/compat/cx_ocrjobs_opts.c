/* The reference's option members to and from v1 options (cx_ocrjobs.h): one row per member. The v1 options
 * table (jobs/job_opts.c) stays the one definition of each option's range and meaning; a row here only says
 * which option a member sets and how its value translates. Pure, any thread. */
#include "engine/eng_barcode.h"
#include "engine/eng_pdf_in.h"
#include "gateway/compat/cx_ocrjobs_map.h"
#include "jobs/job_opts.h"
#include "engine/eng_utf8.h"

#include <stdarg.h>
#include <string.h>

typedef enum {
    M_BOOL,     /* a v1 boolean of its own */
    M_INT,      /* a v1 integer of its own */
    M_STRING,   /* a v1 string of its own */
    M_OUTPUT,   /* one output format in v1's outputs */
    M_BORDER,   /* ClearBorder, DeleteBorder: both are v1's removeBorder */
    M_LANGS,    /* language names -> languages */
    M_PDF_TEXT, /* IntelligentPDFProcessing -> pdfTextPolicy */
    M_DPI,      /* RenderResolution -> dpi */
    M_FILTER,   /* BarcodeFilter bits -> barcodeTypes */
    M_NOISE,    /* BlankPagesMaxNoise -> blankPageMaxNoise (the same percent) */
    M_RETENTION,
    M_FIXED,    /* accepted only with the values ocrgate produces (lo..hi); no v1 option */
    M_ANY_BOOL, /* any boolean, without effect; shown as `def` */
    M_READONLY, /* ignored on input: a job object read back may be sent again */
} kind_t;

typedef struct {
    const char *member;
    kind_t kind;
    const char *v1;  /* the v1 option (or output format) */
    int def;         /* the reference's default (booleans 0/1) */
    int lo, hi;      /* M_FIXED and M_INT: accepted values; M_FIXED shows `def` */
    const char *why; /* M_FIXED: why other values are refused */
} member_t;

/* In the order of the reference's example job object (read-only members first, set by cx_job_object). */
static const member_t MEMBERS[] = {
    {"Id", M_READONLY, NULL, 0, 0, 0, NULL},
    {"TemplateId", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Guid", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Status", M_READONLY, NULL, 0, 0, 0, NULL},
    {"ErrorDescription", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Created", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Modified", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Finished", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Scheduled", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Started", M_READONLY, NULL, 0, 0, 0, NULL},
    {"NumberOfPages", M_READONLY, NULL, 0, 0, 0, NULL},
    {"IsTemplate", M_READONLY, NULL, 0, 0, 0, NULL},
    {"UserName", M_READONLY, NULL, 0, 0, 0, NULL},
    {"FileUploaded", M_READONLY, NULL, 0, 0, 0, NULL},
    {"Descr", M_STRING, "description", 0, 0, 0, NULL},
    {"CorrelationId", M_STRING, "correlationId", 0, 0, 0, NULL},
    {"Autostart", M_BOOL, "autostart", 1, 0, 0, NULL},
    {"RetentionDays", M_RETENTION, "retentionDays", 0, 0, 0, NULL},
    {"PdfOutput", M_OUTPUT, "pdf", 1, 0, 0, NULL},
    {"TxtOutput", M_OUTPUT, "text", 0, 0, 0, NULL},
    {"DocxOutput", M_OUTPUT, "docx", 0, 0, 0, NULL},
    {"XmlOutput", M_OUTPUT, "alto", 0, 0, 0, NULL},
    {"RtfOutput", M_OUTPUT, "rtf", 0, 0, 0, NULL},
    {"OdtOutput", M_OUTPUT, "odt", 0, 0, 0, NULL},
    {"MhtOutput", M_OUTPUT, "mht", 0, 0, 0, NULL},
    {"EpubOutput", M_OUTPUT, "epub", 0, 0, 0, NULL},
    {"PdfConformance", M_FIXED, NULL, 0, 0, 0, "the searchable PDF is PDF 1.5+; PDF/A (1-6) is not produced"},
    {"PdfTitle", M_STRING, "pdfTitle", 0, 0, 0, NULL},
    {"PdfSubject", M_STRING, "pdfSubject", 0, 0, 0, NULL},
    {"PdfAuthor", M_STRING, "pdfAuthor", 0, 0, 0, NULL},
    {"PdfKeywords", M_STRING, "pdfKeywords", 0, 0, 0, NULL},
    {"BWCompression", M_FIXED, NULL, 0, 0, 0,
     "black and white images are stored with CCITT Group 4 (0); the PDF renderer cannot write RLE"},
    {"ColorCompression", M_FIXED, NULL, 1, 0, 2,
     "gray and color images are stored as JPEG (0-2, at the renderer's one quality); it cannot write LZW"},
    {"Deskew", M_BOOL, "deskew", 0, 0, 0, NULL},
    {"DeskewAdjustPaperSize", M_BOOL, "deskewAdjustPaperSize", 0, 0, 0, NULL},
    {"AutoOrientation", M_BOOL, "autoRotate", 0, 0, 0, NULL},
    {"ClearBorder", M_BORDER, "removeBorder", 0, 0, 0, NULL},
    {"DeleteBorder", M_BORDER, "removeBorder", 0, 0, 0, NULL},
    {"Despeckle", M_BOOL, "despeckle", 0, 0, 0, NULL},
    {"RemoveColorNoise", M_BOOL, "removeColorNoise", 0, 0, 0, NULL},
    {"RemoveHalftone", M_BOOL, "removeHalftone", 0, 0, 0, NULL},
    {"RemoveHolePunch", M_BOOL, "removeHolePunch", 0, 0, 0, NULL},
    {"Binarize", M_BOOL, "binarize", 0, 0, 0, NULL},
    {"ImproveText", M_BOOL, "improveText", 0, 0, 0, NULL},
    {"RecognitionLanguages", M_LANGS, "languages", 0, 0, 0, NULL},
    {"MinConfidence", M_INT, "minConfidence", 60, 0, 100, NULL},
    {"NrOfOCRThreads", M_INT, "maxParallelPages", 2, 1, 32, NULL},
    {"FastMode", M_BOOL, "fastMode", 0, 0, 0, NULL},
    /* Recognition never reports regions of white space as text, so both values have the same effect. */
    {"RemoveWhiteSpaceRegions", M_ANY_BOOL, NULL, 1, 0, 0, NULL},
    {"IntelligentPDFProcessing", M_PDF_TEXT, "pdfTextPolicy", 0, 0, 0, NULL},
    {"RenderResolution", M_DPI, "dpi", 200, 70, 300, NULL},
    /* In the reference's example, not in its table: accepted, without effect (pages are rendered losslessly).
     */
    {"RenderQuality", M_FIXED, NULL, 60, 0, 100, NULL},
    {"DetectBarcodes", M_BOOL, "detectBarcodes", 0, 0, 0, NULL},
    {"Barcodes", M_READONLY, NULL, 0, 0, 0, NULL},
    {"BarcodeFilter", M_FILTER, "barcodeTypes", 0, 0, 0, NULL},
    /* zbar reads bars in both directions on every page: 1 and 2 find what they would and perhaps more. */
    {"BarcodeDirection", M_FIXED, NULL, 3, 1, 3, NULL},
    {"DeleteBlankPages", M_BOOL, "deleteBlankPages", 0, 0, 0, NULL},
    {"BlankPagesMaxNoise", M_NOISE, "blankPageMaxNoise", 0, 0, 0, NULL},
};
#define NMEMBERS (sizeof(MEMBERS) / sizeof(MEMBERS[0]))

/* Recognition languages by the reference's English names, and their tesseract codes. */
static const struct {
    const char *code, *name;
} LANGS[] = {
    {"eng", "English"},
    {"deu", "German"},
    {"fra", "French"},
    {"spa", "Spanish"},
    {"ita", "Italian"},
    {"por", "Portuguese"},
    {"nld", "Dutch"},
    {"dan", "Danish"},
    {"swe", "Swedish"},
    {"nor", "Norwegian"},
    {"fin", "Finnish"},
    {"isl", "Icelandic"},
    {"pol", "Polish"},
    {"ces", "Czech"},
    {"slk", "Slovak"},
    {"slv", "Slovenian"},
    {"hrv", "Croatian"},
    {"srp", "Serbian"},
    {"hun", "Hungarian"},
    {"ron", "Romanian"},
    {"bul", "Bulgarian"},
    {"rus", "Russian"},
    {"ukr", "Ukrainian"},
    {"bel", "Belarusian"},
    {"ell", "Greek"},
    {"tur", "Turkish"},
    {"est", "Estonian"},
    {"lav", "Latvian"},
    {"lit", "Lithuanian"},
    {"cat", "Catalan"},
    {"eus", "Basque"},
    {"glg", "Galician"},
    {"gle", "Irish"},
    {"cym", "Welsh"},
    {"lat", "Latin"},
    {"heb", "Hebrew"},
    {"ara", "Arabic"},
    {"hin", "Hindi"},
    {"tha", "Thai"},
    {"vie", "Vietnamese"},
    {"ind", "Indonesian"},
    {"msa", "Malay"},
    {"jpn", "Japanese"},
    {"kor", "Korean"},
    {"chi_sim", "ChineseSimplified"},
    {"chi_tra", "ChineseTraditional"},
};
#define NLANGS (sizeof(LANGS) / sizeof(LANGS[0]))

const char *cx_language_name(const char *code)
{
    for (size_t i = 0; i < NLANGS; ++i)
        if (strcmp(LANGS[i].code, code) == 0)
            return LANGS[i].name;
    return code;
}

/* The code of a name (or of a code, case-insensitive), or NULL. */
static const char *language_code(const char *s, size_t n)
{
    for (size_t i = 0; i < NLANGS; ++i)
        if ((strlen(LANGS[i].name) == n && strncasecmp(LANGS[i].name, s, n) == 0) ||
            (strlen(LANGS[i].code) == n && strncasecmp(LANGS[i].code, s, n) == 0))
            return LANGS[i].code;
    return NULL;
}

const char *cx_member_of(const char *v1_option)
{
    if (strcmp(v1_option, "outputs") == 0)
        return "PdfOutput";
    for (size_t i = 0; i < NMEMBERS; ++i)
        if (MEMBERS[i].v1 != NULL && MEMBERS[i].kind != M_OUTPUT && strcmp(MEMBERS[i].v1, v1_option) == 0)
            return MEMBERS[i].member;
    return NULL;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* "English;German" or "English, German" as "eng+deu". */
static int languages(const member_t *m, const char *s, json_t *out, char *err, size_t errlen)
{
    char codes[256] = "";
    size_t o = 0;
    while (*s) {
        while (*s == ' ' || *s == ';' || *s == ',')
            ++s;
        size_t n = strcspn(s, ";,");
        size_t k = n;
        while (k > 0 && s[k - 1] == ' ')
            --k;
        if (k > 0) {
            const char *code = language_code(s, k);
            if (code == NULL)
                return fail(err, errlen,
                            "%s: unknown language '%.*s' (GET languages lists the installed ones)", m->member,
                            eng_utf8_cut(s, k > 64 ? 64 : k), s);
            if (o + strlen(code) + 2 >= sizeof(codes))
                return fail(err, errlen, "%s names too many languages", m->member);
            o += (size_t)snprintf(codes + o, sizeof(codes) - o, "%s%s", o > 0 ? "+" : "", code);
        }
        s += n;
    }
    if (o == 0)
        return fail(err, errlen, "%s names no language", m->member);
    json_object_set_new(out, m->v1, json_string(codes));
    return 0;
}

/* Sets a member that only exists once its v1 option does (an option added by another change): before that
 * only its default is accepted, and nothing is sent. */
static int optional_option(const member_t *m, json_t *v, int is_default, json_t *out, char *err,
                           size_t errlen)
{
    if (job_opt_find(m->v1) != NULL) {
        json_object_set(out, m->v1, v);
        return 0;
    }
    if (is_default)
        return 0;
    return fail(err, errlen, "%s is not available on this server", m->member);
}

/* One member's value into out (and into *outputs for the output flags). */
static int member_to_v1(const member_t *m, json_t *v, json_t *out, json_t *outputs, int *border, char *err,
                        size_t errlen)
{
    if (json_is_null(v) || m->kind == M_READONLY)
        return 0;
    switch (m->kind) {
    case M_BOOL:
    case M_OUTPUT:
    case M_BORDER:
    case M_PDF_TEXT:
    case M_ANY_BOOL:
        if (!json_is_boolean(v))
            return fail(err, errlen, "%s must be true or false", m->member);
        break;
    case M_STRING:
    case M_LANGS:
        if (!json_is_string(v))
            return fail(err, errlen, "%s must be a string", m->member);
        break;
    case M_NOISE:
        if (!json_is_number(v))
            return fail(err, errlen, "%s must be a number", m->member);
        break;
    default:
        if (!json_is_integer(v))
            return fail(err, errlen, "%s must be an integer", m->member);
    }
    json_int_t n = json_integer_value(v);
    switch (m->kind) {
    case M_BOOL:
        if (job_opt_find(m->v1) == NULL)
            return optional_option(m, v, json_is_true(v) == (m->def != 0), out, err, errlen);
        json_object_set(out, m->v1, v);
        return 0;
    case M_INT:
        if (n < m->lo || n > m->hi)
            return fail(err, errlen, "%s must be between %d and %d", m->member, m->lo, m->hi);
        if (job_opt_find(m->v1) == NULL)
            return optional_option(m, v, n == m->def, out, err, errlen);
        json_object_set(out, m->v1, v);
        return 0;
    case M_STRING:
        /* The reference shows an unset text as "", which v1 clears with null. */
        json_object_set_new(out, m->v1, json_string_length(v) > 0 ? json_incref(v) : json_null());
        return 0;
    case M_OUTPUT: {
        size_t i;
        json_t *f;
        json_array_foreach(outputs, i, f)
        {
            if (strcmp(json_string_value(f), m->v1) == 0)
                break;
        }
        if (json_is_true(v) && i == json_array_size(outputs))
            json_array_append_new(outputs, json_string(m->v1));
        else if (json_is_false(v) && i < json_array_size(outputs))
            json_array_remove(outputs, i);
        return 0;
    }
    case M_BORDER:
        *border = *border == 1 || json_is_true(v);
        return 0;
    case M_LANGS:
        return languages(m, json_string_value(v), out, err, errlen);
    case M_PDF_TEXT:
        json_object_set_new(out, m->v1, json_string(json_is_true(v) ? "skipTextPages" : "ocr"));
        return 0;
    case M_DPI:
        if (n < 50 || n > 300)
            return fail(err, errlen, "%s must be between 50 and 300", m->member);
        if (n < m->lo)
            return fail(err, errlen, "%s below %d dpi is not supported: recognition needs at least %d",
                        m->member, m->lo, m->lo);
        json_object_set(out, m->v1, v);
        return 0;
    case M_FILTER: {
        if (n < 0 || (n & ~(json_int_t)ENG_BARCODE_ALL) != 0)
            return fail(err, errlen, "%s must be a combination of the bits 0x01 to 0x200", m->member);
        if (n == 0) { /* 0 is every type: v1's default */
            json_object_set_new(out, m->v1, json_null());
            return 0;
        }
        json_t *types = json_array();
        for (int code = 1; code <= 10; ++code) {
            const eng_barcode_type_t *t = eng_barcode_type_by_code(code);
            if (t != NULL && (n & (json_int_t)ENG_BARCODE_BIT(t)) != 0)
                json_array_append_new(types, json_string(t->name));
        }
        json_object_set_new(out, m->v1, types);
        return 0;
    }
    case M_NOISE: {
        double d = json_number_value(v);
        if (!(d >= 0.01 && d <= 100))
            return fail(err, errlen, "%s must be between 0.01 and 100", m->member);
        json_object_set_new(out, m->v1, json_real(d));
        return 0;
    }
    case M_RETENTION:
        json_object_set(out, m->v1, v);
        return 0;
    case M_FIXED:
        if (n < m->lo || n > m->hi)
            return fail(err, errlen, "%s %lld is not supported: %s", m->member, (long long)n,
                        m->why != NULL ? m->why : "out of range");
        return 0;
    case M_ANY_BOOL:
    case M_READONLY:
        break;
    }
    return 0;
}

int cx_opts_to_v1(const json_t *in, const json_t *base, int max_retention_days, json_t *out, char *err,
                  size_t errlen)
{
    if (in != NULL && !json_is_object(in))
        return fail(err, errlen, "the body must be a JSON job object");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        size_t i = 0;
        while (i < NMEMBERS && strcmp(MEMBERS[i].member, k) != 0)
            ++i;
        if (i == NMEMBERS)
            return fail(err, errlen, "unknown member '%.*s' (see the job object's members)",
                        eng_utf8_cut(k, 64), k);
    }
    json_t *outputs = base != NULL ? json_deep_copy(json_object_get(base, "outputs")) : NULL;
    int border = -1;
    if (!json_is_array(outputs)) {
        json_decref(outputs);
        outputs = json_pack("[s]", "pdf");
    }
    if (base == NULL) {
        /* The reference's defaults where they differ from v1's. */
        json_object_set_new(out, "minConfidence", json_integer(60));
        json_object_set_new(out, "dpi", json_integer(200));
        json_object_set_new(out, "retentionDays", json_integer(max_retention_days));
        json_object_set_new(out, "blankPageMaxNoise", json_real(0.5));
        if (job_opt_find("maxParallelPages") != NULL)
            json_object_set_new(out, "maxParallelPages", json_integer(2));
    }
    int rc = 0;
    for (size_t i = 0; i < NMEMBERS && rc == 0; ++i) {
        json_t *mv = json_object_get(in, MEMBERS[i].member);
        if (mv != NULL)
            rc = member_to_v1(&MEMBERS[i], mv, out, outputs, &border, err, errlen);
    }
    if (rc == 0 && border >= 0)
        json_object_set_new(out, "removeBorder", json_boolean(border));
    if (rc == 0)
        json_object_set(out, "outputs", outputs);
    json_decref(outputs);
    return rc;
}

static int has_output(const json_t *outputs, const char *f)
{
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)outputs, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), f) == 0)
            return 1;
    }
    return 0;
}

/* "eng+deu" as "English;German". */
static json_t *language_names(const char *codes)
{
    char buf[512] = "";
    size_t o = 0;
    while (codes != NULL && *codes && o < sizeof(buf) - 1) {
        size_t n = strcspn(codes, "+");
        char code[32];
        snprintf(code, sizeof(code), "%.*s", (int)(n < 31 ? n : 31), codes);
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o > 0 ? ";" : "", cx_language_name(code));
        codes += n + (codes[n] == '+');
    }
    return json_string(o > 0 ? buf : "English");
}

void cx_opts_from_v1(const json_t *o, json_t *job)
{
    const json_t *outputs = json_object_get(o, "outputs");
    for (size_t i = 0; i < NMEMBERS; ++i) {
        const member_t *m = &MEMBERS[i];
        json_t *v = m->v1 != NULL ? json_object_get(o, m->v1) : NULL;
        json_t *out = NULL;
        switch (m->kind) {
        case M_READONLY:
            if (strcmp(m->member, "Barcodes") == 0)
                out = json_array(); /* filled in by cx_job_object; here for its place */
            break;
        case M_BOOL:
        case M_BORDER:
            out = json_boolean(v != NULL ? json_is_true(v) : m->def);
            break;
        case M_INT:
        case M_RETENTION:
            out = json_integer(json_is_integer(v) ? json_integer_value(v) : m->def);
            break;
        case M_DPI: /* without one, PDF pages are rendered at the engine's default */
            out = json_integer(json_is_integer(v) ? json_integer_value(v) : ENG_PDFIN_DEFAULT_DPI);
            break;
        case M_STRING:
            if (strcmp(m->member, "Descr") != 0 && strcmp(m->member, "CorrelationId") != 0)
                out = json_string(json_is_string(v) ? json_string_value(v) : "");
            break;
        case M_OUTPUT:
            out = json_boolean(has_output(outputs, m->v1));
            break;
        case M_LANGS:
            out = language_names(json_string_value(v));
            break;
        case M_PDF_TEXT:
            out = json_boolean(json_is_string(v) && strcmp(json_string_value(v), "skipTextPages") == 0);
            break;
        case M_FILTER: {
            json_int_t bits = 0;
            size_t k;
            json_t *t;
            json_array_foreach(v, k, t)
            {
                const char *name = json_string_value(t);
                const eng_barcode_type_t *bt =
                    name != NULL ? eng_barcode_type_findn(name, strlen(name)) : NULL;
                if (bt != NULL)
                    bits |= (json_int_t)ENG_BARCODE_BIT(bt);
            }
            out = json_integer(bits == ENG_BARCODE_ALL ? 0 : bits); /* 0: every type */
            break;
        }
        case M_NOISE:
            out = json_real(json_is_number(v) ? json_number_value(v) : 0.5);
            break;
        case M_FIXED:
            out = json_integer(m->def);
            break;
        case M_ANY_BOOL:
            out = json_boolean(m->def);
            break;
        }
        if (out != NULL)
            json_object_set_new(job, m->member, out);
    }
}
