"""OCR jobs end to end through the API: real tesseract on the real test pages, every way to create a job,
results in every format, per-page results while later pages still run, error paths, cancel, delete,
idempotency, retention, and a node killed with SIGKILL mid-job whose job still completes."""
import io
import json
import os
import re
import signal
import struct
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from harness import TESTDATA, accuracy, Stack, check_openapi, job_updates, run, tenant, wait_job_until

L = {}


def read(name):
    with open(os.path.join(TESTDATA, name), "rb") as f:
        return f.read()


def multipage_tiff(st, name, copies):
    out = os.path.join(st.dir, f"{name}-{copies}.tif")
    if not os.path.exists(out):
        subprocess.run(["tiffcp"] + [os.path.join(TESTDATA, name)] * copies + [out], check=True, capture_output=True)
    return open(out, "rb").read()


def crafted_tiff(pages, big=False):
    """A little-endian TIFF (BigTIFF with big) of 8-bit grey PackBits pages. Each page is (w, h, dup_w, dup_h,
    count_delta): later duplicate ImageWidth/ImageLength entries (0: none) and a StripByteCounts that lies by
    count_delta. Same layout as tests/unit/engine/crafted_tiff.h."""
    sz = 8 if big else 4
    out = bytearray(b"II" + struct.pack("<H", 43 if big else 42) + (struct.pack("<HH", 8, 0) if big else b""))
    next_at = len(out)
    out += bytes(sz)
    for w, h, dw, dh, delta in pages:
        strip = len(out)
        row = bytearray()
        todo = w
        while todo:
            run = min(todo, 128)
            row += bytes([(1 - run) & 0xFF, 0x80])
            todo -= run
        out += row * h
        count = len(out) - strip + delta
        if len(out) % 2:
            out += b"\0"
        out[next_at:next_at + sz] = len(out).to_bytes(sz, "little")
        tags = [(256, w)] + ([(256, dw)] if dw else []) + [(257, h)] + ([(257, dh)] if dh else []) + [
            (258, 8), (259, 32773), (262, 1), (273, strip), (277, 1), (278, h), (279, count)]
        out += len(tags).to_bytes(8 if big else 2, "little")
        for tag, value in tags:
            out += struct.pack("<HH", tag, 16 if big else 4) + (1).to_bytes(sz, "little") + value.to_bytes(sz, "little")
        next_at = len(out)
        out += bytes(sz)
    return bytes(out)


def node(st):
    return st.node("US")


def create(st, body, query="", ctype="image/tiff", app=None, headers=None, lic=None):
    h = dict(tenant(lic or L["lic"], app))
    if ctype:
        h["Content-Type"] = ctype
    h.update(headers or {})
    return node(st).request("POST", "/v1/jobs" + query, headers=h, body=body)


def get(st, path, app=None, lic=None):
    return node(st).request("GET", path, headers=tenant(lic or L["lic"], app))


def wait_job(st, job_id, statuses=("completed", "failed", "canceled"), timeout=300, app=None, lic=None):
    return wait_job_until(node(st), job_id, tenant(lic or L["lic"], app), lambda j: j["status"] in statuses, timeout,
                          f"status {statuses}")


JOB_KEYS = ["jobId", "appId", "status", "progress", "document", "options", "correlationId", "description",
            "pagesDone", "errorPages", "meanConfidence", "barcodeCount", "attempt", "createdAt", "scheduledAt", "startedAt",
            "finishedAt", "expiresAt", "results", "error"]


def count_jobs(st):
    return int(st.psql("ocrgate_us", "SELECT count(*) FROM jobs"))


