"""Page-parallel runs (jobs/, docs/ARCHITECTURE.md "Page-parallel runs"): the pages of one job spread over every
worker of the region, on every node; the claim takes pages round-robin across licenses; cancel stops every
page; a node killed outright has its pages taken over by another node, each page stored once."""
import os
import re
import signal
import subprocess
import time

from harness import TESTDATA, Stack, check_openapi, run, tenant, wait_job_until

L = {}
LEASE_S = 2


def multipage_tiff(st, name, copies):
    out = os.path.join(st.dir, f"{name}-{copies}.tif")
    if not os.path.exists(out):
        subprocess.run(["tiffcp"] + [os.path.join(TESTDATA, name)] * copies + [out], check=True, capture_output=True)
    return open(out, "rb").read()


def submit(st, body, query="?outputs=text,json", lic="A", node=0):
    h = dict(tenant(L[lic]))
    h["Content-Type"] = "image/tiff"
    r = st.node("US", node).request("POST", "/v1/jobs" + query, headers=h, body=body)
    assert r.status == 201, r
    return r.json()["jobId"]


def get(st, path, lic="A", node=0):
    return st.node("US", node).request("GET", path, headers=tenant(L[lic]))


def over(st, job_id, lic="A", timeout=600):
    return wait_job_until(st.node("US", 0), job_id, tenant(L[lic]), lambda j: j["status"] in
                          ("completed", "failed", "canceled"), timeout=timeout, what="a final state")


def sql(st, q):
    return st.psql("ocrgate_us", q)


def pages_by_worker(st, job_id):
    rows = sql(st, f"SELECT page, worker FROM job_pages WHERE job_id = '{job_id}' ORDER BY page")
    return {int(p): w for p, w in (line.split("|") for line in rows.splitlines())}


def node_of(st, worker):
    """The node (index) whose lease name a worker name carries ("<node id>/<n>", node id host:port)."""
    for n in st.nodes["US"]:
        if worker.startswith(f"{n.extra.get('node_id')}/"):
            return n.index
    raise AssertionError(f"no node for worker {worker}")


def kill_holding_pages(st, job_id, n):
    """Kills node n (SIGKILL) as soon as it holds page tasks of the job; returns those pages ("3,4")."""
    prefix = f"{n.extra['node_id']}/"
    held = ""
    deadline = time.time() + 300
    while not held:
        assert time.time() < deadline, f"node {n.index} never took a page"
        held = sql(st, f"SELECT string_agg(page::text, ',') FROM job_tasks WHERE job_id = '{job_id}'"
                       f" AND page > 0 AND starts_with(locked_by, '{prefix}')")
        time.sleep(0.02)
    n.proc.send_signal(signal.SIGKILL)
    n.proc.wait()
    return held


def idle(st):
    """Every worker of every running node idle (their /v1/serverload)."""
    for n in st.nodes["US"]:
        if n.proc.poll() is None:
            r = n.request("GET", "/v1/serverload", headers=tenant(L["A"]))
            if r.status != 200 or r.json()["busyWorkers"] != 0:
                return False
    return True


def test_pages_spread_over_workers_and_nodes(st):
    # Two nodes with two workers each: the 12 pages of one job are recognized by more than one worker, on
    # both nodes; every page's results are there and the whole-document text is assembled once, in page order.
    job_id = submit(st, multipage_tiff(st, "phototest.tif", 12))
    seen = set()
    for j in (get(st, f"/v1/jobs/{job_id}").json() for _ in range(2000)):
        if j["status"] == "processing" and j["progress"]["message"].startswith("recognizing"):
            assert re.fullmatch(r"recognizing, \d+ of 12 pages done", j["progress"]["message"]), j
            seen.add(j["progress"]["message"])
        if j["status"] in ("completed", "failed", "canceled"):
            break
        time.sleep(0.05)
    done = over(st, job_id)
    assert done["status"] == "completed" and done["pagesDone"] == 12 and done["errorPages"] == 0, done
    workers = pages_by_worker(st, job_id)
    assert sorted(workers) == list(range(1, 13)), workers
    print(f"# pages by worker: {workers}; progress seen: {sorted(seen)}")
    assert len(set(workers.values())) >= 2, f"every page on one worker: {workers}"
    assert {node_of(st, w) for w in workers.values()} == {0, 1}, f"pages on one node only: {workers}"
    text = get(st, f"/v1/jobs/{job_id}/results/text").body.decode()
    assert text.count("This is a lot of 12 point text") == 12, text[:500]
    pl = get(st, f"/v1/jobs/{job_id}/pages")
    check_openapi(st, "GET", "/v1/jobs/{id}/pages", pl)
    assert sql(st, f"SELECT count(*) FROM job_tasks WHERE job_id = '{job_id}'") == "0"
    assert sql(st, f"SELECT count(*) FROM job_outputs WHERE job_id = '{job_id}'") == "2"


