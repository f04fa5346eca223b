#include "gateway/gw_offload.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static gw_task_t *head, **tail = &head;

static void *pool_main(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (head == NULL)
            pthread_cond_wait(&cv, &mu);
        gw_task_t *t = head;
        head = t->next;
        if (head == NULL)
            tail = &head;
        pthread_mutex_unlock(&mu);
        t->run(t);
        h2o_multithread_send_message(t->thr->offload_receiver, &t->super);
    }
    return NULL;
}

void gw_offload_start(int threads)
{
    for (int i = 0; i < threads; ++i) {
        pthread_t tid;
        pthread_create(&tid, NULL, pool_main, NULL);
        pthread_detach(tid);
    }
}

static void on_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        gw_task_t *t = (gw_task_t *)m;
        int gone = gw_req_release(t->r) != 0;
        t->done(t, gone);
    }
}

void gw_offload_attach(gw_thread_t *thr)
{
    thr->offload_queue = h2o_multithread_create_queue(thr->loop);
    thr->offload_receiver = calloc(1, sizeof(*thr->offload_receiver));
    h2o_multithread_register_receiver(thr->offload_queue, thr->offload_receiver, on_done);
}

void gw_offload(gw_req_t *r, gw_task_t *t)
{
    t->thr = r->thr;
    t->r = r;
    t->next = NULL;
    gw_req_addref(r);
    pthread_mutex_lock(&mu);
    *tail = t;
    tail = &t->next;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}
