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
    return done_testing();
}
