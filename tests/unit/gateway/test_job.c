/* gw_job: the job object's keys in the order of API.md, options in the options table's order, results in the
 * order of the outputs, reals printed as people read them. */
#include "gateway/gw_jobs.h"
#include "tests/unit/tap.h"

#include <stdlib.h>

int main(void)
{
    /* Keys as PostgreSQL's jsonb gives them back: shortest first, then by bytes. */
    const char *db =
        "{\"error\": null, \"appId\": \"a\", \"jobId\": \"j\", \"status\": \"completed\", \"attempt\": 1,"
        " \"options\": {\"dpi\": null, \"outputs\": [\"text\", \"pdf\"], \"deskew\": false, \"languages\": "
        "\"eng\"},"
        " \"results\": {\"pdf\": \"/p\", \"text\": \"/t\"}, \"document\": {\"name\": \"n\", \"bytes\": 3, "
        "\"pages\": 1,"
        " \"sha256\": \"s\", \"contentType\": \"image/png\"}, \"progress\": {\"message\": \"done\", "
        "\"current\": 100},"
        " \"createdAt\": \"c\", \"expiresAt\": \"e\", \"pagesDone\": 1, \"startedAt\": \"s\", "
        "\"errorPages\": 0,"
        " \"finishedAt\": \"f\", \"description\": null, \"scheduledAt\": \"s\", \"correlationId\": null,"
        " \"meanConfidence\": 96.3, \"futureKey\": 1}";
    json_t *src = json_loads(db, 0, NULL);
    static const char *const langs[] = {"eng"};
    gw_opt_limits_t lim = {30, 60000, langs, 1};
    json_t *order = gw_options_defaults(&lim);
    json_t *job = gw_job_ordered(src, order);
    char *text = json_dumps(job, GW_JSON_FLAGS);
    const char *want =
        "{\"jobId\":\"j\",\"appId\":\"a\",\"status\":\"completed\",\"progress\":{\"current\":100,\"message\":"
        "\"done\"},"
        "\"document\":{\"name\":\"n\",\"contentType\":\"image/"
        "png\",\"bytes\":3,\"pages\":1,\"sha256\":\"s\"},"
        "\"options\":{\"languages\":\"eng\",\"outputs\":[\"text\",\"pdf\"],\"deskew\":false,\"dpi\":null},"
        "\"correlationId\":null,\"description\":null,\"pagesDone\":1,\"errorPages\":0,\"meanConfidence\":96."
        "3,"
        "\"attempt\":1,\"createdAt\":\"c\",\"scheduledAt\":\"s\",\"startedAt\":\"s\",\"finishedAt\":\"f\","
        "\"expiresAt\":\"e\",\"results\":{\"text\":\"/t\",\"pdf\":\"/p\"},\"error\":null,\"futureKey\":1}";
    is_str(text, want, "documented order, options by the table, results by outputs, unknown keys kept last");
    free(text);
    json_decref(job);
    json_t *odd = json_pack("{s:s,s:i}", "status", "created", "options", 3);
    job = gw_job_ordered(odd, order);
    text = json_dumps(job, GW_JSON_FLAGS);
    is_str(text, "{\"status\":\"created\",\"options\":3}", "odd shapes are copied, not lost");
    free(text);
    json_decref(job);
    json_decref(odd);
    json_decref(order);
    json_decref(src);
    return done_testing();
}
