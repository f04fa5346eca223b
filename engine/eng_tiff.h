/*
 * eng_tiff: the page directories (IFD chain) of a TIFF or BigTIFF in memory, for eng_doc: page count, every
 * page's header fields, and the byte offset of a page's directory, which leptonica accepts to decode that
 * page alone. Internal to engine/. Pure: any thread, on the caller's buffer; *infos is malloc'ed (free()).
 */
#ifndef OCRGATE_ENG_TIFF_H
#define OCRGATE_ENG_TIFF_H

#include <stddef.h>
#include <stdint.h>

#include "engine/eng_doc.h"

/* Walks the chain. With `infos`/`want_off` NULL it only counts. Stops after `limit` pages (returning
 * ENG_DOC_TOO_MANY_PAGES when more exist). `want` >= 0 stops at that page and stores its offset and header,
 * refusing it when its size entries disagree. A page's size is the largest any of its ImageWidth/ImageLength
 * entries claims. Returns an ENG_DOC_* code, with a sentence in err on failure. */
int eng__tiff_walk(const void *buf, size_t len, int limit, int *npages, eng_page_info_t **infos, int want,
                   uint64_t *want_off, eng_page_info_t *want_info, char *err, size_t errlen);

#endif
