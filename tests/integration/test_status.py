"""The task status resource (GET /v1/status/{taskId}) over real jobs: the reference's flow PENDING -> PROGRESS ->
SUCCESS with its result (header, layout, words) and FAILURE, every status code it lists, and a task created
through another surface (POST /v1/jobs) read here and back. Responses are checked against the OpenAPI document."""
import uuid

from harness import Stack, check_openapi, run, tenant, testdata, wait_job_until

L = {}
T = "/v1/status/{taskId}"


def node(st):
    return st.node("US")


def create(st, query="", app=None, body=None):
    h = dict(tenant(L["lic"], app), **{"Content-Type": "image/tiff"})
    r = node(st).request("POST", "/v1/jobs" + query, headers=h, body=body or testdata("phototest.tif"))
    assert r.status == 201, r
    return r.json()["jobId"]


def status(st, task, app=None, method="GET"):
    r = node(st).request(method, f"/v1/status/{task}", headers=tenant(L["lic"], app))
    check_openapi(st, "GET", T, r)
    return r


def wait_state(st, task, states, timeout=120):
    """Polls the status resource until its state is one of `states`; every answer meanwhile must be a legal one."""
    import time
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        r = status(st, task)
        if r.status == 503:  # a legitimate answer during an outage
            time.sleep(0.1)
            continue
        assert r.status == 200, r
        j = r.json()
        seen.append(j["state"])
        assert j["state"] in ("PENDING", "PROGRESS", "SUCCESS", "FAILURE"), j
        if j["state"] in states:
            return j, seen
        assert 0 <= j["current"] <= 100 and "result" not in j, j
        time.sleep(0.05)
    raise AssertionError(f"task {task} not in {states}; seen {seen}")


def test_success_with_header_layout_words(st):
    task = create(st, "?correlationId=order-17&description=scanned%20letter&outputs=text,json")
    j, seen = wait_state(st, task, ("SUCCESS", "FAILURE"))
    assert j["state"] == "SUCCESS" and j["current"] == 100 and j["message"] == "completed", j
    assert set(seen) <= {"PENDING", "PROGRESS", "SUCCESS"}, seen
    res = j["result"]
    h = res["header"]
    assert h["customInfo"] == {"correlationId": "order-17", "description": "scanned letter"}, h
    assert h["totPages"] == 1 and h["errorPages"] == 0 and h["version"].startswith("tesseract "), h
    assert h["conversionDateTime"].endswith("Z") and h["documentName"] == "", h
    meta = {m["name"]: m["value"] for m in h["metadata"]}
    assert meta["jobId"] == task and meta["contentType"] == "image/tiff" and len(meta["sha256"]) == 64, meta
    assert len(res["words"]) == 1 and "point text" in res["words"][0], res["words"]
    assert res["layout"] and all(b["page"] == 1 for b in res["layout"]), res["layout"][:1]
    lines = [ln for b in res["layout"] for par in b["paragraphs"] for ln in par["lines"]]
    assert any("point text" in ln["text"] for ln in lines), lines
    for b in res["layout"]:
        for ln in b["paragraphs"][0]["lines"]:  # every line lies inside its block
            assert b["box"]["x"] <= ln["box"]["x"] and ln["box"]["x"] + ln["box"]["w"] <= b["box"]["x"] + b["box"]["w"]
            assert b["box"]["y"] <= ln["box"]["y"] and ln["box"]["y"] + ln["box"]["h"] <= b["box"]["y"] + b["box"]["h"]
    # The same job through v1: one job, two surfaces.
    v1 = node(st).request("GET", f"/v1/jobs/{task}", headers=tenant(L["lic"])).json()
    assert v1["status"] == "completed" and v1["finishedAt"] == h["conversionDateTime"], v1


def test_pending_and_failure(st):
    task = create(st, "?autostart=false")
    j = status(st, task).json()
    v1 = node(st).request("GET", f"/v1/jobs/{task}", headers=tenant(L["lic"])).json()
    assert j == {"current": 0, "message": v1["progress"]["message"], "state": "PENDING"}, j
    c = node(st).request("POST", f"/v1/jobs/{task}/cancel", headers=tenant(L["lic"]))
    assert c.status == 200, c
    j = status(st, task).json()
    assert j["state"] == "FAILURE" and j["current"] == 0 and j["message"], j
    assert set(j) == {"current", "message", "state"}, j


def test_progress_of_a_running_task(st):
    import os, subprocess
    from harness import TESTDATA
    out = os.path.join(st.dir, "status-3.tif")
    subprocess.run(["tiffcp"] + [os.path.join(TESTDATA, "8087_054.3B.tif")] * 3 + [out], check=True)
    task = create(st, "?outputs=text", body=open(out, "rb").read())
    j, seen = wait_state(st, task, ("PROGRESS", "SUCCESS"), timeout=300)
    if j["state"] == "PROGRESS":
        assert 0 <= j["current"] < 100 and j["message"], j
    wait_state(st, task, ("SUCCESS",), timeout=300)


def test_failed_task(st):
    # A PDF whose signature passes admission but whose body cannot be read fails in the worker.
    h = dict(tenant(L["lic"]), **{"Content-Type": "application/pdf"})
    r = node(st).request("POST", "/v1/jobs", headers=h, body=b"%PDF-1.4\n" + b"x" * 200)
    assert r.status == 201, r
    j, _ = wait_state(st, r.json()["jobId"], ("SUCCESS", "FAILURE"))
    assert j["state"] == "FAILURE" and j["current"] == 0 and j["message"], j


def test_status_codes(st):
    task = create(st, "?outputs=text")
    wait_state(st, task, ("SUCCESS",))
    bad = node(st).request("GET", f"/v1/status/{task}", headers={"X-License-Id": L["lic"]["licenseId"],
                                                                    "X-App-Id": str(uuid.uuid4())})
    assert bad.status == 401 and bad.json()["errorCode"] == "InvalidCredentials", bad
    check_openapi(st, "GET", T, bad)
    for t in (str(uuid.uuid4()), "not-a-task"):
        r = status(st, t)
        assert r.status == 404 and r.json()["errorCode"] == "ResourceNotFound", r
    other = status(st, task, app=L["lic"]["apps"][1])  # another app of the license never sees it
    assert other.status == 404, other
    post = node(st).request("POST", f"/v1/status/{task}", headers=tenant(L["lic"]))
    assert post.status == 405 and post.header("allow") == "GET", post
    check_openapi(st, "GET", T, post)
    # A stored page that is damaged is a 500, not half a result.
    st.psql("ocrgate_us", f"UPDATE job_pages SET json = 'not json' WHERE job_id = '{task}'")
    r = status(st, task)
    assert r.status == 500 and r.json()["errorCode"] == "InternalError", r
    st.psql("ocrgate_us", f"UPDATE jobs SET expires_at = now() - interval '1 second' WHERE job_id = '{task}'")
    r = status(st, task)
    assert r.status == 410 and r.json()["errorCode"] == "ResourceExpired", r


def _start():
    st = Stack(nodes={"US": 1}, node_cfg={"US": {"engine_workers": 2}}, name="status").start()
    L["lic"] = st.seed_license("US", tier="polling", quota=1000000, apps=2, name="status")
    return st


if __name__ == "__main__":
    run([test_success_with_header_layout_words, test_pending_and_failure, test_progress_of_a_running_task,
         test_failed_task, test_status_codes], _start)
