/*
 * Replays seeds through the six libFuzzer entry points in the ordinary build (any compiler, no libFuzzer),
 * so that the fuzz targets keep compiling and their invariants keep holding. Inline seeds always run; with a
 * directory argument, every file under <dir>/options, <dir>/multipart, <dir>/query, <dir>/doc, <dir>/webhook
 * and <dir>/ocrjobs runs too (the same files seed the fuzzers: ./fuzz_options corpus/options). Also feeds
 * every prefix of each seed, which is where framing bugs live. Exit status is non-zero when nothing ran; a
 * broken invariant aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLVMFuzzerTestOneInput replay_options
#include "tests/fuzz/fuzz_options.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput replay_multipart
#include "tests/fuzz/fuzz_multipart.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput replay_query
#include "tests/fuzz/fuzz_query.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput replay_doc
#include "tests/fuzz/fuzz_doc.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput replay_webhook
#include "tests/fuzz/fuzz_webhook.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput replay_ocrjobs
#include "tests/fuzz/fuzz_ocrjobs.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput replay_proc
#include "tests/fuzz/fuzz_proc_input.c"
#undef LLVMFuzzerTestOneInput

typedef int (*replay_fn)(const uint8_t *data, size_t size);

#define SEED(s)                                                                                              \
    {                                                                                                        \
        (s), sizeof(s) - 1                                                                                   \
    }
static const struct {
    const char *data;
    size_t len;
} options_seeds[] = {
    SEED("\x00{}"),
    SEED("\x00{\"languages\":\"eng+deu\",\"outputs\":[\"pdf\",\"text\"],\"dpi\":300,\"autostart\":false}"),
    SEED("\x02{\"retentionDays\":null,\"description\":\"a\\tb\",\"pageSegMode\":\"sparse\"}"),
    SEED("\x04{\"name\":\"tpl\",\"minConfidence\":50,\"pdfTitle\":\"T\"}"),
    SEED("\x00{\"dpi\":5,\"retentionDays\":\"7\",\"outputs\":[]}"),
    SEED("\x00{\"foo\":1}"),
    SEED("\x00{\"dpi\":"),
    SEED("\x01languages=eng%2Bdeu&outputs=text,json&autostart=true&retentionDays=3&template=x"),
    SEED("\x03dpi=300&correlationId=a+b"),
    SEED("\x01retentionDays=7x&outputs=text,,pdf"),
};
static const struct {
    const char *data;
    size_t len;
} multipart_seeds[] = {
    SEED("multipart/form-data; boundary=------------------------f70a2efc832005cb\0"
         "--------------------------f70a2efc832005cb\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
         "Content-Type: application/octet-stream\r\n\r\n"
         "AB\r\n--x\r\nCD\r\n"
         "--------------------------f70a2efc832005cb\r\n"
         "Content-Disposition: form-data; name=\"options\"\r\n"
         "Content-Type: application/json\r\n\r\n"
         "{\"a\":1}\r\n"
         "--------------------------f70a2efc832005cb--\r\n"),
    SEED("preamble\r\n--bnd \r\nContent-Disposition: form-data; name=\"a\\\"b\"; filename=\"C:\\x\"\r\n\r\n"
         "\r\n--bn\r\n--bndX\r\n--bnd--epilogue"),
    SEED("multipart/form-data; boundary=\"a b\"\0--a b\r\nContent-Disposition: form-data; "
         "name=x\r\n\r\n1\r\n--a b--"),
    SEED("--bnd\r\nContent-Disposition: form-data; name=a\r\n\r\nno close"),
};
static const struct {
    const char *data;
    size_t len;
} query_seeds[] = {
    SEED("outputs=text%2Cjson&correlationId=a+b%20c&flag&empty="),
    SEED("a=1&&b=2&"),
    SEED("a=%zz&a=%4"),
    SEED("=x&a=%00"),
};

static size_t replay_one(replay_fn fn, const char *data, size_t len)
{
    /* Each input and every prefix of it, from exact-size heap copies. */
    for (size_t k = 0; k <= len; ++k) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, data, k);
        fn(copy, k);
        free(copy);
    }
    return 1;
}

static size_t replay_dir(replay_fn fn, const char *root, const char *sub)
{
    char path[4096];
    size_t n = 0;
    snprintf(path, sizeof(path), "%s/%s", root, sub);
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "# cannot open %s\n", path);
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s/%s", root, sub, e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        static char buf[1 << 20];
        size_t len = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        n += replay_one(fn, buf, len);
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    size_t n[5] = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < sizeof(options_seeds) / sizeof(options_seeds[0]); ++i)
        n[0] += replay_one(replay_options, options_seeds[i].data, options_seeds[i].len);
    for (size_t i = 0; i < sizeof(multipart_seeds) / sizeof(multipart_seeds[0]); ++i)
        n[1] += replay_one(replay_multipart, multipart_seeds[i].data, multipart_seeds[i].len);
    for (size_t i = 0; i < sizeof(query_seeds) / sizeof(query_seeds[0]); ++i)
        n[2] += replay_one(replay_query, query_seeds[i].data, query_seeds[i].len);
    if (argc > 1) {
        n[0] += replay_dir(replay_options, argv[1], "options");
        n[1] += replay_dir(replay_multipart, argv[1], "multipart");
        n[2] += replay_dir(replay_query, argv[1], "query");
        n[3] += replay_dir(replay_doc, argv[1], "doc");
        n[4] += replay_dir(replay_webhook, argv[1], "webhook");
        /* The ownOCR surface's job objects (corpus/ocrjobs), counted with the options. */
        n[0] += replay_dir(replay_ocrjobs, argv[1], "ocrjobs");
        /* The process manager's body (gateway/compat/cx_proc_input.c): reported apart from the others. */
        size_t np = replay_dir(replay_proc, argv[1], "proc");
        printf("# process bodies replayed (%zu)\n", np);
        if (np == 0)
            return 1;
    }
    printf("ok 1 - options seeds replayed (%zu)\nok 2 - multipart seeds replayed (%zu)\nok 3 - query seeds "
           "replayed "
           "(%zu)\nok 4 - document seeds replayed (%zu)\nok 5 - webhook seeds replayed (%zu)\n1..5\n",
           n[0], n[1], n[2], n[3], n[4]);
    return n[0] == 0 || n[1] == 0 || n[2] == 0 || (argc > 1 && (n[3] == 0 || n[4] == 0));
}
