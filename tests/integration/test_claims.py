"""Claims (jobs/, docs/ARCHITECTURE.md "Page-parallel runs, fairness, recovery"): a worker never goes idle while
work is queued because another claimer held a turn at the same moment; the preparing step of a job is claimed
in the fair order too; a node's idle workers are woken by a notification when work becomes claimable anywhere
in the region, not by their poll.

The nodes poll their queue only every queue_poll_ms = 60 s (its maximum): a test that waits for work to be
done gives it at most half of that, so that it passes only when the workers were woken (by another claimer's
"more is queued", by their own retry of a busy claim, or by a notification), never when their poll found it."""
import os
import signal
import subprocess
import time

from harness import Stack, run, tenant, wait_job_until
from test_pages import multipage_tiff, pages_by_worker

L = {}
POLL_MS = 60000
WOKEN_S = POLL_MS / 1000 / 2  # work the workers were woken for is done well before any poll fires


def submit(st, body, lic="A", node=0, query="?outputs=text"):
    h = dict(tenant(L[lic]))
    h["Content-Type"] = "image/tiff"
    r = st.node("US", node).request("POST", "/v1/jobs" + query, headers=h, body=body)
    assert r.status == 201, r
    return r.json()["jobId"]


def done(st, job_id, lic="A", node=0, timeout=WOKEN_S):
    return wait_job_until(st.node("US", node), job_id, tenant(L[lic]), lambda j: j["status"] in
                          ("completed", "failed", "canceled"), timeout=timeout, what="a final state")


def sql(st, q):
    return st.psql("ocrgate_us", q)


def busy_workers(st, node=0):
    r = st.node("US", node).request("GET", "/v1/serverload", headers=tenant(L["A"]))
    assert r.status == 200, r
    return r.json()["busyWorkers"]