def test_phototest_all_formats(st):
    r = create(st, read("phototest.tif"), "?outputs=text,json,hocr,pdf,tsv,alto&correlationId=photo-1")
    assert r.status == 201, r
    check_openapi(st, "POST", "/v1/jobs", r)
    job = r.json()
    assert r.header("location") == f"/v1/jobs/{job['jobId']}"
    assert job["status"] == "scheduled" and job["document"]["contentType"] == "image/tiff"
    assert job["document"]["pages"] == 1 and job["document"]["bytes"] == len(read("phototest.tif"))
    done = wait_job(st, job["jobId"])
    assert done["status"] == "completed" and done["progress"]["current"] == 100, done
    assert done["pagesDone"] == 1 and done["errorPages"] == 0 and done["meanConfidence"] > 80
    got = get(st, f"/v1/jobs/{job['jobId']}")
    check_openapi(st, "GET", "/v1/jobs/{id}", got)
    # The job object's keys in the documented order (API.md), options in the options table's order, results in
    # the order of outputs, and the confidence rounded to one decimal as written.
    assert list(got.json()) == JOB_KEYS, list(got.json())
    assert list(got.json()["options"])[:3] == ["languages", "outputs", "autostart"], list(got.json()["options"])
    assert list(got.json()["results"]) == got.json()["options"]["outputs"]
    assert list(got.json()["document"]) == ["name", "contentType", "bytes", "pages", "sha256"]
    assert re.search(rb'"meanConfidence":\d+(\.\d)?[,}]', got.body), got.body
    base = f"/v1/jobs/{job['jobId']}/results/"
    text = get(st, base + "text")
    assert text.status == 200 and text.header("content-type").startswith("text/plain")
    acc = accuracy(text.body.decode(), read("phototest.txt").decode())
    print(f"# phototest accuracy {acc:.4f}")
    assert acc >= 0.99, acc
    js = get(st, base + "json")
    check_openapi(st, "GET", "/v1/jobs/{id}/results/{format}", js)
    page = js.json()["pages"][0]
    assert page["width"] == 640 and page["height"] == 480 and len(page["words"]) > 50
    for w in page["words"]:
        b = w["box"]
        assert 0 <= b["x"] and 0 <= b["y"] and b["x"] + b["w"] <= page["width"] and b["y"] + b["h"] <= page["height"], w
        assert 0 <= w["confidence"] <= 100 and w["text"]
    hocr = get(st, base + "hocr")
    assert hocr.status == 200 and b"ocr_page" in hocr.body
    parser = HTMLParser()
    parser.feed(hocr.body.decode())
    ET.fromstring(hocr.body)  # well-formed XHTML
    pdf = get(st, base + "pdf")
    assert pdf.status == 200 and pdf.header("content-type") == "application/pdf" and pdf.body.startswith(b"%PDF-")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf.body)
        f.flush()
        layer = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True, check=True).stdout
    assert "quick brown dog" in layer and "lazy fox" in layer, layer[:200]
    tsv = get(st, base + "tsv")
    assert tsv.status == 200 and tsv.body.startswith(b"level\tpage_num") and b"quick" in tsv.body
    alto = get(st, base + "alto")
    assert alto.status == 200 and "alto" in ET.fromstring(alto.body).tag.lower()
    # Per-page results and the page list.
    p1 = get(st, f"/v1/jobs/{job['jobId']}/pages/1/results/text")
    assert p1.status == 200 and accuracy(p1.body.decode(), read("phototest.txt").decode()) >= 0.99
    check_openapi(st, "GET", "/v1/jobs/{id}/pages/{n}/results/{format}", p1)
    pl = get(st, f"/v1/jobs/{job['jobId']}/pages")
    check_openapi(st, "GET", "/v1/jobs/{id}/pages", pl)
    assert pl.json()["items"][0]["status"] == "completed"
    assert get(st, f"/v1/jobs/{job['jobId']}/pages/2/results/text").status == 404
    lst = get(st, "/v1/jobs?correlationId=photo-1")
    check_openapi(st, "GET", "/v1/jobs", lst)
    assert [j["jobId"] for j in lst.json()["jobs"]] == [job["jobId"]]


def test_8087_accuracy(st):
    r = create(st, read("8087_054.3B.tif"), "?outputs=text")
    assert r.status == 201, r
    done = wait_job(st, r.json()["jobId"])
    text = get(st, f"/v1/jobs/{done['jobId']}/results/text").body.decode()
    acc = accuracy(text, read("8087_054.3B.txt").decode())
    print(f"# 8087_054.3B accuracy {acc:.4f}")
    assert acc >= 0.90, acc
    r = get(st, f"/v1/jobs/{done['jobId']}/results/pdf")
    assert r.status == 404 and r.json()["errorCode"] == "ResourceNotFound", "pdf was not asked for"


