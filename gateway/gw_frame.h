/*
 * gw_frame: HTTP/1 message framing that h2o 2.2.5 lets through. h2o frames a request that has both
 * Content-Length and Transfer-Encoding by the chunked coding and keeps the connection, frames two different
 * Content-Length values by the first, and takes the last of two Host fields; bytes a front end framed
 * differently then run as a second request (request smuggling). RFC 9112 (6.3, 3.2) requires 400 and closing
 * the connection. h2o hides those fields from the request's header list, so the check reads the request head
 * that is still at the start of the connection's input buffer when the handler runs.
 *
 * Runs on the loop thread that owns the request, before routing; nothing it returns is allocated.
 */
#ifndef OCRGATE_GW_FRAME_H
#define OCRGATE_GW_FRAME_H

#include <stddef.h>

#include "gateway/gw.h"

/* Checks the head of one HTTP/1.x request (request line and fields, up to the empty line; bytes after it are
 * ignored). Returns 0 when its framing is unambiguous, else -1 with a sentence in `why`. A head that cannot
 * be found in `buf` is not judged (0): h2o has parsed it already. */
int gw_frame_check(const char *buf, size_t len, int http11, char *why, size_t whylen);

/* For an HTTP/1 request whose framing is ambiguous: answers 400 InvalidInput, marks the connection to close
 * after the answer (so nothing pipelined behind it runs) and returns 1; otherwise returns 0. */
int gw_frame_refuse(gw_req_t *r);

#endif
