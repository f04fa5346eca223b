/*
 * gw_portal: the license holder's web portal, static files embedded at build time (cmake/embed_dir.cmake from
 * gateway/portal/), served with a strict Content-Security-Policy. Read-only data, any thread.
 */
#ifndef OCRGATE_GW_PORTAL_H
#define OCRGATE_GW_PORTAL_H

#include <stddef.h>

typedef struct {
    const char *name;
    const char *content_type;
    const unsigned char *data;
    size_t len;
} gw_portal_file_t;

extern const gw_portal_file_t gw_portal_files[]; /* ends with a NULL name */

#endif