def test_max_parallel_pages_one_keeps_a_job_on_one_page_at_a_time(st):
    # maxParallelPages=1: at most one page of the job is claimed at any time, whatever the idle workers.
    job_id = submit(st, multipage_tiff(st, "phototest.tif", 6), "?outputs=text&maxParallelPages=1")
    most = 0
    while True:
        running = int(sql(st, f"SELECT count(*) FROM job_tasks WHERE job_id = '{job_id}' AND page > 0"
                              " AND locked_by IS NOT NULL"))
        most = max(most, running)
        j = get(st, f"/v1/jobs/{job_id}").json()
        if j["status"] in ("completed", "failed", "canceled"):
            break
        time.sleep(0.02)
    assert j["status"] == "completed" and j["options"]["maxParallelPages"] == 1, j
    assert most <= 1, f"{most} pages of the job claimed at once"
    h = dict(tenant(L["A"]), **{"Content-Type": "image/tiff"})
    bad = st.node("US", 0).request("POST", "/v1/jobs?maxParallelPages=-1", headers=h,
                                   body=multipage_tiff(st, "phototest.tif", 1))
    assert bad.status == 400 and "maxParallelPages" in bad.json()["message"], bad


def test_tier_max_concurrent_pages(st):
    # A tier with max_concurrent_pages 1: two jobs of its license never have more than one page in recognition
    # at once in the region (four idle workers), and both complete.
    tiers = {t["name"]: t for t in st.run_cli(["tier", "list"])}
    assert tiers["standard"]["maxConcurrentPages"] == 0, tiers  # the default: no cap
    jobs = [submit(st, multipage_tiff(st, "phototest.tif", 4), lic="C") for _ in range(2)]
    lic = L["C"]["licenseId"]
    most = 0
    while True:
        most = max(most, int(sql(st, f"SELECT count(*) FROM job_tasks WHERE license_id = '{lic}' AND page > 0"
                                     " AND locked_by IS NOT NULL")))
        states = [get(st, f"/v1/jobs/{j}", lic="C").json()["status"] for j in jobs]
        if all(s in ("completed", "failed", "canceled") for s in states):
            break
        time.sleep(0.02)
    assert states == ["completed", "completed"], states
    assert most == 1, f"{most} pages of the license claimed at once"


def test_tier_max_concurrent_pages_one_page_jobs(st):
    # One-page jobs are recognized by the worker that prepares them, without a page task, unless their license's
    # tier caps its pages in recognition: then they go through the fair claim, so that the cap holds for them
    # too (license C, cap 1, four one-page jobs on four idle workers: never more than one page at once).
    jobs = [submit(st, multipage_tiff(st, "phototest.tif", 1), lic="C") for _ in range(4)]
    lic = L["C"]["licenseId"]
    most = 0
    while True:
        # Pages in recognition: claimed page tasks, and one-page jobs run whole (held by their job lease after
        # the page count is recorded, never seeded).
        most = max(most, int(sql(st, f"SELECT (SELECT count(*) FROM job_tasks WHERE license_id = '{lic}'"
                                     " AND page > 0 AND locked_by IS NOT NULL) + (SELECT count(*) FROM jobs"
                                     f" WHERE license_id = '{lic}' AND status = 'processing'"
                                     " AND locked_by IS NOT NULL AND pages_selected IS NOT NULL"
                                     " AND pages_left IS NULL)")))
        states = [get(st, f"/v1/jobs/{j}", lic="C").json()["status"] for j in jobs]
        if all(s in ("completed", "failed", "canceled") for s in states):
            break
        time.sleep(0.01)
    assert states == ["completed"] * 4, states
    assert most == 1, f"{most} pages of the license in recognition at once"


