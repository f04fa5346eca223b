"""Page-parallel searchable PDFs (jobs/, docs/ARCHITECTURE.md "Page-parallel runs"): a job that asks for the
PDF has its pages recognized by every worker of the region like any other job; each page task stores its page's
one-page PDF, and the assembling task merges them in page order with the job's document information. Read back
by poppler's pdfinfo and pdftotext, page by page, against each page's ground truth. Selections, blank and
failed pages leave the same page list as the PDF of a whole-job run (only recognized pages are in it); a node
killed while it recognizes a page, or while it assembles, still leaves one correct PDF."""
import os
import re
import signal
import subprocess
import tempfile
import time

from harness import accuracy, check_openapi, run, tenant, wait_job_until
from harness import testdata as read
from test_outputs import page, tiff, tiff2pdf, tiffcp
from test_pages import kill_holding_pages, node_of, pages_by_worker, two_nodes

L = {}
TRUTH = {"phototest.tif": "phototest.txt", "eurotext.tif": "eurotext.txt", "8087_054.3B.tif": "8087_054.3B.txt"}
# Each page's text layer against its truth scores over 0.92 (the newspaper page 8087 lowest); a page matched
# against another page's truth scores under 0.5.
GOOD = 0.9
META = {"pdfTitle": "Quarterly report", "pdfAuthor": "Zoë Müller", "pdfSubject": "OCR", "pdfKeywords": "pages, pdf"}


def query(outputs="text,pdf", **extra):
    from urllib.parse import urlencode
    return "?" + urlencode(dict(outputs=outputs, **META, **extra))


def submit(st, body, q, lic="A", node=0, ctype="image/tiff"):
    h = dict(tenant(L[lic]), **{"Content-Type": ctype})
    r = st.node("US", node).request("POST", "/v1/jobs" + q, headers=h, body=body)
    assert r.status == 201, r
    return r.json()["jobId"]


def get(st, path, lic="A", node=0):
    return st.node("US", node).request("GET", path, headers=tenant(L[lic]))


def over(st, job_id, lic="A", node=0, timeout=600):
    return wait_job_until(st.node("US", node), job_id, tenant(L[lic]), lambda j: j["status"] in
                          ("completed", "failed", "canceled"), timeout=timeout, what="a final state")


def sql(st, q):
    return st.psql("ocrgate_us", q)


def doc(names):
    return tiffcp([read(n) for n in names])


def pdf_of(st, job_id, lic="A", node=0):
    r = get(st, f"/v1/jobs/{job_id}/results/pdf", lic, node)
    check_openapi(st, "GET", "/v1/jobs/{id}/results/{format}", r)
    assert r.status == 200 and r.header("content-type") == "application/pdf" and r.body.startswith(b"%PDF-"), r
    return r.body


def read_pdf(body):
    """pdfinfo's fields and each page's text (pdftotext -raw -f N -l N) of a PDF's bytes."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(body)
        f.flush()
        p = subprocess.run(["pdfinfo", "-enc", "UTF-8", f.name], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0 and "rror" not in p.stderr, p.stderr
        info = dict(re.findall(r"^([A-Za-z ]+):\s+(.*)$", p.stdout, re.M))
        texts = []
        for n in range(1, int(info["Pages"]) + 1):
            # -raw: the text layer in the order tesseract wrote it (poppler's own reading order mixes the
            # columns of the newspaper page).
            t = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(n), "-l", str(n), f.name, "-"],
                               capture_output=True, text=True, timeout=60)
            assert t.returncode == 0 and "rror" not in t.stderr, t.stderr
            texts.append(t.stdout)
    return info, texts


def assert_pages(texts, names):
    """The PDF's pages are these test pages, in this order: each matches its own truth, not the others'."""
    assert len(texts) == len(names), (len(texts), names)
    for n, (text, name) in enumerate(zip(texts, names), 1):
        own = accuracy(text, read(TRUTH[name]).decode())
        print(f"# PDF page {n} ({name}): accuracy {own:.3f}")
        assert own >= GOOD, (n, name, own, text[:300])
        for other in set(TRUTH) - {name}:
            assert accuracy(text, read(TRUTH[other]).decode()) < 0.5, (n, name, other)


def assert_info(info):
    assert info["Title"] == META["pdfTitle"] and info["Author"] == META["pdfAuthor"], info
    assert info["Subject"] == META["pdfSubject"] and info["Keywords"] == META["pdfKeywords"], info
    assert "ocrgate" in info["Producer"], info


def assert_one_pdf(st, job_id):
    """One merged PDF stored, the pages' own PDFs dropped, no task left."""
    assert sql(st, f"SELECT count(*) FROM job_outputs WHERE job_id = '{job_id}' AND format = 'pdf'") == "1"
    assert sql(st, f"SELECT count(*) FROM job_pages WHERE job_id = '{job_id}' AND pdf IS NOT NULL") == "0"
    assert sql(st, f"SELECT count(*) FROM job_tasks WHERE job_id = '{job_id}'") == "0"


