"""The process manager (POST /v1/processes/{processType}, GET /v1/processes/{processType}/{processId}, and the
deprecated /v4 aliases) over real jobs: the reference's flow with its field names (input, processId,
expirationDateTime, state, errorCode, output), the document as base64 in a JSON body larger than the 64 kB bound
of v1 (decoded off the event loop), every error the reference lists (480, 580 aside, 404, 410) with admission's
own statuses, and processes read through v1 and the task status resource. Responses and accepted request bodies are
checked against the OpenAPI document."""
import base64
import hashlib
import json
import time
import uuid

from harness import Stack, check_openapi, check_openapi_request, run, tenant, testdata

L = {}
P = "/v1/processes/{processType}"
G = "/v1/processes/{processType}/{processId}"


def node(st):
    return st.node("US")


def post(st, body, ptype="ocr", v="v1", lic=None, app=None, ctype="application/json", raw=None):
    h = dict(tenant(lic or L["lic"], app))
    if ctype:
        h["Content-Type"] = ctype
    data = raw if raw is not None else json.dumps(body).encode()
    r = node(st).request("POST", f"/{v}/processes/{ptype}", headers=h, body=data)
    check_openapi(st, "POST", P.replace("v1", v), r)
    if r.status == 200:
        check_openapi_request(st, "POST", P.replace("v1", v), body)
    return r


def get(st, pid, ptype="ocr", v="v1", app=None):
    r = node(st).request("GET", f"/{v}/processes/{ptype}/{pid}", headers=tenant(L["lic"], app))
    check_openapi(st, "GET", G.replace("v1", v), r)
    return r


def doc_input(name="phototest.tif", **options):
    return dict({"document": base64.b64encode(testdata(name)).decode(), "contentType": "image/tiff"}, **options)


def wait_done(st, pid, ptype="ocr", v="v1", timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = get(st, pid, ptype, v)
        if r.status == 503:
            time.sleep(0.1)
            continue
        assert r.status == 200, r
        if r.json()["state"] != "processing":
            return r.json()
        assert "output" not in r.json() and "errorCode" not in r.json(), r
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still processing")


def test_ocr_process_flow(st):
    data = testdata("phototest.tif")
    r = post(st, {"input": dict(doc_input(), name="letter.tif", correlationId="proc-1", outputs=["text", "json"])})
    assert r.status == 200, r
    p = r.json()
    assert p["state"] == "processing" and list(p)[:4] == ["input", "processId", "expirationDateTime", "state"], p
    assert p["input"]["document"] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}, p["input"]
    assert p["input"]["contentType"] == "image/tiff" and p["input"]["name"] == "letter.tif", p["input"]
    assert p["input"]["correlationId"] == "proc-1" and p["input"]["outputs"] == ["text", "json"], p["input"]
    assert p["expirationDateTime"].endswith("Z") and "T" in p["expirationDateTime"], p
    done = wait_done(st, p["processId"])
    assert done["state"] == "complete" and done["processId"] == p["processId"], done
    out = done["output"]
    assert "point text" in out["text"] and out["pages"][0]["page"] == 1 and out["pages"][0]["confidence"] > 50, out
    assert set(out["results"]) == {"text", "json"}, out["results"]
    # Every v1 result of the job is linked, and the links work: one job, every surface.
    t = node(st).request("GET", out["results"]["text"], headers=tenant(L["lic"]))
    assert t.status == 200 and "point text" in t.body.decode(), t
    v1 = node(st).request("GET", f"/v1/jobs/{p['processId']}", headers=tenant(L["lic"])).json()
    assert v1["correlationId"] == "proc-1" and v1["document"]["name"] == "letter.tif", v1
    s = node(st).request("GET", f"/v1/status/{p['processId']}", headers=tenant(L["lic"])).json()
    assert s["state"] == "SUCCESS" and s["result"]["header"]["documentName"] == "letter.tif", s
    L["done"] = p["processId"]


def test_a_v1_job_is_a_process(st):
    h = dict(tenant(L["lic"]), **{"Content-Type": "image/tiff"})
    jid = node(st).request("POST", "/v1/jobs?outputs=text", headers=h, body=testdata("phototest.tif")).json()["jobId"]
    done = wait_done(st, jid)
    assert done["state"] == "complete" and "point text" in done["output"]["text"], done


def test_v4_alias_is_deprecated_and_the_same(st):
    r = post(st, {"input": doc_input(outputs=["text"])}, v="v4")
    assert r.status == 200, r
    assert r.header("deprecation") and r.header("deprecation").startswith("@"), r.headers
    assert r.header("link") == '</v1/processes/ocr>; rel="successor-version"', r.headers
    pid = r.json()["processId"]
    v4 = wait_done(st, pid, v="v4")
    g4 = get(st, pid, v="v4")
    assert g4.header("deprecation") and v4["state"] == "complete", g4
    v1 = get(st, pid).json()
    assert v1 == g4.json() and get(st, pid).header("deprecation") is None, v1


def test_ocr_pdf_process(st):
    r = post(st, {"input": doc_input(outputs=["text"])}, ptype="ocr-pdf")
    assert r.status == 200 and r.json()["input"]["outputs"] == ["text", "pdf"], r
    done = wait_done(st, r.json()["processId"], ptype="ocr-pdf")
    assert done["state"] == "complete" and done["output"]["pdf"].endswith("/results/pdf"), done
    pdf = node(st).request("GET", done["output"]["pdf"], headers=tenant(L["lic"]))
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF"), pdf


