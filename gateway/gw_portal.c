/* Serves the portal's files. Scripts and styles only from the portal itself; no framing; no inline code. */
#include "gateway/gw_portal.h"
#include "gateway/gw_handlers.h"

#include <string.h>

#define PORTAL_CSP                                                                                           \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' "     \
    "https:; "                                                                                               \
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

static void send_file(gw_req_t *r, const char *name, size_t len)
{
    for (const gw_portal_file_t *f = gw_portal_files; f->name != NULL; ++f) {
        if (strlen(f->name) != len || memcmp(f->name, name, len) != 0)
            continue;
        gw_add_header(r, "Content-Security-Policy", PORTAL_CSP);
        gw_add_header(r, "X-Frame-Options", "DENY");
        gw_add_header(r, "Referrer-Policy", "no-referrer");
        gw_add_header(r, "Cache-Control", "no-cache");
        gw_send(r, 200, f->content_type, (const char *)f->data, f->len);
        return;
    }
    gw_send_error(r, 404, "NoSuchEndpoint", NULL, "no such portal file");
}

void gw_h_portal_index(gw_req_t *r)
{
    if (r->req->path_normalized.len == 7) { /* "/portal": relative links need the trailing slash */
        gw_add_header(r, "Location", "/portal/");
        gw_send(r, 308, "text/plain; charset=utf-8", "", 0);
        return;
    }
    send_file(r, "index.html", 10);
}

void gw_h_portal(gw_req_t *r)
{
    send_file(r, r->params[0].base, r->params[0].len);
}
