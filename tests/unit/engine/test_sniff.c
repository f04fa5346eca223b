/* unit.engine.sniff: format detection by magic bytes and MIME mapping. */
#include "engine/eng_sniff.h"

#include <string.h>

#include "tests/unit/tap.h"

static eng_format_t sniff_str(const char *s, size_t n)
{
    return eng_sniff(s, n);
}

int main(void)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};
    static const unsigned char tiff_le[] = {'I', 'I', 42, 0, 8, 0, 0, 0};
    static const unsigned char tiff_be[] = {'M', 'M', 0, 42, 0, 0, 0, 8};
    static const unsigned char bigtiff[] = {'I', 'I', 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0};
    unsigned char bmp[54] = {'B', 'M'};
    bmp[14] = 40; /* BITMAPINFOHEADER */
    unsigned char bmp_bad[54] = {'B', 'M'};
    bmp_bad[14] = 41;
    static const char gif87[] = "GIF87a\x10\x00\x10\x00\x00\x00\x00";
    static const char gif89[] = "GIF89a\x10\x00\x10\x00\x00\x00\x00";
    static const char webp[] = "RIFF\x24\x00\x00\x00WEBPVP8 ";
    static const char riff_wav[] = "RIFF\x24\x00\x00\x00WAVEfmt ";
    static const char pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    char pdf_junk[64];
    memset(pdf_junk, 'x', sizeof(pdf_junk));
    memcpy(pdf_junk + 20, "%PDF-1.4", 8);

    is_int(eng_sniff(png, sizeof(png)), ENG_FMT_PNG, "PNG signature");
    is_int(eng_sniff(png, 7), ENG_FMT_UNKNOWN, "PNG signature cut to 7 bytes is unknown");
    is_int(eng_sniff(jpeg, sizeof(jpeg)), ENG_FMT_JPEG, "JPEG SOI + marker");
    is_int(eng_sniff(jpeg, 2), ENG_FMT_UNKNOWN, "JPEG SOI alone (2 bytes) is unknown");
    is_int(eng_sniff(tiff_le, sizeof(tiff_le)), ENG_FMT_TIFF, "TIFF little-endian");
    is_int(eng_sniff(tiff_be, sizeof(tiff_be)), ENG_FMT_TIFF, "TIFF big-endian");
    is_int(eng_sniff(bigtiff, sizeof(bigtiff)), ENG_FMT_TIFF, "BigTIFF");
    is_int(eng_sniff(tiff_le, 4), ENG_FMT_UNKNOWN, "TIFF without the IFD offset is unknown");
    is_int(eng_sniff(bmp, sizeof(bmp)), ENG_FMT_BMP, "BMP with BITMAPINFOHEADER");
    is_int(eng_sniff(bmp_bad, sizeof(bmp_bad)), ENG_FMT_UNKNOWN,
           "\"BM\" with an impossible header size is unknown");
    is_int(sniff_str("BM is a text file, not an image......", 37), ENG_FMT_UNKNOWN, "text starting with BM");
    is_int(sniff_str(gif87, sizeof(gif87) - 1), ENG_FMT_GIF, "GIF87a");
    is_int(sniff_str(gif89, sizeof(gif89) - 1), ENG_FMT_GIF, "GIF89a");
    is_int(sniff_str("GIF8", 4), ENG_FMT_UNKNOWN, "truncated GIF signature");
    is_int(sniff_str(webp, sizeof(webp) - 1), ENG_FMT_WEBP, "RIFF/WEBP");
    is_int(sniff_str(riff_wav, sizeof(riff_wav) - 1), ENG_FMT_UNKNOWN, "RIFF/WAVE is not WebP");
    is_int(sniff_str(pdf, sizeof(pdf) - 1), ENG_FMT_PDF, "%PDF- at offset 0");
    is_int(sniff_str(pdf_junk, sizeof(pdf_junk)), ENG_FMT_PDF, "%PDF- after leading junk (< 1024 bytes)");
    is_int(sniff_str("%PD", 3), ENG_FMT_UNKNOWN, "truncated PDF header");
    is_int(eng_sniff(NULL, 100), ENG_FMT_UNKNOWN, "NULL buffer");
    is_int(eng_sniff(png, 0), ENG_FMT_UNKNOWN, "empty buffer");
    is_int(sniff_str("hello world, this is plain text", 31), ENG_FMT_UNKNOWN, "plain text");
    is_int(sniff_str("<html><body>hi</body></html>", 28), ENG_FMT_UNKNOWN, "HTML");
    is_int(sniff_str("\x00\x00\x00\x00\x00\x00\x00\x00", 8), ENG_FMT_UNKNOWN, "zeros");

    is_str(eng_format_mime(ENG_FMT_PNG), "image/png", "mime png");
    is_str(eng_format_mime(ENG_FMT_JPEG), "image/jpeg", "mime jpeg");
    is_str(eng_format_mime(ENG_FMT_TIFF), "image/tiff", "mime tiff");
    is_str(eng_format_mime(ENG_FMT_BMP), "image/bmp", "mime bmp");
    is_str(eng_format_mime(ENG_FMT_GIF), "image/gif", "mime gif");
    is_str(eng_format_mime(ENG_FMT_WEBP), "image/webp", "mime webp");
    is_str(eng_format_mime(ENG_FMT_PDF), "application/pdf", "mime pdf");
    ok(eng_format_mime(ENG_FMT_UNKNOWN) == NULL, "mime of unknown is NULL");
    ok(eng_format_mime((eng_format_t)99) == NULL, "mime of out-of-range is NULL");

#define FROM(s) eng_format_from_mime(s, strlen(s))
    for (int f = ENG_FMT_PNG; f <= ENG_FMT_PDF; ++f)
        is_int(FROM(eng_format_mime((eng_format_t)f)), f, eng_format_mime((eng_format_t)f));
    is_int(FROM("IMAGE/PNG"), ENG_FMT_PNG, "case-insensitive");
    is_int(FROM("  image/tiff ; name=scan.tif"), ENG_FMT_TIFF, "white space and parameters");
    is_int(FROM("application/pdf;charset=binary"), ENG_FMT_PDF, "parameters without space");
    is_int(FROM("image/jpg"), ENG_FMT_JPEG, "alias image/jpg");
    is_int(FROM("image/x-ms-bmp"), ENG_FMT_BMP, "alias image/x-ms-bmp");
    is_int(FROM("image/pngx"), ENG_FMT_UNKNOWN, "longer name is not a prefix match");
    is_int(FROM("image/pn"), ENG_FMT_UNKNOWN, "shorter name is not a match");
    is_int(FROM("text/plain"), ENG_FMT_UNKNOWN, "text/plain");
    is_int(FROM(""), ENG_FMT_UNKNOWN, "empty");
    is_int(FROM(";"), ENG_FMT_UNKNOWN, "only parameters");
    is_int(eng_format_from_mime(NULL, 5), ENG_FMT_UNKNOWN, "NULL");
    is_int(eng_format_from_mime("image/pngGARBAGE", 8), ENG_FMT_UNKNOWN, "length is honoured (image/pn)");
    is_int(eng_format_from_mime("image/pngGARBAGE", 9), ENG_FMT_PNG, "length is honoured (image/png)");
    is_int(eng_format_from_mime("image/gifGARBAGE", 9), ENG_FMT_GIF, "not NUL-terminated input");
    is_str(eng_format_name(ENG_FMT_TIFF), "tiff", "name tiff");
    is_str(eng_format_name(ENG_FMT_UNKNOWN), "unknown", "name unknown");
    return done_testing();
}
