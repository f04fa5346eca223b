/*
 * gw_multipart: multipart/form-data request bodies (RFC 7578 on RFC 2046), as sent by browsers and
 * `curl -F file=@scan.tif -F 'options={...};type=application/json'`.
 *
 * Pure and zero-copy: the parts point into the caller's body (which must outlive them); nothing is allocated.
 * The one exception is a quoted name or filename that uses the escapes \" or \\: its unescaped text is kept
 * in the part's own `unescaped` buffer, and name/filename point there. The body is untrusted bytes: nothing
 * is read past `len`, and the work is linear in the body's size (one forward search for each delimiter).
 */
#ifndef OCRGATE_GW_MULTIPART_H
#define OCRGATE_GW_MULTIPART_H

#include <stddef.h>

#define GW_MULTIPART_MAX_BOUNDARY 70       /* RFC 2046 */
#define GW_MULTIPART_MAX_HEADER_BYTES 8192 /* per part, the header block including its line ends */
#define GW_MULTIPART_MAX_HEADER_LINES 16   /* per part */
#define GW_MULTIPART_UNESCAPED_MAX 512     /* room for an escaped name plus an escaped filename */

typedef struct {
    const char *name; /* from Content-Disposition: form-data; name="..." (never empty) */
    size_t name_len;
    const char *filename; /* from filename="..." (NULL when absent); filename* is ignored (RFC 7578 4.2) */
    size_t filename_len;
    const char *content_type; /* the part's Content-Type value, trimmed (NULL when absent) */
    size_t content_type_len;
    const char *data; /* the part's content (binary, may be empty) */
    size_t len;
    char unescaped[GW_MULTIPART_UNESCAPED_MAX]; /* private: see above */
} gw_part_t;

/* Splits body into at most `max` parts. content_type is the request's Content-Type value: multipart/form-data
 * with a boundary parameter (token or quoted string, 1..70 characters). Tolerates a preamble and an epilogue
 * and transport padding after delimiters; requires CRLF line ends, a Content-Disposition: form-data with a
 * non-empty name in every part, and the closing delimiter. Returns 0 and *nparts, or -1 with a sentence in
 * err (e.g. "multipart body has no closing boundary"). */
__attribute__((warn_unused_result)) int gw_multipart_parse(const char *content_type, size_t ctlen,
                                                           const char *body, size_t len, gw_part_t *parts,
                                                           size_t max, size_t *nparts, char *err,
                                                           size_t errlen);
/* The first part with this name, or NULL. */
const gw_part_t *gw_multipart_find(const gw_part_t *parts, size_t n, const char *name);

#endif
