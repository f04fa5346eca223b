/*
 * libFuzzer target for cx_proc_input: any bytes as the body of POST /v1/processes. A success must hold an
 * input object without `document` and decoded bytes no longer than 3/4 of the body; a failure must name a
 * status, a code and a field and keep nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/compat/cx_proc_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_proc_input_t in;
    if (cx_proc_input_parse((const char *)data, size, &in) == 0) {
        if (!json_is_object(in.input) || json_object_get(in.input, "document") != NULL || in.data == NULL ||
            in.len > size / 4 * 3)
            abort();
    } else if (in.status != 400 || in.code == NULL || in.field[0] == '\0' || in.data != NULL ||
               in.input != NULL) {
        abort();
    }
    cx_proc_input_free(&in);
    return 0;
}
