/*
 * gw_offload: runs CPU-heavy work of a request (decoding and scaling a page image) on a small pool of
 * threads, so that no loop thread blocks, and hands the result back to the request's loop thread through
 * h2o's multithread queue (the only way back onto a loop). The task is owned by the caller; `run` executes on
 * a pool thread and must not touch h2o or the request; `done` executes on the loop thread and frees the task.
 */
#ifndef OCRGATE_GW_OFFLOAD_H
#define OCRGATE_GW_OFFLOAD_H

#include "gateway/gw.h"

typedef struct gw_task gw_task_t;
struct gw_task {
    h2o_multithread_message_t super; /* first: messages come back as this */
    gw_task_t *next;
    gw_thread_t *thr;
    gw_req_t *r; /* a reference is held while the task runs */
    void (*run)(gw_task_t *t);
    void (*done)(gw_task_t *t, int client_gone);
};

/* Starts the pool (once, before the loop threads run). */
void gw_offload_start(int threads);
/* Called by each loop thread at start: its receiver for finished tasks. */
void gw_offload_attach(gw_thread_t *thr);
/* Queues t for r. */
void gw_offload(gw_req_t *r, gw_task_t *t);

#endif
