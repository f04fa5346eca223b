/* unit.engine.limits: the tier limits check shared by the upload and the job runner. */
#include "engine/eng_limits.h"
#include "engine/eng_ocr.h"

#include <string.h>

#include "tests/unit/tap.h"

int main(void)
{
    eng_limits_t lim = {3, 1000000};
    eng_page_info_t ok_pages[2] = {{1000, 1000, 300, 1}, {800, 1200, 300, 8}};
    eng_page_info_t big[2] = {{1000, 1000, 300, 1}, {1001, 1000, 300, 8}};
    eng_page_info_t tall[1] = {{10, ENG_MAX_SIDE + 1, 300, 1}};
    char msg[256] = "";

    is_int(eng_limits_check(&lim, ENG_DOC_OK, 2, ok_pages, msg, sizeof(msg)), 0,
           "pages at the pixel limit pass");
    is_int(eng_limits_check(&lim, ENG_DOC_OK, 2, big, msg, sizeof(msg)), -1,
           "one pixel over the limit fails");
    is_str(msg, "page 2 is 1001x1000 pixels; this tier allows 1000000 pixels per page and 32767 per side",
           "the sentence names the page, its size and the limits");
    lim.max_pixels = 1LL << 40;
    is_int(eng_limits_check(&lim, ENG_DOC_OK, 1, tall, msg, sizeof(msg)), -1,
           "a side over tesseract's limit fails");
    ok(strstr(msg, "page 1 is 10x32768") != NULL, "side: %s", msg);
    is_int(eng_limits_check(&lim, ENG_DOC_TOO_MANY_PAGES, 4, NULL, msg, sizeof(msg)), -1,
           "too many pages fails");
    is_str(msg, "the document has more than 3 pages, this tier's limit", "pages sentence");
    is_int(eng_limits_check(&lim, ENG_DOC_ERR, 0, NULL, msg, sizeof(msg)), 0,
           "an unreadable document is the caller's to report");

    /* Oversize PDF pages: the largest dpi at which the page fits, not below 150. A letter page at 300 dpi is
     * 2550x3300; 4,000,000 pixels allow 206 dpi (1752x2267). */
    eng_limits_t small = {10, 4000000};
    eng_page_info_t letter = {2550, 3300, 300, 32}, huge = {6000, 6000, 300, 32};
    is_int(eng_limits_pdf_dpi(&lim, &letter, 300), 300, "a page that fits keeps its dpi");
    int d = eng_limits_pdf_dpi(&small, &letter, 300);
    ok(d >= 200 && d <= 206, "an oversize page gets the largest dpi that fits (%d)", d);
    ok((2550LL * d / 300 + 2) * (3300LL * d / 300 + 2) <= 4000000, "at that dpi it fits, rounding included");
    is_int(eng_limits_pdf_dpi(&small, &huge, 300), 0, "a page that needs less than 150 dpi is refused");
    eng_page_info_t wide = {40000, 100, 300, 32};
    d = eng_limits_pdf_dpi(&lim, &wide, 300);
    ok(d >= ENG_LIMITS_MIN_PDF_DPI && (40000LL * d / 300 + 2) <= ENG_MAX_SIDE,
       "the side limit counts too (%d)", d);
    return done_testing();
}
