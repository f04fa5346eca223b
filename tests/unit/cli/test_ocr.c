/* unit.cli.ocr: where `ocrgate ocr` writes results, its Idempotency-Key, its job query string, and the
 * command-line checks that answer exit status 2. The .c is included to reach its statics; the file and output
 * parts are reached through cli_ocr.h. */
#include "cli/cli_ocr.c"

#include "tests/unit/tap.h"

/* main.c's is not linked: this one keeps the last sentence, so that the checks can read it. */
static char last_usage[512];

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)cmd;
    vsnprintf(last_usage, sizeof(last_usage), fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static void test_output_paths(void)
{
    ocr_args_t a = {0};
    char *p;
    const eng_output_t *text = eng_output_find("text"), *alto = eng_output_find("alto");
    is_str((p = cli_ocr__output_path(&a, "scans/page one.tif", text)), "scans/page one.txt",
           "beside the input");
    free(p);
    is_str((p = cli_ocr__output_path(&a, "scan.tar.tif", alto)), "scan.tar.xml",
           "the last extension is replaced");
    free(p);
    is_str((p = cli_ocr__output_path(&a, ".hidden", text)), ".hidden.txt",
           "a leading dot is not an extension");
    free(p);
    a.output = "out//";
    a.output_is_dir = 1;
    is_str((p = cli_ocr__output_path(&a, "a/b/scan.png", text)), "out/scan.txt", "into -o DIR/");
    free(p);
    a.output = "result.txt";
    a.output_is_dir = 0;
    is_str((p = cli_ocr__output_path(&a, "a/b/scan.png", alto)), "result.txt", "-o FILE as given");
    free(p);
}

static void test_idempotency_key(void)
{
    ocr_args_t a = {.app_id = "5d0c9d6e-0000-4000-8000-000000000001"};
    ocr_run_t run = {.a = &a};
    char k1[80], k2[80], k3[80], k4[80];
    snprintf(run.query, sizeof(run.query), "outputs=text");
    cli_ocr__idempotency_key(&run, "abc", 3, k1);
    cli_ocr__idempotency_key(&run, "abc", 3, k2);
    is_str(k1, k2, "the same file and options: the same key");
    is_int(strlen(k1), 4 + 64, "ocr- and a SHA-256 in hex");
    cli_ocr__idempotency_key(&run, "abd", 3, k3);
    ok(strcmp(k1, k3) != 0, "other bytes: another key");
    snprintf(run.query, sizeof(run.query), "outputs=text,pdf");
    cli_ocr__idempotency_key(&run, "abc", 3, k4);
    ok(strcmp(k1, k4) != 0, "other formats: another key");
    a.app_id = "5d0c9d6e-0000-4000-8000-000000000002";
    snprintf(run.query, sizeof(run.query), "outputs=text");
    cli_ocr__idempotency_key(&run, "abc", 3, k4);
    ok(strcmp(k1, k4) != 0, "another app: another key");
}

static void test_query(void)
{
    ocr_args_t a = {0};
    ocr_run_t run = {.a = &a};
    a.formats[a.nformats++] = eng_output_find("text");
    a.formats[a.nformats++] = eng_output_find("pdf");
    a.options[a.noptions++] = "languages=eng+deu";
    a.options[a.noptions++] = "pdfTitle=A & B=c";
    is_int(build_query(&run), 0, "the query builds");
    is_str(run.query, "outputs=text,pdf&languages=eng%2Bdeu&pdfTitle=A%20%26%20B%3Dc", "values are escaped");
}

static int parse(char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        ++argc;
    ocr_args_t a;
    return parse_args(argc, argv, &a);
}

static void test_usage(void)
{
    setenv("OCRGATE_ENDPOINT", "https://localhost:1", 1);
    setenv("OCRGATE_LICENSE_ID", "l", 1);
    setenv("OCRGATE_APP_ID", "a", 1);
    char src[] = OCRGATE_SOURCE_FILE;
    char *good[] = {"ocr", "--format", "tsv", src, NULL};
    is_int(parse(good), 0, "a readable file and a known format");
    char *fmt[] = {"ocr", "--format", "docx9", src, NULL};
    is_int(parse(fmt), EXIT_USAGE, "an unknown format");
    ok(strstr(last_usage, "text, json, hocr, pdf, tsv, alto") != NULL,
       "is told with the formats table's names");
    char *none[] = {"ocr", NULL};
    is_int(parse(none), EXIT_USAGE, "no input file");
    char *opt[] = {"ocr", "--option", "deskew", src, NULL};
    is_int(parse(opt), EXIT_USAGE, "--option without a value");
    char *outputs[] = {"ocr", "--option", "outputs=pdf", src, NULL};
    is_int(parse(outputs), EXIT_USAGE, "outputs through --option");
    char *autostart[] = {"ocr", "--option", "autostart=false", src, NULL};
    is_int(parse(autostart), EXIT_USAGE, "autostart through --option (the job would never run)");
    char *jobs[] = {"ocr", "--jobs", "0", src, NULL};
    is_int(parse(jobs), EXIT_USAGE, "--jobs 0");
    char *file[] = {"ocr", "-o", "x.txt", "--format", "text", "--format", "pdf", src, NULL};
    is_int(parse(file), EXIT_USAGE, "-o FILE with two formats");
    char *missing[] = {"ocr", "no/such/file.tif", NULL};
    is_int(parse(missing), EXIT_USAGE, "an input that cannot be read");
    unsetenv("OCRGATE_APP_ID");
    is_int(parse(good), EXIT_USAGE, "no app id");
}

int main(void)
{
    test_output_paths();
    test_idempotency_key();
    test_query();
    test_usage();
    return done_testing();
}
