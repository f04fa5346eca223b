/* The `pages` option parser and selection (see eng_pages.h). */
#include "engine/eng_pages.h"

#include <string.h>

#include "engine/eng_doc.h"
#include "engine/eng_util.h"

_Static_assert(ENG_PAGES_MAX_PAGE == ENG_DOC_MAX_PAGES_HARD, "the highest page is the engine's page limit");

typedef struct {
    const char *s;
    size_t len, i;
} cursor_t;

static void skip_spaces(cursor_t *c)
{
    while (c->i < c->len && c->s[c->i] == ' ')
        ++c->i;
}

/* A page number at the cursor: 1 if one was read into *v, 0 if there is no digit, -1 (err set) if bad. */
static int number(cursor_t *c, const char *opt, int *v, char *err, size_t errlen)
{
    size_t start = c->i;
    long val = 0;
    while (c->i < c->len && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
        if (val <= ENG_PAGES_MAX_PAGE)
            val = val * 10 + (c->s[c->i] - '0');
        ++c->i;
    }
    if (c->i == start)
        return 0;
    if (val > ENG_PAGES_MAX_PAGE) {
        eng__set_err(err, errlen, "The pages option '%s' names page %.*s; the highest page number is %d.",
                     opt, (int)(c->i - start), c->s + start, ENG_PAGES_MAX_PAGE);
        return -1;
    }
    if (val == 0) {
        eng__set_err(err, errlen, "The pages option '%s' names page 0; pages are numbered from 1.", opt);
        return -1;
    }
    *v = (int)val;
    return 1;
}

int eng_pages_parse(const char *s, size_t len, eng_pages_t *out, char *err, size_t errlen)
{
    char opt[ENG_PAGES_MAX_LEN + 1];
    cursor_t c = {s, len, 0};
    int prev_last = 0;

    out->nparts = 0;
    if (len > ENG_PAGES_MAX_LEN) {
        eng__set_err(err, errlen, "The pages option is %zu characters long; at most %d are accepted.", len,
                     ENG_PAGES_MAX_LEN);
        return -1;
    }
    /* The option quoted in sentences; bytes that are not printable ASCII are shown as '?'. */
    for (size_t i = 0; i < len; ++i)
        opt[i] = s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\'' ? s[i] : '?';
    opt[len] = '\0';
    skip_spaces(&c);
    if (c.i == len) {
        eng__set_err(err, errlen,
                     "The pages option is empty; give page numbers or ranges such as '1-3,5,8-'.");
        return -1;
    }
    for (;;) {
        int first, last = 0, rc;
        size_t part_at = c.i;
        skip_spaces(&c);
        if ((rc = number(&c, opt, &first, err, errlen)) < 0)
            goto Fail;
        if (rc == 0) {
            if (c.i == len || s[c.i] == ',')
                eng__set_err(err, errlen, "The pages option '%s' has an empty part at position %zu.", opt,
                             part_at + 1);
            else if (s[c.i] == '-')
                eng__set_err(err, errlen,
                             "The pages option '%s' has a range without a first page at position %zu.", opt,
                             c.i + 1);
            else
                eng__set_err(err, errlen,
                             "The pages option '%s' has '%c' at position %zu; only digits, '-' and ',' are "
                             "allowed.",
                             opt, opt[c.i], c.i + 1);
            goto Fail;
        }
        skip_spaces(&c);
        int range = c.i < len && s[c.i] == '-';
        if (range) {
            ++c.i;
            skip_spaces(&c);
            if ((rc = number(&c, opt, &last, err, errlen)) < 0)
                goto Fail;
            if (rc == 1 && last < first) {
                eng__set_err(err, errlen, "The pages option '%s' has the reversed range %d-%d.", opt, first,
                             last);
                goto Fail;
            }
            skip_spaces(&c);
        } else {
            last = first;
        }
        if (c.i < len && s[c.i] == '-') {
            eng__set_err(err, errlen, "The pages option '%s' has a second '-' in one range at position %zu.",
                         opt, c.i + 1);
            goto Fail;
        }
        if (c.i < len && s[c.i] >= '0' && s[c.i] <= '9') {
            eng__set_err(
                err, errlen,
                "The pages option '%s' has a space between two numbers at position %zu; separate parts "
                "with ','.",
                opt, c.i);
            goto Fail;
        }
        if (c.i < len && s[c.i] != ',') {
            eng__set_err(
                err, errlen,
                "The pages option '%s' has '%c' at position %zu; only digits, '-' and ',' are allowed.", opt,
                opt[c.i], c.i + 1);
            goto Fail;
        }
        if (out->nparts > 0 && prev_last == 0) {
            eng__set_err(
                err, errlen,
                "The pages option '%s' is not in document order: the open range %d- must be the last part.",
                opt, out->part[out->nparts - 1].first);
            goto Fail;
        }
        if (out->nparts > 0 && first <= prev_last) {
            eng__set_err(
                err, errlen,
                "The pages option '%s' is not in document order: page %d does not come after page %d.", opt,
                first, prev_last);
            goto Fail;
        }
        if (out->nparts == ENG_PAGES_MAX_PARTS) {
            eng__set_err(err, errlen, "The pages option '%s' has more than %d parts.", opt,
                         ENG_PAGES_MAX_PARTS);
            goto Fail;
        }
        out->part[out->nparts].first = first;
        out->part[out->nparts].last = last;
        out->nparts++;
        prev_last = last;
        if (c.i == len)
            return 0;
        ++c.i; /* the comma */
    }
Fail:
    out->nparts = 0;
    return -1;
}

int eng_pages_selected(const eng_pages_t *p, int n)
{
    if (n < 1)
        return 0;
    if (p == NULL || p->nparts == 0)
        return 1;
    for (int i = 0; i < p->nparts; ++i)
        if (n >= p->part[i].first && (p->part[i].last == 0 || n <= p->part[i].last))
            return 1;
    return 0;
}

int eng_pages_count(const eng_pages_t *p, int npages)
{
    int n = 0;
    if (npages < 1)
        return 0;
    if (p == NULL || p->nparts == 0)
        return npages;
    for (int i = 0; i < p->nparts; ++i) {
        int first = p->part[i].first,
            last = p->part[i].last == 0 || p->part[i].last > npages ? npages : p->part[i].last;
        if (first <= last)
            n += last - first + 1; /* parts never overlap: they are in document order */
    }
    return n;
}

int eng_pages_any(const eng_pages_t *p, int npages)
{
    return eng_pages_count(p, npages) > 0;
}
