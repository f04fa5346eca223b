/*
 * job_lease: the lease keeper of a node's worker pool. A worker holds its job under a lease (locked_by,
 * locked_until) that other nodes' sweepers take back when it runs out. Probing a document, waiting for the
 * PDF lock, decoding, clean-up and recognition of one page can outlast a short lease, so while a worker holds
 * a job or a page task, this keeper renews the lease every third of its length, on a thread and a database
 * connection of its own (the worker's connection stays the worker's). A renewal never shortens a lease (a
 * stored page may have granted a longer one). When a renewal finds the lease gone (another worker took the
 * job, or it was canceled or deleted), the slot is marked lost, so that the worker can stop recognizing at
 * once.
 *
 * The keeper also re-queues the region's jobs and page tasks whose lease ran out, every second (not only when
 * a worker is between pages), so that a dead node's work is claimable about job_lease_s after it died.
 *
 * The keeper's connection also listens on ocrgate_work (sql/region/013): between renewals the keeper waits on
 * its socket, and a notification that work became claimable somewhere in the region (pages seeded, a job
 * scheduled, a lease expired and re-queued) calls on_work at once, so that the node's idle workers claim
 * without waiting for their poll; one call for the notifications read together, and one after every
 * (re)connection, since notifications sent meanwhile were missed.
 *
 * Threads: job_lease_start/stop on the pool's owner; hold, drop and lost from the worker that owns the slot
 * (lost is cheap enough for the recognizer's per-word cancel poll). The keeper owns its connection; on_work
 * runs on the keeper's thread.
 */
#ifndef OCRGATE_JOB_LEASE_H
#define OCRGATE_JOB_LEASE_H

typedef struct job_lease job_lease_t;

/* nslots: one per worker. lease_s: the lease length the renewals grant. on_work(arg): work became claimable
 * (must be safe to call from the keeper's thread until job_lease_stop returns). NULL only on out-of-memory.
 */
job_lease_t *job_lease_start(const char *dsn, int nslots, int lease_s, void (*on_work)(void *), void *arg);
/* Stops the keeper thread, closes its connection, frees l. NULL-safe. */
void job_lease_stop(job_lease_t *l);
/* Slot `slot` now holds this job (task < 0) or this page task of it (task >= 0, job_tasks.page) under this
 * owner and attempt (strings are copied). */
void job_lease_hold(job_lease_t *l, int slot, const char *job_id, int task, const char *owner,
                    const char *attempt);
/* The slot's job is done with (finished, released or lost). */
void job_lease_drop(job_lease_t *l, int slot);
/* 1 once a renewal found that the slot's current job is no longer this worker's. */
int job_lease_lost(job_lease_t *l, int slot);

#endif
