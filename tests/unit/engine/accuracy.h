/*
 * Character accuracy of OCR output against ground truth, as the test images' PROVENANCE.md defines it:
 * accuracy = 1 - levenshtein(got, truth) / length(truth), computed over Unicode code points after white space
 * is collapsed (every run of spaces, tabs, newlines, form feeds becomes one space; leading and trailing white
 * space is dropped). Header-only, for unit and integration tests; O(len(got) * len(truth)) time, O(len)
 * memory. Also: acc_read_file() to load a ground-truth file.
 */
#ifndef OCRGATE_TESTS_ACCURACY_H
#define OCRGATE_TESTS_ACCURACY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UTF-8 -> code points with white space collapsed. Invalid bytes count as one code point each. Returns a
 * malloc'ed array (caller frees) and its length in *n. */
static inline unsigned *acc__normalize(const char *s, size_t *n)
{
    size_t len = strlen(s), k = 0;
    unsigned *out = malloc(sizeof(unsigned) * (len + 1));
    int pending_space = 0;
    const unsigned char *p = (const unsigned char *)s;
    if (out == NULL) {
        *n = 0;
        return NULL;
    }
    while (*p != '\0') {
        unsigned cp;
        int adv = 1;
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
            pending_space = 1;
            ++p;
            continue;
        }
        if (p[0] < 0x80) {
            cp = p[0];
        } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            adv = 2;
        } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            adv = 3;
        } else if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
                   (p[3] & 0xC0) == 0x80) {
            cp = (unsigned)(p[0] & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 |
                 (unsigned)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
            adv = 4;
        } else {
            cp = 0xFFFD;
        }
        if (pending_space && k > 0)
            out[k++] = ' ';
        pending_space = 0;
        out[k++] = cp;
        p += adv;
    }
    *n = k;
    return out;
}

/* Levenshtein distance (insert, delete, substitute all cost 1) between two code point arrays. */
static inline size_t acc_levenshtein(const unsigned *a, size_t na, const unsigned *b, size_t nb)
{
    size_t *prev = malloc(sizeof(size_t) * (nb + 1)), *cur = malloc(sizeof(size_t) * (nb + 1)), d;
    if (prev == NULL || cur == NULL) {
        free(prev);
        free(cur);
        return (size_t)-1;
    }
    for (size_t j = 0; j <= nb; ++j)
        prev[j] = j;
    for (size_t i = 1; i <= na; ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; ++j) {
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1, sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t m = del < ins ? del : ins;
            cur[j] = m < sub ? m : sub;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    d = prev[nb];
    free(prev);
    free(cur);
    return d;
}

/* Returns the accuracy in [.., 1] (it can go below 0 for output much longer than the truth); -1 on error or
 * an empty truth. Optionally reports the edit distance and the normalized truth length. */
static inline double acc_accuracy(const char *got, const char *truth, size_t *dist_out, size_t *len_out)
{
    size_t ng, nt;
    unsigned *g = acc__normalize(got != NULL ? got : "", &ng), *t = acc__normalize(truth, &nt);
    double r = -1;
    if (g != NULL && t != NULL && nt > 0) {
        size_t d = acc_levenshtein(g, ng, t, nt);
        if (d != (size_t)-1) {
            r = 1.0 - (double)d / (double)nt;
            if (dist_out != NULL)
                *dist_out = d;
            if (len_out != NULL)
                *len_out = nt;
        }
    }
    free(g);
    free(t);
    return r;
}

/* Reads a whole file into a malloc'ed NUL-terminated buffer; *len (optional) gets its size. NULL on error. */
static inline char *acc_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long sz;
    if (fp == NULL)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (sz = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)sz + 1)) != NULL) {
        if (fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
            free(buf);
            buf = NULL;
        } else {
            buf[sz] = '\0';
            if (len != NULL)
                *len = (size_t)sz;
        }
    }
    fclose(fp);
    return buf;
}

#endif