def test_three_pages_progress_and_early_page_results(st):
    body = multipage_tiff(st, "8087_054.3B.tif", 3)
    r = create(st, body, "?outputs=text,json")
    job = r.json()
    assert job["document"]["pages"] == 3
    seen, early = [], None
    for j in job_updates(node(st), job["jobId"], tenant(L["lic"]), 120):
        seen.append(j["progress"]["current"])
        if j["status"] == "processing" and j["pagesDone"] >= 1 and early is None:
            # Pages are recognized side by side, in any order: the one stored first is readable at once.
            listed = get(st, f"/v1/jobs/{job['jobId']}/pages").json()
            first = next(p["page"] for p in listed["items"] if p["status"] == "completed")
            early = get(st, f"/v1/jobs/{job['jobId']}/pages/{first}/results/text")
            pending = get(st, f"/v1/jobs/{job['jobId']}/pages/3/results/text")
            whole = get(st, f"/v1/jobs/{job['jobId']}/results/text")
        if j["status"] == "completed":
            break
    assert seen[0] == 0 and seen[-1] == 100, seen
    assert seen == sorted(seen), "progress never goes back"
    assert any(0 < p < 100 for p in seen), seen
    assert early is not None and early.status == 200 and accuracy(early.body.decode(), read("8087_054.3B.txt").decode()) > 0.9
    assert pending.status in (200, 202)
    if pending.status == 202:
        check_openapi(st, "GET", "/v1/jobs/{id}/pages/{n}/results/{format}", pending)
    assert whole.status == 202 and whole.header("retry-after") and whole.json()["status"] == "processing"
    check_openapi(st, "GET", "/v1/jobs/{id}/results/{format}", whole)
    text = get(st, f"/v1/jobs/{job['jobId']}/results/text").body.decode()
    assert text.count("\f") == 2, "three pages joined by form feeds"
    pages = get(st, f"/v1/jobs/{job['jobId']}/results/json").json()["pages"]
    assert [p["page"] for p in pages] == [1, 2, 3]


def test_multipart_and_two_step(st):
    boundary = "----ocrgate" + uuid.uuid4().hex
    opts = json.dumps({"outputs": ["text"], "description": "multipart"}).encode()
    doc = read("phototest.tif")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"options\"\r\nContent-Type: application/json\r\n\r\n").encode() + opts + \
           (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.tif\"\r\nContent-Type: image/tiff\r\n\r\n").encode() + \
           doc + f"\r\n--{boundary}--\r\n".encode()
    r = create(st, body, ctype=f"multipart/form-data; boundary={boundary}")
    assert r.status == 201, r
    j = r.json()
    assert j["document"]["name"] == "scan.tif" and j["options"]["outputs"] == ["text"] and j["description"] == "multipart"
    assert wait_job(st, j["jobId"])["status"] == "completed"
    # JSON options first, document later, not started until scheduled.
    r = create(st, json.dumps({"autostart": False, "outputs": ["text"]}).encode(), ctype="application/json")
    assert r.status == 201 and r.json()["status"] == "created" and r.json()["document"] is None, r
    jid = r.json()["jobId"]
    h = dict(tenant(L["lic"]), **{"Content-Type": "application/json"})
    p = node(st).request("PATCH", f"/v1/jobs/{jid}", headers=h, body=b'{"minConfidence": 50, "correlationId": "two-step"}')
    assert p.status == 200 and p.json()["options"]["minConfidence"] == 50 and p.json()["options"]["outputs"] == ["text"], p
    check_openapi(st, "PATCH", "/v1/jobs/{id}", p)
    bad = node(st).request("PATCH", f"/v1/jobs/{jid}", headers=h, body=b'{"minConfidence": 500}')
    assert bad.status == 400 and bad.json()["errorDetails"][0]["field"] == "minConfidence", bad
    s = node(st).request("POST", f"/v1/jobs/{jid}/schedule", headers=tenant(L["lic"]))
    assert s.status == 409 and s.json()["errorCode"] == "InvalidState", "no document yet"
    u = node(st).request("PUT", f"/v1/jobs/{jid}/document", headers=dict(tenant(L["lic"]), **{"Content-Type": "image/tiff"}), body=doc)
    assert u.status == 200 and u.json()["status"] == "created" and u.json()["document"]["pages"] == 1, u
    check_openapi(st, "PUT", "/v1/jobs/{id}/document", u)
    u2 = node(st).request("PUT", f"/v1/jobs/{jid}/document", headers=dict(tenant(L["lic"]), **{"Content-Type": "image/tiff"}), body=doc)
    assert u2.status == 409, "a second document is refused"
    time.sleep(0.5)
    assert get(st, f"/v1/jobs/{jid}").json()["status"] == "created", "autostart false waits"
    s = node(st).request("POST", f"/v1/jobs/{jid}/schedule", headers=tenant(L["lic"]))
    assert s.status == 200 and s.json()["status"] == "scheduled", s
    check_openapi(st, "POST", "/v1/jobs/{id}/schedule", s)
    assert wait_job(st, jid)["status"] == "completed"
    p = node(st).request("PATCH", f"/v1/jobs/{jid}", headers=h, body=b'{"minConfidence": 10}')
    assert p.status == 409


