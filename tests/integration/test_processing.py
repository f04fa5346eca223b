"""Per-result endpoints (GET /processing/results/{processing_id}/...) and synchronous processing (POST
/processing/{workflow}) over real jobs: the reference's flow (submit, full result, re-fetch each result), the
page-image scaling rule, every status of its table (200, 202, 401, 403, 404, 422, 429, 500), the 202 with
Location once the synchronous limit passes, a client that leaves, and jobs shared with v1 and the task status
resource. Responses are checked against the OpenAPI document."""
import os
import socket
import ssl
import struct
import subprocess
import time
import uuid

from harness import TESTDATA, Stack, check_openapi, run, tenant, testdata, wait_job_until

L = {}
R = "/processing/results/{processing_id}"


def node(st):
    return st.node("US")


def sync(st, body, query="", ctype="image/tiff", lic=None, app=None, headers=None):
    h = dict(tenant(lic or L["lic"], app))
    if ctype:
        h["Content-Type"] = ctype
    h.update(headers or {})
    r = node(st).request("POST", "/processing/ocr" + query, headers=h, body=body, timeout=120)
    check_openapi(st, "POST", "/processing/{workflow}", r)
    return r


def res(st, pid, sub, app=None, lic=None, query="", template=None):
    r = node(st).request("GET", f"/processing/results/{pid}/{sub}{query}", headers=tenant(lic or L["lic"], app))
    check_openapi(st, "GET", template or f"{R}/{sub}", r)
    return r


def png_size(body):
    assert body[:8] == b"\x89PNG\r\n\x1a\n", body[:16]
    return struct.unpack(">II", body[16:24])


def multipage(st, name, copies):
    out = os.path.join(st.dir, f"{name}-{copies}.tif")
    if not os.path.exists(out):
        subprocess.run(["tiffcp"] + [os.path.join(TESTDATA, name)] * copies + [out], check=True, capture_output=True)
    return open(out, "rb").read()


def test_synchronous_full_result_then_each_result(st):
    r = sync(st, testdata("phototest.tif"), "?correlationId=sync-1")
    assert r.status == 201, r
    full = r.json()
    pid = full["processing_id"]
    assert r.header("location") == f"/processing/results/{pid}/ocr", r.headers
    assert full["workflow"] == "ocr" and full["job"]["status"] == "completed" and full["job"]["jobId"] == pid, full["job"]
    words = " ".join(w["text"] for p in full["ocr"]["pages"] for w in p["words"])
    assert "point text" in words, words
    assert full["page_images"] == [f"/processing/results/{pid}/page-images/1"], full
    # Each result again, on its own.
    ocr = res(st, pid, "ocr")
    assert ocr.status == 200 and ocr.json() == full["ocr"], ocr
    hocr = res(st, pid, "hocr")
    assert hocr.status == 200 and hocr.header("content-type").startswith("text/html") and b"ocrx_word" in hocr.body, hocr
    lst = res(st, pid, "page-images")
    assert lst.status == 200 and lst.json() == {"pages": [f"/processing/results/{pid}/page-images/1"]}, lst
    img = res(st, pid, "page-images/1", template=f"{R}/page-images/{{page_num}}")
    assert img.status == 200 and img.header("content-type") == "image/png", img
    w0, h0 = png_size(img.body)
    thumb = res(st, pid, "thumbnail")
    assert thumb.status == 200 and png_size(thumb.body)[0] == 200, thumb
    # The same job through v1 and the task status resource.
    v1 = node(st).request("GET", f"/v1/jobs/{pid}", headers=tenant(L["lic"])).json()
    assert v1["status"] == "completed" and v1["correlationId"] == "sync-1", v1
    t = node(st).request("GET", f"/v1/status/{pid}", headers=tenant(L["lic"])).json()
    assert t["state"] == "SUCCESS" and t["result"]["header"]["customInfo"] == {"correlationId": "sync-1"}, t
    L["done"], L["size"] = pid, (w0, h0)


def test_page_image_scaling_rule(st):
    pid, (w0, h0) = L["done"], L["size"]
    tpl = f"{R}/page-images/{{page_num}}"
    only_w = res(st, pid, "page-images/1", query="?width=100", template=tpl)
    assert png_size(only_w.body) == (100, round(h0 * 100 / w0)), png_size(only_w.body)
    only_h = res(st, pid, "page-images/1", query="?height=100", template=tpl)
    assert png_size(only_h.body)[1] == 100, png_size(only_h.body)
    # Both given, ratio not the page's: the larger one wins and the aspect ratio is kept.
    tall = res(st, pid, "page-images/1", query="?width=50&height=300", template=tpl)
    assert png_size(tall.body)[1] == 300 and abs(png_size(tall.body)[0] - w0 * 300 / h0) <= 1, png_size(tall.body)
    wide = res(st, pid, "page-images/1", query="?width=320&height=10", template=tpl)
    assert png_size(wide.body)[0] == 320 and abs(png_size(wide.body)[1] - h0 * 320 / w0) <= 1, png_size(wide.body)


