/* cx_ocrjobs job and options mapping: the reference's members to v1 options that the v1 parser accepts, and
 * back to the same members in the reference's order; statuses and times as the reference shows them. */
#include "gateway/compat/cx_ocrjobs.h"
#include "gateway/gw_options.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

/* The reference's example job object, as a client sends it back. */
static const char *const EXAMPLE =
    "{\"Status\":3,\"Id\":114,\"TemplateId\":0,\"Guid\":\"96ebb3f4-48d7-4580-9c02-dfe4d430a2c6\","
    "\"Created\":\"2021-01-06T23:10:57.2084778+02:00\",\"Modified\":\"2021-01-06T23:11:39.4168766+02:00\","
    "\"Finished\":\"2021-01-06T23:11:39.4168766+02:00\",\"Scheduled\":\"2021-01-06T23:11:34.6997969+02:00\","
    "\"Started\":\"2021-01-06T23:11:35.8967254+02:00\",\"NumberOfPages\":1,\"IsTemplate\":false,\"UserName\":"
    "\"\","
    "\"Descr\":\"\",\"ErrorDescription\":\"\",\"FileUploaded\":true,\"CorrelationId\":\"\",\"Autostart\":"
    "true,"
    "\"RetentionDays\":1,\"PdfOutput\":true,\"TxtOutput\":false,\"DocxOutput\":false,\"XmlOutput\":false,"
    "\"RtfOutput\":false,\"OdtOutput\":false,\"MhtOutput\":false,\"EpubOutput\":false,\"PdfConformance\":0,"
    "\"PdfTitle\":\"\",\"PdfSubject\":\"\",\"PdfAuthor\":\"\",\"PdfKeywords\":\"\",\"BWCompression\":0,"
    "\"ColorCompression\":1,\"Deskew\":false,\"DeskewAdjustPaperSize\":false,\"AutoOrientation\":false,"
    "\"ClearBorder\":false,\"DeleteBorder\":false,\"Despeckle\":false,\"RemoveColorNoise\":false,"
    "\"RemoveHalftone\":false,\"RemoveHolePunch\":false,\"Binarize\":false,\"ImproveText\":false,"
    "\"RecognitionLanguages\":\"English\",\"MinConfidence\":60,\"NrOfOCRThreads\":2,\"FastMode\":false,"
    "\"RemoveWhiteSpaceRegions\":true,\"IntelligentPDFProcessing\":false,\"RenderResolution\":200,"
    "\"RenderQuality\":60,\"DetectBarcodes\":true,\"Barcodes\":[],\"BarcodeFilter\":16,\"BarcodeDirection\":"
    "1,"
    "\"DeleteBlankPages\":false,\"BlankPagesMaxNoise\":0.5}";

static int refused(const char *body, const char *member)
{
    json_t *in = json_loads(body, 0, NULL), *out = json_object();
    char err[256] = "";
    int rc = cx_opts_to_v1(in, NULL, 30, out, err, sizeof(err));
    json_decref(in);
    json_decref(out);
    return rc == -1 && strstr(err, member) != NULL;
}