def test_pdf_job_on_every_worker(st):
    # One node with two workers: a six-page job asking for text and PDF has its pages stored by both workers,
    # each with its one-page PDF (seen while the job runs); the PDF has the six pages in order, each page's text
    # layer that page's, and the job's document information.
    st.node("US", 1).stop()
    names = ["phototest.tif", "eurotext.tif", "8087_054.3B.tif", "phototest.tif", "eurotext.tif", "phototest.tif"]
    job_id = submit(st, doc(names), query())
    most, together = 0, 0
    while True:
        most = max(most, int(sql(st, f"SELECT count(*) FROM job_pages WHERE job_id = '{job_id}'"
                                     " AND length(pdf) > 0")))
        together = max(together, int(sql(st, f"SELECT count(*) FROM job_tasks WHERE job_id = '{job_id}'"
                                             " AND page > 0 AND locked_by IS NOT NULL")))
        j = get(st, f"/v1/jobs/{job_id}").json()
        if j["status"] in ("completed", "failed", "canceled"):
            break
        time.sleep(0.02)
    assert j["status"] == "completed" and j["pagesDone"] == 6 and j["errorPages"] == 0, j
    workers = pages_by_worker(st, job_id)
    print(f"# pages by worker: {workers}; pages in recognition at once: {together}; one-page PDFs seen: {most}")
    assert sorted(workers) == list(range(1, 7)), workers
    assert len(set(workers.values())) == 2, f"not on both workers: {workers}"
    assert {node_of(st, w) for w in workers.values()} == {0}, workers
    assert together == 2, f"{together} pages of the job in recognition at once"
    assert most >= 1, "no page stored its one-page PDF"
    body = pdf_of(st, job_id)
    assert b"/ObjStm" not in body and b"/XRef" not in body, "object streams or an xref stream"
    info, texts = read_pdf(body)
    assert_info(info)
    assert_pages(texts, names)
    text = get(st, f"/v1/jobs/{job_id}/results/text").body.decode()
    assert text.count("\f") == 5, text[:300]
    assert_one_pdf(st, job_id)


def test_pdf_one_page_job_whole(st):
    # A one-page job asking for the PDF is run whole by the worker that prepared it, like other one-page jobs:
    # never seeded (no page task, pages_left never set), its PDF its page's with the job's document
    # information, for an image and for a PDF document alike.
    for body, ctype in ((read("phototest.tif"), "image/tiff"), (tiff2pdf(read("phototest.tif")), "application/pdf")):
        job_id = submit(st, body, query(), ctype=ctype)
        j = over(st, job_id)
        assert j["status"] == "completed" and j["pagesDone"] == 1 and j["errorPages"] == 0, j
        assert sql(st, f"SELECT pages_left IS NULL FROM jobs WHERE job_id = '{job_id}'") == "t", \
            f"the one-page {ctype} job was seeded into a page task"
        info, texts = read_pdf(pdf_of(st, job_id))
        assert_info(info)
        assert_pages(texts, ["phototest.tif"])
        assert_one_pdf(st, job_id)
        text = get(st, f"/v1/jobs/{job_id}/results/text").body.decode()
        assert accuracy(text, read("phototest.txt").decode()) >= GOOD, text[:300]


def test_pdf_page_list_selection_blank_failed(st):
    # The PDF holds the recognized pages only, as the PDF of a whole-job run did: a page the selection leaves
    # out, a blank page (deleteBlankPages) and a page over the tier's pixels at every resolution are not in it.
    names = ["phototest.tif", "eurotext.tif", "phototest.tif", "8087_054.3B.tif", "eurotext.tif"]
    job_id = submit(st, doc(names), query(pages="1,3-4"))
    j = over(st, job_id)
    assert j["status"] == "completed" and j["pagesDone"] == 3, j
    items = get(st, f"/v1/jobs/{job_id}/pages").json()["items"]
    assert [p["status"] for p in items] == ["completed", "skipped", "completed", "completed", "skipped"], items
    info, texts = read_pdf(pdf_of(st, job_id))
    assert_info(info)
    assert_pages(texts, ["phototest.tif", "phototest.tif", "8087_054.3B.tif"])
    assert_one_pdf(st, job_id)

    # A PDF document on the "small" tier (4,000,000 pixels a page): page 2 is white, page 4 is 20 x 20 inches
    # (under 150 dpi to fit: an error page).
    blank = tiff(page(1700, 2200), dpi=200)
    huge = tiff(page(400, 400), dpi=20)
    body = tiff2pdf(tiffcp([read("phototest.tif"), blank, read("eurotext.tif"), huge, read("phototest.tif")]))
    job_id = submit(st, body, query(deleteBlankPages="true"), lic="S", ctype="application/pdf")
    j = over(st, job_id, lic="S")
    assert j["status"] == "completed" and j["errorPages"] == 1, j
    items = get(st, f"/v1/jobs/{job_id}/pages", lic="S").json()["items"]
    assert [p["status"] for p in items] == ["completed", "blank", "completed", "failed", "completed"], items
    info, texts = read_pdf(pdf_of(st, job_id, lic="S"))
    assert_info(info)
    assert_pages(texts, ["phototest.tif", "eurotext.tif", "phototest.tif"])
    assert_one_pdf(st, job_id)