def test_refused_uploads_store_nothing(st):
    before = count_jobs(st)
    png = read("phototest-rotated-180.png")
    cases = [
        (b"", "image/png", 415, "EmptyDocument"),
        (b"garbage" * 100, "image/png", 415, "UnsupportedMediaType"),
        (png[: len(png) // 2], "image/png", 415, "UnsupportedMediaType"),
        (png, "text/plain", 415, "UnsupportedMediaType"),
    ]
    for body, ctype, status, code in cases:
        r = create(st, body, ctype=ctype)
        assert r.status == status and r.json()["errorCode"] == code, (code, r)
        check_openapi(st, "POST", "/v1/jobs", r)
    for q, code, field in [("?bogus=1", "UnrecognizedInput", "bogus"), ("?retentionDays=99", "InvalidInput", "retentionDays"),
                           ("?languages=xx", "InvalidInput", "languages"), ("?outputs=text,nope", "InvalidInput", "outputs"),
                           ("?deskew=maybe", "InvalidInput", "deskew")]:
        r = create(st, read("phototest.tif"), q)
        assert r.status == 400 and r.json()["errorCode"] == code, (q, r)
        assert r.json()["errorDetails"][0]["field"] == field, r.json()
    r = create(st, b"{not json", ctype="application/json")
    assert r.status == 400 and r.json()["errorCode"] == "MalformedJson", r
    # Over the tier's byte limit (the small tier allows 20000 bytes) and pixel limits.
    r = create(st, read("phototest.tif"), lic=L["small"])
    assert r.status == 413 and r.json()["errorCode"] == "PayloadTooLarge", r
    big = bytearray(read("phototest-rotated-180.png"))
    r = create(st, bytes(big), ctype="image/png", lic=L["small"])
    assert r.status == 413 and r.json()["errorCode"] == "DocumentTooLarge", r
    r = create(st, multipage_tiff(st, "phototest.tif", 3), lic=L["pages2"])
    assert r.status == 413 and r.json()["errorCode"] == "DocumentTooLarge" and "pages" in r.json()["message"], r
    assert count_jobs(st) == before, "a refused upload stored a job"
    assert st.psql("ocrgate_us", "SELECT count(*) FROM jobs j LEFT JOIN job_documents d USING (job_id) WHERE d.job_id IS NULL AND j.status <> 'created'") == "0"


def test_tiff_that_lies_about_its_size(st):
    # The "tiff" tier allows 1,000,000 pixels a page. libtiff decodes a page at the size of the first of
    # duplicate ImageWidth/ImageLength entries: the gateway checks the largest any entry claims.
    before = count_jobs(st)
    for what, body in [("first entries over the limit", crafted_tiff([(2000, 2000, 10, 10, 0)])),
                       ("BigTIFF, first entries over the limit", crafted_tiff([(2000, 2000, 10, 10, 0)], big=True)),
                       ("later entries over the limit", crafted_tiff([(10, 10, 2000, 2000, 0)])),
                       ("page 2 of 3", crafted_tiff([(20, 20, 0, 0, 0), (2000, 2000, 10, 10, 0), (30, 30, 0, 0, 0)]))]:
        r = create(st, body, lic=L["tiff"])
        assert r.status == 413 and r.json()["errorCode"] == "DocumentTooLarge", (what, r)
        check_openapi(st, "POST", "/v1/jobs", r)
    assert count_jobs(st) == before, "a refused upload stored a job"
    # Within the limit but stating two sizes: accepted at upload, never decoded: the job fails.
    r = create(st, crafted_tiff([(900, 900, 10, 10, 0)]), lic=L["tiff"])
    assert r.status == 201, r
    done = wait_job(st, r.json()["jobId"], app=L["tiff"]["apps"][0], lic=L["tiff"])
    assert done["status"] == "failed", done
    # Strips that lie about their byte counts: a failed job or a page at its stated size, never a crash.
    for delta in (-40, 100000):
        r = create(st, crafted_tiff([(50, 50, 0, 0, delta)]), lic=L["tiff"])
        assert r.status == 201, r
        done = wait_job(st, r.json()["jobId"], app=L["tiff"]["apps"][0], lic=L["tiff"])
        assert done["status"] in ("completed", "failed"), done
    assert node(st).request("GET", "/v1/health").status == 200


def test_other_app_cannot_see(st):
    r = create(st, read("phototest.tif"), "?outputs=text")
    jid = r.json()["jobId"]
    other_app = L["lic"]["apps"][1]
    for path in (f"/v1/jobs/{jid}", f"/v1/jobs/{jid}/results/text", f"/v1/jobs/{jid}/pages"):
        g = get(st, path, app=other_app)
        assert g.status == 404 and g.json()["errorCode"] == "ResourceNotFound", (path, g)
    d = node(st).request("DELETE", f"/v1/jobs/{jid}", headers=tenant(L["lic"], other_app))
    assert d.status == 404
    assert jid not in [j["jobId"] for j in get(st, "/v1/jobs?limit=100", app=other_app).json()["jobs"]]
    assert get(st, "/v1/jobs/not-a-uuid").status == 404
    assert get(st, f"/v1/jobs/{uuid.uuid4()}").status == 404
    wait_job(st, jid)


def test_cancel_delete_and_conflicts(st):
    r = create(st, multipage_tiff(st, "8087_054.3B.tif", 3), "?outputs=text")
    jid = r.json()["jobId"]
    wait_job(st, jid, ("processing",))
    d = node(st).request("DELETE", f"/v1/jobs/{jid}", headers=tenant(L["lic"]))
    assert d.status == 409 and d.json()["errorCode"] == "InvalidState", d
    c = node(st).request("POST", f"/v1/jobs/{jid}/cancel", headers=tenant(L["lic"]))
    assert c.status == 200, c
    check_openapi(st, "POST", "/v1/jobs/{id}/cancel", c)
    done = wait_job(st, jid)
    assert done["status"] == "canceled" and done["pagesDone"] < 3, done
    res = get(st, f"/v1/jobs/{jid}/results/text")
    assert res.status == 409, res
    d = node(st).request("DELETE", f"/v1/jobs/{jid}", headers=tenant(L["lic"]))
    assert d.status == 204 and d.body == b"", d
    check_openapi(st, "DELETE", "/v1/jobs/{id}", d)
    assert get(st, f"/v1/jobs/{jid}").status == 404
    assert st.psql("ocrgate_us", f"SELECT count(*) FROM job_pages WHERE job_id = '{jid}'") == "0"
    # A failed job's result is 409 JobFailed: a page timeout of 1 ms fails every page.
    r = create(st, read("8087_054.3B.tif"), "?pageTimeoutMs=1&outputs=text")
    done = wait_job(st, r.json()["jobId"])
    assert done["status"] == "failed" and done["error"]["errorCode"] == "Timeout", done
    res = get(st, f"/v1/jobs/{done['jobId']}/results/text")
    assert res.status == 409 and res.json()["errorCode"] == "JobFailed", res


def test_idempotent_create(st):
    before = count_jobs(st)
    key = {"Idempotency-Key": "order-" + uuid.uuid4().hex}
    a = create(st, read("phototest.tif"), "?outputs=text", headers=key)
    b = create(st, read("phototest.tif"), "?outputs=text", headers=key)
    assert a.status == 201 and b.status == 200, (a, b)
    check_openapi(st, "POST", "/v1/jobs", b)
    assert a.json()["jobId"] == b.json()["jobId"]
    c = create(st, read("phototest.tif"), "?outputs=text", headers=key, app=L["lic"]["apps"][1])
    assert c.status == 201 and c.json()["jobId"] != a.json()["jobId"], "keys are per app"
    assert count_jobs(st) == before + 2
    bad = create(st, read("phototest.tif"), headers={"Idempotency-Key": "x" * 300})
    assert bad.status == 400
    wait_job(st, a.json()["jobId"])
    wait_job(st, c.json()["jobId"], app=L["lic"]["apps"][1])


def test_list_filters_and_cursor(st):
    ids = []
    for i in range(5):
        r = create(st, json.dumps({"correlationId": "page-me", "autostart": False}).encode(), ctype="application/json")
        ids.append(r.json()["jobId"])
    got, cursor = [], None
    while True:
        r = get(st, "/v1/jobs?correlationId=page-me&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200, r
        got += [j["jobId"] for j in r.json()["jobs"]]
        cursor = r.json()["nextCursor"]
        if not cursor:
            break
    assert got == list(reversed(ids)), "newest first, every job once"
    assert len(get(st, "/v1/jobs?status=created&correlationId=page-me").json()["jobs"]) == 5
    assert get(st, "/v1/jobs?status=completed&correlationId=page-me").json()["jobs"] == []
    for q, code in [("?limit=0", "InvalidInput"), ("?status=done", "InvalidInput"), ("?createdFrom=yesterday", "InvalidInput"),
                    ("?cursor=zzz", "InvalidInput"), ("?sort=asc", "UnrecognizedInput")]:
        r = get(st, "/v1/jobs" + q)
        assert r.status == 400 and r.json()["errorCode"] == code, (q, r)


def test_retention_tombstone(st):
    r = create(st, read("phototest.tif"), "?outputs=text&retentionDays=1")
    jid = r.json()["jobId"]
    wait_job(st, jid)
    st.psql("ocrgate_us", f"UPDATE jobs SET expires_at = now() - interval '1 second' WHERE job_id = '{jid}'")
    g = get(st, f"/v1/jobs/{jid}")
    assert g.status == 410 and g.json()["errorCode"] == "ResourceExpired", g
    deadline = time.time() + 10  # the sweeper runs every second in this stack
    while time.time() < deadline and st.psql("ocrgate_us", f"SELECT count(*) FROM job_outputs WHERE job_id = '{jid}'") != "0":
        time.sleep(0.2)
    assert st.psql("ocrgate_us", f"SELECT count(*) FROM job_documents WHERE job_id = '{jid}'") == "0"
    assert st.psql("ocrgate_us", f"SELECT count(*) FROM job_pages WHERE job_id = '{jid}'") == "0"
    assert st.psql("ocrgate_us", f"SELECT purged_at IS NOT NULL FROM jobs WHERE job_id = '{jid}'") == "t"
    assert get(st, f"/v1/jobs/{jid}/results/text").status == 410


def test_retention_never_purges_unfinished_jobs(st):
    # A queued job already past its retention time: the sweeper (every second here) must leave its document to
    # the worker, and the job completes. The row is held locked for a moment so that the sweeper gets there first.
    r = create(st, read("phototest.tif"), "?outputs=text&autostart=false")
    assert r.status == 201, r
    jid = r.json()["jobId"]
    # FOR SHARE makes the claim (FOR UPDATE SKIP LOCKED) pass the job by; the sweeper's UPDATE waits for it.
    lock = subprocess.Popen(["psql", f"{st.conninfo} dbname=ocrgate_us", "-qtAX", "-c",
                             f"UPDATE jobs SET status = 'scheduled', scheduled_at = now(), "
                             f"expires_at = now() - interval '1 second' WHERE job_id = '{jid}'", "-c",
                             f"BEGIN; SELECT 1 FROM jobs WHERE job_id = '{jid}' FOR SHARE; SELECT pg_sleep(3); COMMIT;"],
                            stdout=subprocess.DEVNULL)
    lock.wait(30)
    # Past its retention the API answers 410 for it; the database tells how it ended.
    deadline = time.time() + 60
    state = None
    while time.time() < deadline:
        state = st.psql("ocrgate_us", f"SELECT status FROM jobs WHERE job_id = '{jid}'")
        if state in ("completed", "failed", "canceled"):
            break
        time.sleep(0.1)
    assert state == "completed", (state, st.psql("ocrgate_us", f"SELECT error_code || ': ' || error_message FROM jobs WHERE job_id = '{jid}'"))
    # Once finished it is purged as usual, and a purged job is never claimed again.
    deadline = time.time() + 10
    while time.time() < deadline and st.psql("ocrgate_us", f"SELECT purged_at IS NOT NULL FROM jobs WHERE job_id = '{jid}'") != "t":
        time.sleep(0.2)
    assert st.psql("ocrgate_us", f"SELECT purged_at IS NOT NULL FROM jobs WHERE job_id = '{jid}'") == "t"
    st.psql("ocrgate_us", f"UPDATE jobs SET status = 'scheduled', scheduled_at = now() WHERE job_id = '{jid}'")
    time.sleep(2)  # several worker polls
    assert st.psql("ocrgate_us", f"SELECT status || ' ' || attempt FROM jobs WHERE job_id = '{jid}'") == "scheduled 1"
    st.psql("ocrgate_us", f"UPDATE jobs SET status = 'completed' WHERE job_id = '{jid}'")


def test_sigkill_mid_job_then_restart(st):
    n = node(st)
    r = create(st, multipage_tiff(st, "8087_054.3B.tif", 3), "?outputs=text,pdf")
    jid = r.json()["jobId"]
    j = wait_job_until(n, jid, tenant(L["lic"]), lambda j: j["pagesDone"] >= 1, 60, "a stored page")
    assert j["status"] == "processing" and j["pagesDone"] in (1, 2), j
    n.proc.send_signal(signal.SIGKILL)
    n.proc.wait()
    assert st.psql("ocrgate_us", f"SELECT status FROM jobs WHERE job_id = '{jid}'") == "processing"
    n.start()
    done = wait_job(st, jid, timeout=300)
    # The job is held by its page tasks: the node takes back the pages it held, the job's own attempt stays 1.
    assert done["status"] == "completed" and done["pagesDone"] == 3 and done["attempt"] == 1, done
    text = get(st, f"/v1/jobs/{jid}/results/text").body.decode()
    assert text.count("\f") == 2 and accuracy(text.split("\f")[0], read("8087_054.3B.txt").decode()) > 0.9
    pdf = get(st, f"/v1/jobs/{jid}/results/pdf")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf.body)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.M), info


def test_database_outage_mid_job(st):
    r = create(st, multipage_tiff(st, "8087_054.3B.tif", 3), "?outputs=text")
    jid = r.json()["jobId"]
    wait_job_until(node(st), jid, tenant(L["lic"]), lambda j: j["pagesDone"] >= 1, 60, "a stored page")
    st.pg_stop()
    down = get(st, f"/v1/jobs/{jid}")
    assert down.status == 503 and down.json()["errorCode"] == "Unavailable", down
    time.sleep(1)
    st.pg_start()
    # The worker gives its job back as soon as it reconnects (not when the lease runs out) and it resumes.
    done = wait_job(st, jid, timeout=300)
    assert done["status"] == "completed" and done["pagesDone"] == 3, done
    text = get(st, f"/v1/jobs/{jid}/results/text").body.decode()
    assert text.count("\f") == 2 and accuracy(text.split("\f")[2], read("8087_054.3B.txt").decode()) > 0.9


def _start():
    st = Stack(nodes={"US": 1}, node_cfg={"US": {"sweep_interval_ms": 1000, "engine_workers": 2,
                                                 "node_id": "us-node-a", "max_request_body": "20MB"}},
               name="jobs").start()
    # Polling for job states counts against the quota (20 requests/s while a test waits): on a slow machine the
    # suite's waits alone could use up 1000 an hour, so this license's tier allows plenty.
    L["lic"] = st.seed_license("US", tier="polling", quota=1000000, apps=2, name="jobs")
    st.run_cli(["tier", "create", "--name", "small", "--hourly-quota", "1000", "--max-file-bytes", "20000",
                "--max-pixels", "100000"])
    L["small"] = st.seed_license("US", tier="small", apps=1, name="small")
    st.run_cli(["tier", "create", "--name", "pages2", "--hourly-quota", "1000", "--max-pages", "2"])
    L["pages2"] = st.seed_license("US", tier="pages2", apps=1, name="pages2")
    st.run_cli(["tier", "create", "--name", "tiff", "--hourly-quota", "1000", "--max-pixels", "1000000"])
    L["tiff"] = st.seed_license("US", tier="tiff", apps=1, name="tiff")
    return st


if __name__ == "__main__":
    run([test_phototest_all_formats, test_8087_accuracy, test_three_pages_progress_and_early_page_results,
         test_multipart_and_two_step, test_refused_uploads_store_nothing, test_tiff_that_lies_about_its_size, test_other_app_cannot_see,
         test_cancel_delete_and_conflicts, test_idempotent_create, test_list_filters_and_cursor,
         test_retention_tombstone, test_retention_never_purges_unfinished_jobs, test_sigkill_mid_job_then_restart, test_database_outage_mid_job], _start)