def test_large_base64_body(st):
    # 86 kB of TIFF is 115 kB of base64: over the 64 kB JSON bound of v1, within the tier's byte limit.
    body = {"input": doc_input("8087_054.3B.tif", outputs=["text"])}
    assert len(json.dumps(body)) > 64 * 1024
    r = post(st, body)
    assert r.status == 200, r
    done = wait_done(st, r.json()["processId"])
    assert done["state"] == "complete" and len(done["output"]["text"]) > 1000, done
    # Over the tier's byte limit: refused as input, whatever the path through the decoder.
    for name in ("phototest.tif", "8087_054.3B.tif"):
        big = post(st, {"input": doc_input(name)}, lic=L["small"])
        assert big.status == 480 and big.json()["errorCode"] == "PayloadTooLarge", big


def test_error_state(st):
    r = post(st, {"input": {"document": base64.b64encode(b"%PDF-1.4\n" + b"x" * 200).decode(),
                            "contentType": "application/pdf"}})
    assert r.status == 200, r
    done = wait_done(st, r.json()["processId"])
    assert done["state"] == "error" and done["errorCode"] and "output" not in done, done


def test_input_errors_are_480(st):
    cases = [
        ({}, "MissingInput", "input"),
        ({"input": {"contentType": "image/tiff"}}, "MissingInput", "input.document"),
        ({"input": {"document": base64.b64encode(b"x").decode()}}, "MissingInput", "input.contentType"),
        ({"input": "nope"}, "InvalidInput", "input"),
        ({"input": {"document": "not base64!", "contentType": "image/tiff"}}, "InvalidInput", "input.document"),
        ({"input": doc_input(retentionDays=0)}, "InvalidInput", "retentionDays"),
        ({"input": doc_input(), "extra": 1}, "UnrecognizedInput", "body"),
        ({"input": doc_input(noSuchOption=True)}, "UnrecognizedInput", "noSuchOption"),
    ]
    before = st.psql("ocrgate_us", "SELECT count(*) FROM jobs")
    for body, code, field in cases:
        r = post(st, body)
        assert r.status == 480 and r.json()["errorCode"] == code, (body.keys(), r)
        assert field in [d["field"] for d in r.json().get("errorDetails", [])], (field, r)
    for raw, ctype in ((b"{not json", "application/json"), (json.dumps({"input": doc_input()}).encode(), "text/plain"),
                       (json.dumps({"input": doc_input()}).encode(), None)):
        r = post(st, None, raw=raw, ctype=ctype)
        assert r.status == 480 and r.json()["errorCode"] == "InvalidInput", r
    unreadable = post(st, {"input": {"document": base64.b64encode(b"hello").decode(), "contentType": "image/tiff"}})
    assert unreadable.status == 480 and unreadable.json()["errorCode"] == "UnsupportedMediaType", unreadable
    assert st.psql("ocrgate_us", "SELECT count(*) FROM jobs") == before, "a refused process stored a job"


def test_other_statuses(st):
    pid = L["done"]
    assert post(st, {"input": doc_input()}, ptype="translate").status == 404
    assert get(st, pid, ptype="translate").status == 404
    for unknown in (str(uuid.uuid4()), "nope"):
        r = get(st, unknown)
        assert r.status == 404 and r.json()["errorCode"] == "ResourceNotFound", r
    assert get(st, pid, app=L["lic"]["apps"][1]).status == 404  # another app's process is not found
    bad = node(st).request("POST", "/v1/processes/ocr", headers={"X-License-Id": L["lic"]["licenseId"], "X-App-Id": str(uuid.uuid4()),
                                                                  "Content-Type": "application/json"}, body=b"{}")
    assert bad.status == 401, bad
    put = node(st).request("PUT", "/v1/processes/ocr", headers=tenant(L["lic"]), body=b"{}")
    assert put.status == 405 and put.header("allow") == "POST", put
    codes = [post(st, {"input": doc_input(outputs=["text"])}, lic=L["quota"]).status for _ in range(3)]
    assert codes == [200, 200, 429], codes
    st.psql("ocrgate_us", f"UPDATE jobs SET expires_at = now() - interval '1 second' WHERE job_id = '{pid}'")
    gone = get(st, pid)
    assert gone.status == 410 and gone.json()["errorCode"] == "ResourceExpired", gone


def _start():
    st = Stack(nodes={"US": 1}, node_cfg={"US": {"engine_workers": 2}}, name="processes").start()
    L["lic"] = st.seed_license("US", tier="polling", quota=1000000, apps=2, name="processes")
    st.run_cli(["tier", "create", "--name", "small", "--hourly-quota", "1000", "--max-file-bytes", "20000"])
    L["small"] = st.seed_license("US", tier="small", apps=1, name="small")
    st.run_cli(["tier", "create", "--name", "two", "--hourly-quota", "2"])
    L["quota"] = st.seed_license("US", tier="two", apps=1, name="quota")
    return st


if __name__ == "__main__":
    run([test_ocr_process_flow, test_a_v1_job_is_a_process, test_v4_alias_is_deprecated_and_the_same,
         test_ocr_pdf_process, test_large_base64_body, test_error_state, test_input_errors_are_480,
         test_other_statuses], _start)