def test_pdf_job_on_two_nodes(st):
    # Two nodes with two workers each: the pages of one PDF job are stored on both nodes; one PDF, in order.
    st.node("US", 1).start()
    names = ["phototest.tif", "eurotext.tif"] * 5
    job_id = submit(st, doc(names), query(), node=1)
    j = over(st, job_id)
    assert j["status"] == "completed" and j["pagesDone"] == 10, j
    workers = pages_by_worker(st, job_id)
    print(f"# pages by worker: {workers}")
    assert {node_of(st, w) for w in workers.values()} == {0, 1}, f"pages on one node only: {workers}"
    info, texts = read_pdf(pdf_of(st, job_id, node=1))
    assert_info(info)
    assert_pages(texts, names)
    assert_one_pdf(st, job_id)


def test_pdf_page_worker_killed(st):
    # Node 0 is killed (SIGKILL) while it recognizes pages of a PDF job: node 1 takes them over, and the PDF
    # has every page once, in order.
    n0 = st.node("US", 0)
    names = ["8087_054.3B.tif", "phototest.tif", "8087_054.3B.tif", "eurotext.tif", "8087_054.3B.tif",
             "phototest.tif"]
    job_id = submit(st, doc(names), query(), node=1)
    held = kill_holding_pages(st, job_id, n0)
    try:
        j = over(st, job_id, node=1)
        assert j["status"] == "completed" and j["pagesDone"] == 6 and j["errorPages"] == 0, j
        workers = pages_by_worker(st, job_id)
        print(f"# node 0 held pages {held} when killed; pages by worker: {workers}")
        for p in map(int, held.split(",")):
            assert node_of(st, workers[p]) == 1, f"page {p} stored by {workers[p]}"
        info, texts = read_pdf(pdf_of(st, job_id, node=1))
        assert_info(info)
        assert_pages(texts, names)
        assert_one_pdf(st, job_id)
    finally:
        n0.start()


def test_pdf_assembler_killed(st):
    # job_outputs is held locked, so the assembling worker waits in the middle of storing the merged PDF; its
    # node is killed there (SIGKILL), the lock let go: the other node takes the assembling task over once its
    # lease runs out and stores the one PDF, every page in order.
    locker = subprocess.Popen(["psql", f"{st.conninfo} dbname=ocrgate_us", "-qtAX", "-c",
                               "BEGIN; LOCK TABLE job_outputs IN EXCLUSIVE MODE; SELECT pg_sleep(600); COMMIT;"],
                              env=dict(os.environ, PGAPPNAME="pdf-test-lock"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while sql(st, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                  " WHERE c.relname = 'job_outputs' AND l.mode = 'ExclusiveLock' AND l.granted") != "1":
            assert time.time() < deadline, "the lock was not taken"
            time.sleep(0.05)
        names = ["eurotext.tif", "phototest.tif", "eurotext.tif", "phototest.tif"]
        job_id = submit(st, doc(names), query())
        assembler = ""
        deadline = time.time() + 300
        while not assembler:
            assert time.time() < deadline, "no assembling task"
            assembler = sql(st, f"SELECT locked_by FROM job_tasks WHERE job_id = '{job_id}' AND page = 0"
                                " AND locked_by IS NOT NULL")
            time.sleep(0.02)
        # The assembler waits for the lock (its INSERT of the PDF), then is killed.
        deadline = time.time() + 60
        while sql(st, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                      " AND query LIKE '%job_outputs%'") == "0":
            assert time.time() < deadline, "the assembler never waited for the lock"
            time.sleep(0.05)
        victim = st.node("US", node_of(st, assembler))
        survivor = st.node("US", 1 - victim.index)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
    finally:
        sql(st, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pdf-test-lock'")
        locker.wait(30)
    try:
        j = over(st, job_id, node=survivor.index)
        assert j["status"] == "completed" and j["pagesDone"] == 4, j
        assert f"job {job_id}: re-queued page task 0 whose lease expired" in survivor.tail(200000), \
            "the assembling task was not taken over"
        info, texts = read_pdf(pdf_of(st, job_id, node=survivor.index))
        assert_info(info)
        assert_pages(texts, names)
        assert_one_pdf(st, job_id)
    finally:
        victim.start()


def make_stack():
    st = two_nodes("pages-pdf")
    L["A"] = st.seed_license("US", quota=100000, name="A")
    st.run_cli(["tier", "create", "--name", "small", "--hourly-quota", "1000", "--max-pixels", "4000000"])
    L["S"] = st.seed_license("US", tier="small", name="S")
    return st


if __name__ == "__main__":
    run([test_pdf_job_on_every_worker, test_pdf_one_page_job_whole, test_pdf_page_list_selection_blank_failed,
         test_pdf_job_on_two_nodes, test_pdf_page_worker_killed, test_pdf_assembler_killed], make_stack)