int main(void)
{
    static const char *const langs[] = {"eng", "deu"};
    gw_opt_limits_t lim = {30, 60000, langs, 2};
    char err[256] = "";

    json_t *in = json_loads(EXAMPLE, 0, NULL), *v1 = json_object();
    ok(cx_opts_to_v1(in, NULL, 30, v1, err, sizeof(err)) == 0, "the example job object maps (%s)", err);
    json_t *norm = NULL;
    gw_opt_error_t oe;
    memset(&oe, 0, sizeof(oe));
    ok(gw_options_from_object(v1, NULL, NULL, &lim, &norm, NULL, &oe) == 0, "and v1 accepts it (%s)",
       oe.message);
    gw_opt_error_clear(&oe);
    ok(json_integer_value(json_object_get(norm, "minConfidence")) == 60 &&
           json_integer_value(json_object_get(norm, "dpi")) == 200,
       "MinConfidence and RenderResolution keep the reference's values");
    json_t *ean13 = json_pack("[s]", "ean13");
    ok(json_is_true(json_object_get(norm, "detectBarcodes")) &&
           json_equal(json_object_get(norm, "barcodeTypes"), ean13),
       "BarcodeFilter 0x10 is ean13");
    json_decref(ean13);

    /* Back: the job object of the normalized options has every member of the example, in its order. */
    json_t *v1job = json_pack("{s:s,s:s,s:O,s:s}", "jobId", "96ebb3f4-48d7-4580-9c02-dfe4d430a2c6", "status",
                              "completed", "options", norm, "createdAt", "2021-01-06T21:10:57.208Z");
    json_t *bar = json_loads("[{\"type\":\"ean13\",\"value\":\"1234567890128\",\"box\":{\"x\":366,\"y\":1921,"
                             "\"w\":572,\"h\":264},\"page\":1}]",
                             0, NULL);
    json_t *job = cx_job_object(v1job, 0, 114, NULL, bar, "app0");
    const char *k;
    json_t *v;
    size_t i = 0, same = 0;
    void *it = json_object_iter(in);
    json_object_foreach(job, k, v)
    {
        const char *want = it != NULL ? json_object_iter_key(it) : "";
        same += strcmp(k, want) == 0;
        it = it != NULL ? json_object_iter_next(in, it) : NULL;
        ++i;
    }
    ok(i == json_object_size(in) && same == i, "every member, in the example's order (%zu of %zu)", same, i);
    ok(json_integer_value(json_object_get(job, "Status")) == 3 &&
           json_integer_value(json_object_get(job, "Id")) == 114,
       "Status 3, Id 114");
    ok(strcmp(json_string_value(json_object_get(job, "Created")), "2021-01-06T21:10:57.208+00:00") == 0,
       "times carry an offset");
    ok(strcmp(json_string_value(json_object_get(job, "Finished")), "0001-01-01T00:00:00+00:00") == 0,
       "a time to come is .NET's minimum");
    json_t *b0 = json_array_get(json_object_get(job, "Barcodes"), 0);
    ok(json_integer_value(json_object_get(b0, "Type")) == 5 &&
           json_integer_value(json_object_get(b0, "Width")) == 572,
       "barcodes with the reference's Type codes");
    ok(json_integer_value(json_object_get(job, "BarcodeFilter")) == 16 &&
           strcmp(json_string_value(json_object_get(job, "RecognitionLanguages")), "English") == 0,
       "BarcodeFilter and RecognitionLanguages read back");

    /* Languages by name, either separator; the values ocrgate cannot honour name their member. */
    json_t *o = json_object(), *l = json_pack("{s:s}", "RecognitionLanguages", "English; German");
    ok(cx_opts_to_v1(l, NULL, 30, o, err, sizeof(err)) == 0 &&
           strcmp(json_string_value(json_object_get(o, "languages")), "eng+deu") == 0,
       "English; German is eng+deu");
    json_decref(l);
    json_decref(o);
    ok(refused("{\"PdfConformance\":2}", "PdfConformance"), "PDF/A refused");
    ok(refused("{\"BWCompression\":1}", "BWCompression"), "RLE refused");
    ok(refused("{\"ColorCompression\":3}", "ColorCompression"), "LZW refused");
    ok(refused("{\"RenderResolution\":60}", "RenderResolution"), "60 dpi refused");
    ok(refused("{\"BlankPagesMaxNoise\":0}", "BlankPagesMaxNoise"), "noise 0 refused");
    ok(refused("{\"Whatever\":1}", "Whatever"), "unknown members refused");
    ok(refused("{\"RecognitionLanguages\":\";\"}", "RecognitionLanguages"), "no language refused");
    ok(!refused("{\"ColorCompression\":2,\"BarcodeDirection\":2,\"RemoveWhiteSpaceRegions\":false}", "x"),
       "values with the same effect accepted");

    ok(cx_status_code("canceled") == 0 && cx_status_code("processing") == 2 && cx_status_code("failed") == 4,
       "statuses");
    ok(cx_status_names(5) == NULL && strcmp(cx_status_names(0)[1], "canceled") == 0,
       "status 0 is two v1 ones");
    ok(strcmp(cx_member_of("dpi"), "RenderResolution") == 0 &&
           strcmp(cx_member_of("outputs"), "PdfOutput") == 0,
       "v1 fields name their members");

    json_decref(job);
    json_decref(bar);
    json_decref(v1job);
    json_decref(norm);
    json_decref(v1);
    json_decref(in);
    return done_testing();
}