class Session:
    """A psql session of its own, for a transaction that stays open while the nodes work."""

    def __init__(self, st):
        self.p = subprocess.Popen(["psql", f"{st.cluster_conninfo('US')} dbname=ocrgate_us", "-v", "ON_ERROR_STOP=1",
                                   "-qtAX"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(self, q):
        self.p.stdin.write(q + "\n")
        self.p.stdin.flush()

    def query(self, q):
        """Runs q (one statement that returns one line) and returns that line."""
        self.send(q)
        return self.p.stdout.readline().strip()

    def close(self):
        self.p.stdin.write("COMMIT;\n")
        self.p.stdin.close()
        assert self.p.wait(timeout=60) == 0


def test_a_claim_that_skipped_a_held_turn_claims_again(st):
    # Another claimer holds license A's turn (here a session of the test, holding the row lock a claim takes)
    # while A's 12-page job is queued: every claim of the node's two workers skips A and finds nothing else.
    # Once the turn is free again the workers claim at once (a skipped turn reads "busy, claim again", not
    # "nothing queued"), and the pages are recognized by both workers, each woken by the other's claim.
    lic = L["A"]["licenseId"]
    sql(st, f"INSERT INTO license_turns (license_id) VALUES ('{lic}') ON CONFLICT DO NOTHING")
    holder = Session(st)
    holder.send("BEGIN;")
    # FOR KEY SHARE: a claim's lock (FOR UPDATE) conflicts with it, the upserts of scheduling and seeding do not.
    assert holder.query(f"SELECT 1 FROM license_turns WHERE license_id = '{lic}' FOR KEY SHARE;") == "1"
    job_id = submit(st, multipage_tiff(st, "phototest.tif", 12))
    # Both workers idle while the job waits (to be prepared, or for its pages to be claimed).
    deadline = time.time() + 120
    settled = 0
    while settled < 3:
        assert time.time() < deadline, "the workers never went idle"
        queued = sql(st, f"SELECT count(*) FROM job_tasks WHERE job_id = '{job_id}' AND locked_by IS NOT NULL")
        settled = settled + 1 if busy_workers(st) == 0 and queued == "0" else 0
        time.sleep(0.3)
    assert sql(st, f"SELECT pages_done FROM jobs WHERE job_id = '{job_id}'") == "0"
    holder.close()
    j = done(st, job_id)
    assert j["status"] == "completed" and j["pagesDone"] == 12, j
    by = pages_by_worker(st, job_id)
    print(f"# pages by worker: {by}")
    assert sorted(by) == list(range(1, 13)) and len(set(by.values())) == 2, by


def test_claim_functions_report_busy(st):
    # The claim itself: with one claimer's transaction holding license A's turn, a second claimer gets the
    # "busy" row (a NULL job), not an empty answer, while A has work queued.
    lic, app = L["A"]["licenseId"], L["A"]["apps"][0]
    st.node("US", 0).stop()
    job_id = sql(st, f"INSERT INTO jobs (job_id, license_id, app_id, status, options, max_attempts, max_pages,"
                     f" max_pixels, expires_at, pages_left, pages_selected, doc_pages) VALUES (gen_random_uuid(),"
                     f" '{lic}', '{app}', 'processing', '{{}}', 3, 10, 100000000, now() + interval '1 hour', 2, 2, 2)"
                     f" RETURNING job_id")
    try:
        sql(st, f"INSERT INTO job_tasks (job_id, page, license_id, app_id, seq) SELECT '{job_id}', p, '{lic}',"
                f" '{app}', nextval('job_turn') FROM generate_series(1, 2) p")
        sql(st, f"INSERT INTO license_turns (license_id) VALUES ('{lic}') ON CONFLICT DO NOTHING")
        sql(st, f"INSERT INTO app_turns (app_id, license_id) VALUES ('{app}', '{lic}') ON CONFLICT DO NOTHING")
        holder = Session(st)
        holder.send("BEGIN;")
        assert holder.query("SELECT page FROM task_claim('test/1', 60);") == "1"
        other = sql(st, "SELECT coalesce(job_id::text, 'busy') FROM task_claim('test/2', 60)")
        holder.close()
        assert other == "busy", f"a claim beside another one answered {other!r}"
        assert sql(st, "SELECT page FROM task_claim('test/2', 60)") == "2"
    finally:
        sql(st, f"DELETE FROM jobs WHERE job_id = '{job_id}'")
        st.node("US", 0).start()


def test_preparing_is_fair_across_licenses(st):
    # One worker in the region, busy on a page of license A's first job. A then queues nine more jobs (one-page
    # and three-page ones), then license B queues one: B's job is the next job started, before A's (first-come
    # order would start all of A's first).
    n0 = st.node("US", 0)
    n0.stop()
    n0.extra["engine_workers"] = 1
    n0.start()
    try:
        first = submit(st, multipage_tiff(st, "8087_054.3B.tif", 2))
        deadline = time.time() + 120
        while sql(st, f"SELECT count(*) FROM job_tasks WHERE job_id = '{first}' AND locked_by IS NOT NULL") == "0":
            assert time.time() < deadline, "the first job's page never started"
            time.sleep(0.02)
        a = [submit(st, multipage_tiff(st, "phototest.tif", 1 if i % 2 else 3)) for i in range(9)]
        b = submit(st, multipage_tiff(st, "phototest.tif", 1), lic="B")
        waiting = sql(st, "SELECT count(*) FROM jobs WHERE job_id IN (" + ",".join(f"'{x}'" for x in a) + ")"
                          " AND status = 'scheduled'")
        for x in a:
            assert done(st, x, timeout=600)["status"] == "completed"
        assert done(st, b, lic="B", timeout=600)["status"] == "completed"
        before = int(sql(st, "SELECT count(*) FROM jobs WHERE job_id IN (" + ",".join(f"'{x}'" for x in a) + ")"
                             f" AND started_at < (SELECT started_at FROM jobs WHERE job_id = '{b}')"))
        print(f"# {waiting} of A's 9 jobs were waiting when B's was queued; {before} of A's started before B's")
        # Those started before B's had been claimed before B's job was queued, but for one claimed meanwhile.
        assert int(waiting) >= 2, "the worker was not busy while the jobs were queued"
        assert before <= 9 - int(waiting) + 1, f"{before} of A's jobs started before B's"
    finally:
        n0.stop()
        n0.extra["engine_workers"] = 2
        n0.start()


def test_other_nodes_woken_by_notification(st):
    # A 12-page job submitted to node 0 while node 1 sits idle (its poll 60 s away): node 1 hears the
    # notification of the seeded pages and its workers recognize some of them.
    st.node("US", 1).start()
    try:
        # Node 1's workers have looked at the queue once at start-up and are waiting for their next poll.
        deadline = time.time() + 120
        while busy_workers(st, 1) != 0:
            assert time.time() < deadline
            time.sleep(0.1)
        job_id = submit(st, multipage_tiff(st, "phototest.tif", 12))
        j = done(st, job_id)
        assert j["status"] == "completed" and j["pagesDone"] == 12, j
        by = pages_by_worker(st, job_id)
        prefix = f"{st.node('US', 1).extra['node_id']}/"
        print(f"# pages by worker: {by}")
        assert any(w.startswith(prefix) for w in by.values()), by
    finally:
        st.node("US", 1).stop()


def stored_pages(st):
    return set(sql(st, "SELECT job_id || ' ' || page || ' ' || stored_at FROM job_pages").splitlines())


def test_claims_lost_in_a_database_crash(st):
    # Claims commit without waiting for the disk (region migration 016, docs/ARCHITECTURE.md "Durability of
    # claims"); stores wait for it. The WAL writer is stopped, so that what commits asynchronously from then on
    # stays in the server's memory until a synchronous commit flushes it; once a page has been stored since and
    # both workers are on a page, the server crashes (the WAL writer SIGKILLed: PostgreSQL restarts itself,
    # recovering from what is on disk). The claims made since the last store are lost with it. Whatever was
    # lost, every job completes exactly once (each page counted once, stored once, no task left behind,
    # nothing failed), and a page stored before the crash is never lost nor stored again: it keeps the very
    # row a client could read before the crash.
    jobs = [submit(st, multipage_tiff(st, "phototest.tif", 4)) for _ in range(3)]
    walwriter = int(sql(st, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'"))
    os.kill(walwriter, signal.SIGSTOP)
    try:
        before = len(stored_pages(st))
        deadline = time.time() + 120
        while sql(st, "SELECT count(*) FROM job_tasks WHERE page > 0 AND locked_by IS NOT NULL") != "2" or \
                len(stored_pages(st)) <= before:
            assert time.time() < deadline, "the workers never stored a page with two pages in recognition"
            time.sleep(0.01)
        held = sql(st, "SELECT job_id || ' ' || page || ' ' || attempt FROM job_tasks WHERE locked_by IS NOT NULL"
                       " ORDER BY 1").splitlines()
        stored = stored_pages(st)
    finally:
        os.kill(walwriter, signal.SIGKILL)
    deadline = time.time() + 120
    while True:  # the server restarts on its own after the crash of one of its processes
        try:
            after = sql(st, "SELECT job_id || ' ' || page || ' ' || attempt FROM job_tasks").splitlines()
            break
        except subprocess.CalledProcessError:
            assert time.time() < deadline, "the database did not come back"
            time.sleep(0.1)
    print(f"# claims held at the crash: {len(held)}; of them lost with it: {len(set(held) - set(after))};"
          f" pages stored before it: {len(stored)}")
    for job_id in jobs:  # not bounded by WOKEN_S: this test is about what survives a crash, not wake-ups
        j = done(st, job_id, timeout=300)
        assert j["status"] == "completed" and j["pagesDone"] == 4, j
        row = sql(st, f"SELECT pages_done, pages_left, error_pages FROM jobs WHERE job_id = '{job_id}'")
        assert row == "4|0|0", f"job {job_id}: pages done, left, failed: {row}"
        pages = sql(st, f"SELECT string_agg(page || ':' || status, ',' ORDER BY page) FROM job_pages"
                        f" WHERE job_id = '{job_id}'")
        assert pages == "1:completed,2:completed,3:completed,4:completed", f"job {job_id}: {pages}"
    assert sql(st, "SELECT count(*) FROM job_tasks") == "0"
    redone = stored - stored_pages(st)
    assert not redone, f"pages stored before the crash, lost with it and stored again: {sorted(redone)}"


def make_stack():
    cfg = {"queue_poll_ms": POLL_MS, "engine_workers": 2}
    st = Stack(nodes={"US": 2}, node_cfg={"US": cfg}, name="claims").start()
    for n in st.nodes["US"]:
        n.stop()
        n.extra = dict(n.extra, node_id=f"claims-{n.name}")
    st.node("US", 0).start()
    L["A"] = st.seed_license("US", quota=100000, name="A")
    L["B"] = st.seed_license("US", quota=100000, name="B")
    return st


if __name__ == "__main__":
    run([test_a_claim_that_skipped_a_held_turn_claims_again, test_claim_functions_report_busy,
         test_preparing_is_fair_across_licenses, test_other_nodes_woken_by_notification,
         test_claims_lost_in_a_database_crash], make_stack)
