"""The job runner (jobs/): leases renewed while a long page is worked on, so that no other node takes the job,
and a node that is told to stop while clients still read the pool's figures over kept-alive connections."""
import http.client
import os
import signal
import time

from harness import TESTDATA, Stack, run, tenant

L = {}
LEASE_S = 1


def read(name):
    with open(os.path.join(TESTDATA, name), "rb") as f:
        return f.read()


def submit(st, body, query, ctype):
    h = dict(tenant(L["lic"]))
    h["Content-Type"] = ctype
    r = st.node("US", 0).request("POST", "/v1/jobs" + query, headers=h, body=body)
    assert r.status == 201, r
    return r.json()["jobId"]


def wait_done(st, job_id, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = st.node("US", 0).request("GET", f"/v1/jobs/{job_id}", headers=tenant(L["lic"]))
        if r.status == 200 and r.json()["status"] in ("completed", "failed", "canceled"):
            return r.json()
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} did not finish")


def test_lease_renewed_during_a_long_page(st):
    # Both nodes sweep every 100 ms and hold leases of one second. The document is a full scanned page
    # rendered from PDF at 600 dpi: probing, rendering and recognizing its first page takes several seconds
    # (the lease runs out many times over); only the keeper's renewals keep the other node off it.
    pdf_job = wait_done(st, submit(st, read("8087_054.3B.tif"), "?outputs=pdf", "image/tiff"))
    assert pdf_job["status"] == "completed", pdf_job
    pdf = st.node("US", 0).request("GET", f"/v1/jobs/{pdf_job['jobId']}/results/pdf", headers=tenant(L["lic"])).body
    assert pdf.startswith(b"%PDF-")
    job_id = submit(st, pdf, "?outputs=text&dpi=600", "application/pdf")
    j = wait_done(st, job_id)
    assert j["status"] == "completed", j
    attempts = int(st.psql("ocrgate_us", f"SELECT attempt FROM jobs WHERE job_id = '{job_id}'"))
    ms = st.psql("ocrgate_us", f"SELECT engine_ms FROM job_pages WHERE job_id = '{job_id}' AND page = 1")
    print(f"# page 1 took {ms} ms of recognition under a lease of {LEASE_S * 1000} ms")
    assert attempts == 1, f"the job was taken over: attempt {attempts}"
    for n in st.nodes["US"]:
        assert "whose lease expired" not in n.tail(100000), n.tail(2000)


def keepalive_get(conn, path, headers):
    """One request on a kept-alive connection: the response, or None when the server closed it cleanly (never
    a new connection: http.client would open one by itself)."""
    if conn.sock is None:
        return None
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            print(f"# {path}: {r.status} {body[:200]!r}")
        return r.status
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest):
        return None


def test_sigterm_while_clients_read_the_pool(st):
    # /v1/serverload and /metrics read the worker pool's figures. After SIGTERM the node drains: the same
    # requests on connections kept alive from before get an answer or a clean close, never a crash.
    n = st.node("US", 1)
    api = n.connect()
    metrics = http.client.HTTPConnection("127.0.0.1", n.extra["metrics_port"], timeout=30)
    h = tenant(L["lic"])
    api.connect()
    metrics.connect()
    first = keepalive_get(api, "/v1/serverload", h), keepalive_get(metrics, "/metrics", {})
    assert first == (200, 200), first
    n.proc.send_signal(signal.SIGTERM)
    answers = []
    for _ in range(200):
        a, m = keepalive_get(api, "/v1/serverload", h), keepalive_get(metrics, "/metrics", {})
        answers.append((a, m))
        if a is None and m is None:
            break
        time.sleep(0.01)
    for a, m in answers:
        assert a in (None, 200, 503) and m in (None, 200, 503), answers
    assert n.proc.wait(30) == 0, f"exit {n.proc.returncode}: {n.tail(2000)}"


def make_stack():
    cfg = {"job_lease_s": LEASE_S, "sweep_interval_ms": 100, "queue_poll_ms": 100, "metrics_port": "free-port"}
    st = Stack(nodes={"US": 2}, node_cfg={"US": cfg}, name="runner").start()
    L["lic"] = st.seed_license("US", quota=100000)  # polling a long job must not run into the quota
    return st


if __name__ == "__main__":
    run([test_lease_renewed_during_a_long_page, test_sigterm_while_clients_read_the_pool], make_stack)