def test_multipart_and_options(st):
    b = "cx" + uuid.uuid4().hex
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.tif\"\r\n"
            f"Content-Type: image/tiff\r\n\r\n").encode() + testdata("phototest.tif") + f"\r\n--{b}--\r\n".encode()
    r = sync(st, body, "?outputs=text,json", ctype=f"multipart/form-data; boundary={b}")
    assert r.status == 201, r
    assert r.json()["job"]["document"]["name"] == "scan.tif" and r.json()["job"]["options"]["outputs"] == ["text", "json"]


def test_results_of_a_v1_job_while_it_waits(st):
    h = dict(tenant(L["lic"]), **{"Content-Type": "image/tiff"})
    c = node(st).request("POST", "/v1/jobs?autostart=false", headers=h, body=testdata("phototest.tif"))
    jid = c.json()["jobId"]
    for sub in ("ocr", "hocr", "page-images", "thumbnail"):
        p = res(st, jid, sub)
        assert p.status == 202 and p.json()["errorCode"] == "InProgress" and p.json()["processing_id"] == jid, p
        assert p.header("retry-after"), p.headers
    node(st).request("POST", f"/v1/jobs/{jid}/schedule", headers=tenant(L["lic"]))
    wait_job_until(node(st), jid, tenant(L["lic"]), lambda j: j["status"] == "completed", 120, "completed")
    assert res(st, jid, "ocr").status == 200


def test_more_pages_than_the_synchronous_limit(st):
    r = sync(st, multipage(st, "phototest.tif", 3))
    assert r.status == 202 and r.header("location"), r  # sync_max_pages is 2 on this node
    pid = r.json()["processing_id"]
    wait_job_until(node(st), pid, tenant(L["lic"]), lambda j: j["status"] == "completed", 120, "completed")
    got = node(st).request("GET", r.header("location"), headers=tenant(L["lic"]))
    assert got.status == 200 and len(got.json()["pages"]) == 3, got