def test_cancel_stops_every_page(st):
    # A cancel while pages are recognized on both nodes ends the job at once; no page is stored after it,
    # no task is left, and every worker goes idle.
    job_id = submit(st, multipage_tiff(st, "8087_054.3B.tif", 16))
    wait_job_until(st.node("US", 0), job_id, tenant(L["A"]), lambda j: j["pagesDone"] >= 1, timeout=300,
                   what="one page done")
    r = st.node("US", 1).request("POST", f"/v1/jobs/{job_id}/cancel", headers=tenant(L["A"]))
    assert r.status == 200 and r.json()["status"] == "canceled", r
    stored = sql(st, f"SELECT count(*) FROM job_pages WHERE job_id = '{job_id}'")
    assert sql(st, f"SELECT count(*) FROM job_tasks WHERE job_id = '{job_id}'") == "0"
    deadline = time.time() + 120
    while not idle(st):
        assert time.time() < deadline, "workers still busy after the cancel"
        time.sleep(0.1)
    assert int(stored) < 16, stored
    assert sql(st, f"SELECT count(*) FROM job_pages WHERE job_id = '{job_id}'") == stored
    assert over(st, job_id)["status"] == "canceled"


def test_killed_node_pages_taken_over(st):
    # Node 0 is killed (SIGKILL) while it recognizes pages of the job: node 1 takes them over once their short
    # leases run out, the job completes, and every page is stored exactly once, the killed node's by node 1.
    n0 = st.node("US", 0)
    job_id = submit(st, multipage_tiff(st, "8087_054.3B.tif", 8), node=1)
    held = kill_holding_pages(st, job_id, n0)
    done = wait_job_until(st.node("US", 1), job_id, tenant(L["A"]),
                          lambda j: j["status"] in ("completed", "failed", "canceled"), timeout=600)
    assert done["status"] == "completed" and done["pagesDone"] == 8 and done["errorPages"] == 0, done
    workers = pages_by_worker(st, job_id)
    print(f"# node 0 held pages {held} when killed; pages by worker: {workers}")
    assert sorted(workers) == list(range(1, 9)), workers
    for p in map(int, held.split(",")):
        assert node_of(st, workers[p]) == 1, f"page {p} stored by {workers[p]}"
    assert "page task" in st.node("US", 1).tail(200000) and "re-queued" in st.node("US", 1).tail(200000)
    n0.start()


def test_fair_claims_across_licenses(st):
    # One worker in the region. License A queues an 8-page job; license B then queues a one-page job: B's
    # page is claimed right after the page in progress, before A's remaining pages (first-come order would
    # run all of A's first).
    st.node("US", 1).stop()
    n0 = st.node("US", 0)
    n0.stop()
    n0.extra["engine_workers"] = 1
    n0.start()
    a = submit(st, multipage_tiff(st, "8087_054.3B.tif", 8))
    k = wait_job_until(n0, a, tenant(L["A"]), lambda j: j["pagesDone"] >= 1, timeout=300,
                       what="one page done")["pagesDone"]
    b = submit(st, multipage_tiff(st, "phototest.tif", 1), lic="B")
    assert over(st, b, lic="B")["status"] == "completed"
    assert over(st, a)["status"] == "completed"
    after = int(sql(st, f"SELECT count(*) FROM job_pages WHERE job_id = '{a}' AND stored_at >"
                        f" (SELECT stored_at FROM job_pages WHERE job_id = '{b}' AND page = 1)"))
    print(f"# A had {k} pages done when B was queued; {after} of A's pages were stored after B's page")
    # At most the page in progress and the one claimed while B's request was answered run before B's page.
    assert after >= 8 - k - 2, f"only {after} of A's pages after B's"


def two_nodes(name):
    """Two US nodes with two workers each, short leases, each with a node id the tests recognize in lease names."""
    cfg = {"job_lease_s": LEASE_S, "sweep_interval_ms": 200, "queue_poll_ms": 100, "engine_workers": 2}
    st = Stack(nodes={"US": 2}, node_cfg={"US": cfg}, name=name).start()
    for n in st.nodes["US"]:
        n.stop()
        n.extra = dict(n.extra, node_id=f"{name}-{n.name}")
        n.start()
    return st


def make_stack():
    st = two_nodes("pages")
    L["A"] = st.seed_license("US", quota=100000, name="A")
    L["B"] = st.seed_license("US", quota=100000, name="B")
    st.run_cli(["tier", "create", "--name", "one-page", "--hourly-quota", "100000", "--max-concurrent-pages", "1"])
    L["C"] = st.seed_license("US", tier="one-page", name="C")
    return st


if __name__ == "__main__":
    run([test_pages_spread_over_workers_and_nodes, test_max_parallel_pages_one_keeps_a_job_on_one_page_at_a_time,
         test_tier_max_concurrent_pages, test_tier_max_concurrent_pages_one_page_jobs, test_cancel_stops_every_page,
         test_killed_node_pages_taken_over, test_fair_claims_across_licenses],
        make_stack)
