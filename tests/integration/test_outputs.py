"""Office outputs through the API: docx, odt, rtf, epub and mht of a real job, read back by real readers
(pandoc, epubcheck, headless Chromium), served with their registered content types, listed by /v1/formats and
in the job's result links."""
import os
import shutil
import subprocess
import tempfile
import zipfile

from harness import Stack, accuracy, check_openapi, run, tenant, wait_job_until
from harness import testdata as read

L = {}

OFFICE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "epub": "application/epub+zip",
    "mht": "multipart/related",
}


def get(st, path):
    return st.node("US").request("GET", path, headers=tenant(L["lic"]))


def submit(st, body, query, ctype):
    return st.node("US").request("POST", "/v1/jobs" + query, headers=dict(tenant(L["lic"]), **{"Content-Type": ctype}),
                                 body=body)


def done(st, jid, timeout=180):
    return wait_job_until(st.node("US"), jid, tenant(L["lic"]), lambda j: j["status"] in ("completed", "failed", "canceled"),
                          timeout, "a final status")


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def office_job(st):
    """One job with every office output on phototest.tif, made once for the tests below."""
    if "job" not in L:
        q = ("?outputs=text,docx,odt,rtf,epub,mht&pdfTitle=Photo%20test&pdfAuthor=ocrgate%20tests"
             "&pdfSubject=office&pdfKeywords=ocr,office")
        r = submit(st, read("phototest.tif"), q, "image/tiff")
        assert r.status == 201, r
        check_openapi(st, "POST", "/v1/jobs", r)
        j = done(st, r.json()["jobId"])
        assert j["status"] == "completed", j
        L["job"] = j
    return L["job"]


def test_formats_listed(st):
    r = get(st, "/v1/formats")
    check_openapi(st, "GET", "/v1/formats", r)
    listed = {o["format"]: o["contentType"] for o in r.json()["outputs"]}
    for f, ct in OFFICE.items():
        assert listed.get(f) == ct, (f, listed)


def test_office_results_served(st):
    j = office_job(st)
    jid = j["jobId"]
    for f in OFFICE:
        assert j["results"][f] == f"/v1/jobs/{jid}/results/{f}", j["results"]
    assert list(j["results"]) == ["text", "docx", "odt", "rtf", "epub", "mht"], j["results"]
    for f, ct in OFFICE.items():
        r = get(st, f"/v1/jobs/{jid}/results/{f}")
        assert r.status == 200, (f, r)
        assert r.header("content-type") == ct, (f, r.header("content-type"))
        check_openapi(st, "GET", "/v1/jobs/{id}/results/{format}", r)
        assert len(r.body) > 100, (f, len(r.body))
    # Office formats are whole-document results only: a page has its text instead.
    r = get(st, f"/v1/jobs/{jid}/pages/1/results/docx")
    assert r.status == 400 and r.json()["errorCode"] == "InvalidInput", r
    check_openapi(st, "GET", "/v1/jobs/{id}/pages/{n}/results/{format}", r)
    # Not asked for: not there.
    r = submit(st, read("phototest.tif"), "?outputs=text", "image/tiff")
    j2 = done(st, r.json()["jobId"])
    r = get(st, f"/v1/jobs/{j2['jobId']}/results/docx")
    assert r.status == 404, r
    check_openapi(st, "GET", "/v1/jobs/{id}/results/{format}", r)


def test_pandoc_accuracy(st):
    j = office_job(st)
    jid = j["jobId"]
    truth = read("phototest.txt").decode()
    text_acc = accuracy(get(st, f"/v1/jobs/{jid}/results/text").body.decode(), truth)
    print(f"# text result: accuracy {text_acc:.4f}")
    d = tempfile.mkdtemp(prefix="outputs-")
    try:
        for f in ("docx", "odt", "epub", "rtf"):
            path = os.path.join(d, "doc." + f)
            with open(path, "wb") as fp:
                fp.write(get(st, f"/v1/jobs/{jid}/results/{f}").body)
            p = sh(["pandoc", "-f", f, "-t", "plain", "--wrap=none", path])
            assert p.returncode == 0, (f, p.stderr)
            acc = accuracy(p.stdout, truth)
            print(f"# {f} read by pandoc: accuracy {acc:.4f} (text {text_acc:.4f})")
            assert acc >= text_acc - 0.01, (f, acc, text_acc)
            # The metadata: pandoc reads it from epub and rtf; docx and odt hold it in their metadata parts.
            if f in ("epub", "rtf"):
                meta = sh(["pandoc", "-f", f, "-t", "markdown", "-s", path]).stdout
            else:
                with zipfile.ZipFile(path) as z:
                    meta = z.read("docProps/core.xml" if f == "docx" else "meta.xml").decode()
            assert "Photo test" in meta and "ocrgate tests" in meta, (f, meta[:600])
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_epubcheck(st):
    j = office_job(st)
    d = tempfile.mkdtemp(prefix="outputs-")
    try:
        path = os.path.join(d, "doc.epub")
        with open(path, "wb") as fp:
            fp.write(get(st, f"/v1/jobs/{j['jobId']}/results/epub").body)
        # Debian's epubcheck is a jar behind a symlink: run it by java.
        jar = os.path.realpath(shutil.which("epubcheck"))
        p = sh(["java", "-jar", jar, path])
        print("# epubcheck: " + (p.stdout.strip().splitlines() or [""])[-1])
        assert p.returncode == 0 and "ERROR" not in p.stdout and "FATAL" not in p.stdout, p.stdout + p.stderr
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_mht_in_chromium(st):
    j = office_job(st)
    truth = read("phototest.txt").decode()
    d = tempfile.mkdtemp(prefix="outputs-")
    try:
        path = os.path.join(d, "doc.mht")
        body = get(st, f"/v1/jobs/{j['jobId']}/results/mht").body
        assert b"Content-Type: image/png" in body, "the page image is embedded"
        with open(path, "wb") as fp:
            fp.write(body)
        pdf = os.path.join(d, "mht.pdf")
        p = sh(["timeout", "120", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-pdf-header-footer", f"--print-to-pdf={pdf}", "file://" + path], cwd=d, env=dict(os.environ, HOME=d))
        assert os.path.exists(pdf), p.stderr[-2000:]
        t = sh(["pdftotext", "-enc", "UTF-8", pdf, "-"])
        acc = accuracy(t.stdout, truth)
        print(f"# mht opened by Chromium: accuracy {acc:.4f}")
        assert acc >= 0.9, (acc, t.stdout[:400])
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _start():
    st = Stack(nodes={"US": 1}, node_cfg={"US": {"engine_workers": 2}}, name="outputs").start()
    L["lic"] = st.seed_license("US", apps=1, name="outputs")
    return st


if __name__ == "__main__":
    run([test_formats_listed, test_office_results_served, test_pandoc_accuracy, test_epubcheck, test_mht_in_chromium],
        _start)