def lock_page_store(st, seconds):
    """Holds job_pages locked for `seconds` (the worker's page store waits for it, so no job can finish meanwhile);
    returns the psql process once the lock is held."""
    lock = subprocess.Popen(["psql", f"{st.conninfo} dbname=ocrgate_us", "-qtAX", "-c",
                             f"BEGIN; LOCK TABLE job_pages IN EXCLUSIVE MODE; SELECT pg_sleep({seconds}); COMMIT;"],
                            stdout=subprocess.DEVNULL)
    deadline = time.time() + 30
    while st.psql("ocrgate_us", "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                  " WHERE c.relname = 'job_pages' AND l.mode = 'ExclusiveLock' AND l.granted") != "1":
        assert time.time() < deadline, "the lock was not taken"
        time.sleep(0.05)
    return lock


def test_time_limit_answers_202_and_the_job_runs_on(st):
    n = node(st)
    n.stop()
    n.extra["sync_timeout_ms"] = 1000
    n.start()
    try:
        lock = lock_page_store(st, 4)
        r = sync(st, testdata("phototest.tif"))
        assert r.status == 202 and r.header("location").endswith("/ocr"), r
        pid = r.json()["processing_id"]
        lock.wait(30)
        wait_job_until(n, pid, tenant(L["lic"]), lambda j: j["status"] == "completed", 120, "completed")
        assert res(st, pid, "ocr").status == 200
    finally:
        n.stop()
        del n.extra["sync_timeout_ms"]
        n.start()


def test_client_that_leaves_leaves_the_job_running(st):
    n = node(st)
    body = testdata("phototest.tif")
    marker = "left-" + uuid.uuid4().hex[:8]
    req = (f"POST /processing/ocr?correlationId={marker} HTTP/1.1\r\nHost: localhost\r\n"
           f"X-License-Id: {L['lic']['licenseId']}\r\nX-App-Id: {L['lic']['apps'][0]}\r\n"
           f"Content-Type: image/tiff\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    lock = lock_page_store(st, 3)
    with socket.create_connection(("127.0.0.1", n.https_port)) as raw:
        with st.ssl_context().wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(req)
            # Leave once the job is stored and the request waits for it (it cannot finish while the lock holds).
            deadline = time.time() + 30
            jid = ""
            while not jid:
                assert time.time() < deadline, "the job of the synchronous request was not stored"
                jid = st.psql("ocrgate_us", f"SELECT job_id FROM jobs WHERE correlation_id = '{marker}'")
                time.sleep(0.05)
    lock.wait(30)
    # The job finishes although nobody waits for it any more, and the node stays well.
    wait_job_until(n, jid, tenant(L["lic"]), lambda j: j["status"] == "completed", 120, "completed")
    assert n.request("GET", "/v1/health").status == 200
    assert sync(st, testdata("phototest.tif")).status == 201


def test_status_codes(st):
    pid = L["done"]
    bad = node(st).request("GET", f"/processing/results/{pid}/ocr",
                           headers={"X-License-Id": L["lic"]["licenseId"], "X-App-Id": str(uuid.uuid4())})
    assert bad.status == 401, bad
    check_openapi(st, "GET", f"{R}/ocr", bad)
    other = res(st, pid, "ocr", app=L["lic"]["apps"][1])
    assert other.status == 403 and other.json()["errorCode"] == "Forbidden", other
    for unknown in (str(uuid.uuid4()), "nope"):
        assert res(st, unknown, "ocr").status == 404
    other_license = res(st, pid, "ocr", lic=L["small"])
    assert other_license.status == 404, other_license  # not even its existence across licenses
    wf = sync(st, testdata("phototest.tif")[:100], ctype="image/tiff")  # noqa: the workflow check below
    assert wf.status == 422, wf  # not a readable document
    unknown_wf = node(st).request("POST", "/processing/extract", headers=dict(tenant(L["lic"]), **{"Content-Type": "image/tiff"}),
                                  body=testdata("phototest.tif"))
    assert unknown_wf.status == 404, unknown_wf
    check_openapi(st, "POST", "/processing/{workflow}", unknown_wf)
    m = node(st).request("DELETE", f"/processing/results/{pid}/ocr", headers=tenant(L["lic"]))
    assert m.status == 405 and m.header("allow") == "GET", m
    tpl = f"{R}/page-images/{{page_num}}"
    for q, page in (("", "0"), ("", "abc"), ("", "2"), ("?width=0", "1"), ("?width=x", "1"), ("?zoom=2", "1")):
        r = res(st, pid, f"page-images/{page}", query=q, template=tpl)
        assert r.status == 422 and r.json()["errorCode"] in ("InvalidInput", "UnrecognizedInput"), (q, page, r)
    bad_opt = sync(st, testdata("phototest.tif"), "?noSuchOption=1")
    assert bad_opt.status == 422 and bad_opt.json()["errorCode"] == "UnrecognizedInput", bad_opt
    big = sync(st, testdata("phototest.tif"), lic=L["small"])  # over the tier's byte limit
    assert big.status == 429 and big.json()["errorCode"] == "PayloadTooLarge", big
    # A document that passes admission but cannot be read: the job fails, the synchronous call says 500.
    failed = sync(st, b"%PDF-1.4\n" + b"x" * 200, ctype="application/pdf")
    assert failed.status == 500 and failed.json()["errorCode"] == "JobFailed", failed
    jid = st.psql("ocrgate_us", "SELECT job_id FROM jobs WHERE status = 'failed' ORDER BY finished_at DESC LIMIT 1")
    again = res(st, jid, "ocr")
    assert again.status == 500 and again.json()["errorCode"] == "JobFailed", again
    # The quota: a license of 2 requests an hour.
    codes = [sync(st, testdata("phototest.tif"), lic=L["quota"]).status for _ in range(3)]
    assert codes[:2] == [201, 201] and codes[2] == 429, codes


def test_drain_stops_the_listener(st):
    """After a synchronous request was served, SIGTERM stops the node's announcement listener, its connection
    closed and its thread joined, before the node says it stopped; the drain ends with exit 0."""
    r = sync(st, testdata("phototest.tif"))
    assert r.status == 201, r
    n = node(st)
    assert n.stop() == 0, n.tail()
    log = n.tail(20000)
    drained, stopped = log.rfind("draining"), log.rfind('"stopped"')
    listener = log.rfind("synchronous processing: listener stopped")
    assert 0 <= drained < listener < stopped, log[-3000:]


def _start():
    st = Stack(nodes={"US": 1}, node_cfg={"US": {"engine_workers": 2, "sync_max_pages": 2}}, name="processing").start()
    L["lic"] = st.seed_license("US", tier="polling", quota=1000000, apps=2, name="processing")
    st.run_cli(["tier", "create", "--name", "small", "--hourly-quota", "1000", "--max-file-bytes", "20000"])
    L["small"] = st.seed_license("US", tier="small", apps=1, name="small")
    st.run_cli(["tier", "create", "--name", "two", "--hourly-quota", "2"])
    L["quota"] = st.seed_license("US", tier="two", apps=1, name="quota")
    return st


if __name__ == "__main__":
    run([test_synchronous_full_result_then_each_result, test_page_image_scaling_rule, test_multipart_and_options,
         test_results_of_a_v1_job_while_it_waits, test_more_pages_than_the_synchronous_limit,
         test_time_limit_answers_202_and_the_job_runs_on, test_client_that_leaves_leaves_the_job_running,
         test_status_codes, test_drain_stops_the_listener], _start)
