/* unit.engine.pages: the `pages` option: accepted forms, selection answers, and an error sentence naming the
 * problem for each kind of malformed input. */
#include "engine/eng_pages.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/tap.h"

static int parse(const char *s, eng_pages_t *p, char *err, size_t errlen)
{
    return eng_pages_parse(s, strlen(s), p, err, errlen);
}

/* The selection of s among pages 1..n as a string "1,2,3,5". */
static const char *selected(const char *s, int n)
{
    static char out[512], err[256];
    eng_pages_t p;
    size_t off = 0;
    if (parse(s, &p, err, sizeof(err)) != 0)
        return err;
    out[0] = '\0';
    for (int i = 1; i <= n; ++i)
        if (eng_pages_selected(&p, i))
            off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%d", off > 0 ? "," : "", i);
    return out;
}

static void bad(const char *s, const char *want_in_err)
{
    eng_pages_t p;
    char err[256] = "";
    int rc = parse(s, &p, err, sizeof(err));
    ok(rc == -1 && strstr(err, want_in_err) != NULL && p.nparts == 0, "'%s' refused: %s", s, err);
    if (rc == -1 && strstr(err, want_in_err) == NULL)
        printf("#  want in the sentence: '%s'\n", want_in_err);
}

int main(void)
{
    eng_pages_t p;
    char err[256], longopt[300];

    is_str(selected("1-3,5,8-", 10), "1,2,3,5,8,9,10", "1-3,5,8- of 10 pages");
    is_str(selected("2", 5), "2", "one page");
    is_str(selected("2-9", 5), "2,3,4,5", "a range past the end stops at the end");
    is_str(selected(" 1 - 2 , 4 ", 5), "1,2,4", "spaces around numbers, dashes and commas");
    is_str(selected("3-3", 5), "3", "a range of one page");
    is_str(selected("1-", 3), "1,2,3", "an open range from 1");

    ok(parse("8-", &p, err, sizeof(err)) == 0, "'8-' parses");
    ok(!eng_pages_any(&p, 5) && eng_pages_count(&p, 5) == 0, "'8-' selects no page of 5");
    ok(eng_pages_any(&p, 8) && eng_pages_count(&p, 8) == 1, "'8-' selects page 8 of 8");
    ok(!eng_pages_selected(&p, 0) && !eng_pages_selected(&p, -1), "page 0 and negative pages never selected");
    ok(parse("1-3,5,8-", &p, err, sizeof(err)) == 0 && eng_pages_count(&p, 10) == 7 &&
           eng_pages_count(&p, 4) == 3 && eng_pages_count(&p, 0) == 0,
       "counts: 7 of 10, 3 of 4, 0 of 0");
    eng_pages_t all = {0};
    ok(eng_pages_selected(&all, 7) && eng_pages_count(&all, 9) == 9 && eng_pages_any(&all, 1) &&
           eng_pages_selected(NULL, 3),
       "no selection (or NULL) selects every page");
    ok(parse("100000", &p, err, sizeof(err)) == 0 && eng_pages_selected(&p, ENG_PAGES_MAX_PAGE),
       "the highest page number is accepted");

    bad("", "is empty");
    bad("   ", "is empty");
    bad("1,,3", "empty part at position 3");
    bad(",1", "empty part at position 1");
    bad("1,", "empty part at position 3");
    bad("0", "page 0; pages are numbered from 1");
    bad("0-3", "page 0");
    bad("3-0", "page 0");
    bad("5-3", "reversed range 5-3");
    bad("-3", "range without a first page");
    bad("1-2-3", "second '-'");
    bad("a", "'a' at position 1");
    bad("1-x", "'x' at position 3");
    bad("1.5", "'.' at position 2");
    bad("1;2", "';' at position 2");
    bad("+1", "'+' at position 1");
    bad("1 2", "a space between two numbers at position 2");
    bad("100001", "page 100001; the highest page number is 100000");
    bad("99999999999999999999999", "the highest page number is 100000");
    bad("5,3", "not in document order: page 3 does not come after page 5");
    bad("1-5,3", "not in document order: page 3 does not come after page 5");
    bad("2,2", "not in document order");
    bad("3-,9", "the open range 3- must be the last part");
    memset(longopt, '1', 201);
    longopt[201] = '\0';
    bad(longopt, "201 characters long; at most 200");
    bad("1,\xff", "'?' at position 3");

    /* The longest option accepted: page after page up to 200 characters. */
    size_t off = 0;
    for (int i = 1; off + 4 <= ENG_PAGES_MAX_LEN; ++i)
        off += (size_t)snprintf(longopt + off, sizeof(longopt) - off, "%s%d", i > 1 ? "," : "", i);
    int rc = parse(longopt, &p, err, sizeof(err));
    ok(rc == 0 && p.nparts > 50 && eng_pages_selected(&p, p.nparts) && !eng_pages_selected(&p, p.nparts + 1),
       "%zu characters, %d parts accepted", strlen(longopt), p.nparts);
    ok(parse("1,3,5,7,9", &p, err, sizeof(err)) == 0 && p.nparts == 5, "five parts kept");

    /* Random strings over the option's alphabet (and a stray byte): every answer is a success whose parts are
     * in document order, or a failure with a sentence and no selection. Deterministic (fixed seed). */
    static const char abc[] = "0123456789--,, x\xff";
    unsigned seed = 12345, bad_answers = 0, accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        char s[40];
        size_t n = (seed = seed * 1103515245u + 12345u) >> 16 & 31;
        for (size_t i = 0; i < n; ++i)
            s[i] = abc[((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof(abc) - 1)];
        err[0] = '\0';
        if (eng_pages_parse(s, n, &p, err, sizeof(err)) == 0) {
            ++accepted;
            for (int i = 0; i < p.nparts; ++i)
                if (p.part[i].first < 1 || (p.part[i].last != 0 && p.part[i].last < p.part[i].first) ||
                    (i > 0 && (p.part[i - 1].last == 0 || p.part[i].first <= p.part[i - 1].last)))
                    ++bad_answers;
        } else if (p.nparts != 0 || err[0] == '\0') {
            ++bad_answers;
        }
    }
    ok(bad_answers == 0 && accepted > 100, "20000 random options: %u accepted, all answers well-formed",
       accepted);
    return done_testing();
}
