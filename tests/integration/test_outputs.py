"""Office outputs through the API: docx, odt, rtf, epub and mht of a real job, read back by real readers
(pandoc, epubcheck, headless Chromium), served with their registered content types, listed by /v1/formats and
in the job's result links. Barcodes drawn by zint (alone, beside text, turned 90 degrees, inside a PDF made by
tiff2pdf) found through the page JSON and /results/barcodes. Page ranges (the pages option) and the blank-page
threshold (blankPageMaxNoise)."""
import os
import re
import shutil
import struct
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


# --- images made here: zint's symbol matrices (--dump) drawn into 8-bit gray pages, written as TIFF ---

ZINT = [  # (type reported, zint symbology, data, value zbar reads)
    ("ean8", "EANX", "9638507", "96385074"),
    ("upce", "UPCE", "0123456", "01234565"),
    ("upca", "UPCA", "72527273070", "725272730706"),
    ("ean13", "EANX", "400638133393", "4006381333931"),
    ("isbn13", "ISBNX", "9780306406157", "9780306406157"),
    ("i25", "C25INTER", "12345678", "12345678"),
    ("code39", "CODE39", "OCRGATE-39", "OCRGATE-39"),
    ("qrcode", "QRCODE", "https://example.com/ocrgate?page=1", "https://example.com/ocrgate?page=1"),
    ("code128", "CODE128", "ocrgate-128 Abc", "ocrgate-128 Abc"),
]


def symbol(zint_type, data, scale=3, bar_height=120):
    """zint's modules as rows of 0/1 (1 = dark), scaled, with a quiet zone of 10 modules."""
    p = sh(["zint", "-b", zint_type, "-d", data, "--dump"])
    assert p.returncode == 0, p.stderr
    rows = []
    for line in p.stdout.split("\n"):
        hexd = line.replace(" ", "").strip()
        if hexd:
            rows.append([int(c, 16) >> (3 - k) & 1 for c in hexd for k in range(4)])
    if len(rows) == 1:  # a linear symbol: one row of bars
        rows = rows * (bar_height // scale)
    width = max(len(r) for r in rows)
    q = 10
    out = [[0] * ((width + 2 * q) * scale) for _ in range(q * scale)]
    for r in rows:
        line = [0] * (q * scale) + [v for b in r + [0] * (width - len(r)) for v in [b] * scale] + [0] * (q * scale)
        out.extend([line] * scale)
    out.extend([[0] * ((width + 2 * q) * scale) for _ in range(q * scale)])
    return out


def page(width, height):
    return [bytearray(b"\xff" * width) for _ in range(height)]


def paste_bits(pg, bits, x0, y0):
    for y, row in enumerate(bits):
        for x, b in enumerate(row):
            if b:
                pg[y0 + y][x0 + x] = 0


def phototest_page():
    """phototest.tif (one strip, 1 bit, min-is-white) as 8-bit gray rows."""
    t = read("phototest.tif")
    (ifd,) = struct.unpack_from("<I", t, 4)
    (n,) = struct.unpack_from("<H", t, ifd)
    tags = {}
    for i in range(n):
        tag, typ, cnt, val = struct.unpack_from("<HHII", t, ifd + 2 + 12 * i)
        tags[tag] = val & 0xffff if typ == 3 else val
    w, h, off = tags[256], tags[257], tags[273]
    stride = (w + 7) // 8
    return [bytearray(0 if t[off + y * stride + x // 8] >> (7 - x % 8) & 1 else 255 for x in range(w))
            for y in range(h)]


def rotate90(pg):
    """The page turned 90 degrees clockwise."""
    h, w = len(pg), len(pg[0])
    return [bytearray(pg[h - 1 - y][x] for y in range(h)) for x in range(w)]


def tiff(pg, dpi=200):
    """An uncompressed 8-bit gray TIFF of the rows."""
    h, w = len(pg), len(pg[0])
    data = b"".join(bytes(r) for r in pg)
    entries = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, 8),
               (277, 3, 1, 1), (278, 4, 1, h), (279, 4, 1, len(data)), (282, 5, 1, 0), (283, 5, 1, 0), (296, 3, 1, 2)]
    ifd = 8 + len(data)
    rat = ifd + 2 + 12 * len(entries) + 4
    out = b"II*\x00" + struct.pack("<I", ifd) + data + struct.pack("<H", len(entries))
    for tag, typ, cnt, val in entries:
        if typ == 5:
            val = rat + (0 if tag == 282 else 8)
        out += struct.pack("<HHII", tag, typ, cnt, val) if typ != 3 else struct.pack("<HHIHH", tag, typ, cnt, val, 0)
    return out + struct.pack("<I", 0) + struct.pack("<IIII", dpi, 1, dpi, 1)


def all_symbols_page():
    """Every type above, one under the other."""
    syms = [symbol(z, d) for _, z, d, _ in ZINT]
    w = max(len(s[0]) for s in syms) + 40
    pg = page(w, sum(len(s) for s in syms) + 40 * (len(syms) + 1))
    y = 40
    for s in syms:
        paste_bits(pg, s, 20, y)
        y += len(s) + 40
    return pg


def text_and_code_page():
    """phototest's text with a QR code and a Code 128 symbol to its right."""
    text = phototest_page()
    qr, c128 = symbol("QRCODE", "https://example.com/ocrgate?page=1", scale=4), symbol("CODE128", "ocrgate-128 Abc")
    w = len(text[0]) + max(len(qr[0]), len(c128[0])) + 40
    pg = page(w, max(len(text), len(qr) + len(c128) + 60))
    for y, row in enumerate(text):
        pg[y][: len(row)] = row
    paste_bits(pg, qr, len(text[0]) + 20, 20)
    paste_bits(pg, c128, len(text[0]) + 20, len(qr) + 40)
    return pg


def found(barcodes):
    return {(b["type"], b["value"]) for b in barcodes}


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


def tiff2pdf(tif):
    """A PDF of a TIFF's bytes, by tiff2pdf."""
    d = tempfile.mkdtemp(prefix="outputs-")
    try:
        with open(os.path.join(d, "page.tif"), "wb") as f:
            f.write(tif)
        p = sh(["tiff2pdf", "-o", os.path.join(d, "page.pdf"), os.path.join(d, "page.tif")])
        assert p.returncode == 0, p.stderr
        with open(os.path.join(d, "page.pdf"), "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def barcode_job(st, body, query, ctype="image/tiff"):
    r = submit(st, body, query, ctype)
    assert r.status == 201, r
    j = done(st, r.json()["jobId"])
    assert j["status"] == "completed", j
    r = get(st, f"/v1/jobs/{j['jobId']}")
    check_openapi(st, "GET", "/v1/jobs/{id}", r)
    return r.json()


def test_mht_images_of_every_page(st):
    # Eleven pages: the page images are matched to the pages in page order, so an order that put page 10
    # before page 2 (text order) would leave pages 2 to 9 and 11 without their image.
    r = submit(st, tiffcp([read("phototest.tif")] * 11), "?outputs=text,mht", "image/tiff")
    assert r.status == 201, r
    j = done(st, r.json()["jobId"])
    assert j["status"] == "completed" and j["pagesDone"] == 11, j
    body = get(st, f"/v1/jobs/{j['jobId']}/results/mht").body.decode()
    ids = re.findall(r"Content-ID: <page-(\d+)@ocrgate>", body)
    assert ids == [str(n) for n in range(1, 12)], ids
    assert body.count("Content-Type: image/png") == 11


def test_barcodes_alone(st):
    j = barcode_job(st, tiff(all_symbols_page()), "?outputs=text,json&detectBarcodes=true")
    jid = j["jobId"]
    want = {(t, v) for t, _, _, v in ZINT}
    r = get(st, f"/v1/jobs/{jid}/results/json")
    check_openapi(st, "GET", "/v1/jobs/{id}/results/{format}", r)
    page = r.json()["pages"][0]
    assert found(page["barcodes"]) == want, sorted(found(page["barcodes"]) ^ want)
    for b in page["barcodes"]:
        assert b["box"]["w"] > 0 and b["box"]["h"] > 0 and b["orientation"] in (0, 180, None), b
    r = get(st, f"/v1/jobs/{jid}/results/barcodes")
    check_openapi(st, "GET", "/v1/jobs/{id}/results/barcodes", r)
    doc = r.json()
    assert doc["barcodeCount"] == len(want) and doc["pages"][0]["page"] == 1, doc
    assert found(doc["pages"][0]["barcodes"]) == want, doc
    assert j["barcodeCount"] == len(want), j
    assert j["results"]["barcodes"] == f"/v1/jobs/{jid}/results/barcodes", j["results"]
    # The same symbols with barcodeTypes: only those types; the ISBN symbol as isbn10 when isbn13 is not asked.
    j = barcode_job(st, tiff(all_symbols_page()), "?outputs=json&detectBarcodes=true&barcodeTypes=isbn10,qrcode")
    page = get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"][0]
    assert found(page["barcodes"]) == {("isbn10", "0306406152"), ("qrcode", ZINT[7][3])}, page["barcodes"]
    assert j["barcodeCount"] == 2, j
    # Without detectBarcodes: no barcodes anywhere.
    j = barcode_job(st, tiff(all_symbols_page()), "?outputs=json")
    assert "barcodes" not in get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"][0]
    assert j["barcodeCount"] is None and "barcodes" not in j["results"], j
    r = get(st, f"/v1/jobs/{j['jobId']}/results/barcodes")
    assert r.status == 404 and r.json()["errorCode"] == "ResourceNotFound", r
    check_openapi(st, "GET", "/v1/jobs/{id}/results/barcodes", r)


def test_barcodes_beside_text(st):
    truth = read("phototest.txt").decode()
    body = tiff(text_and_code_page())
    off = barcode_job(st, body, "?outputs=text,json")
    on = barcode_job(st, body, "?outputs=text,json&detectBarcodes=true")
    acc_off = accuracy(get(st, f"/v1/jobs/{off['jobId']}/results/text").body.decode(), truth)
    acc_on = accuracy(get(st, f"/v1/jobs/{on['jobId']}/results/text").body.decode(), truth)
    print(f"# text beside barcodes: accuracy {acc_on:.4f} with detection, {acc_off:.4f} without")
    assert acc_on >= acc_off, (acc_on, acc_off)
    page = get(st, f"/v1/jobs/{on['jobId']}/results/json").json()["pages"][0]
    assert found(page["barcodes"]) == {("qrcode", ZINT[7][3]), ("code128", ZINT[8][3])}, page["barcodes"]
    assert on["barcodeCount"] == 2, on


def test_barcodes_rotated(st):
    j = barcode_job(st, tiff(rotate90(text_and_code_page())), "?outputs=json&detectBarcodes=true")
    page = get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"][0]
    assert found(page["barcodes"]) == {("qrcode", ZINT[7][3]), ("code128", ZINT[8][3])}, page["barcodes"]
    c128 = [b for b in page["barcodes"] if b["type"] == "code128"][0]
    assert c128["orientation"] in (90, 270) and c128["box"]["h"] > c128["box"]["w"], c128


def test_barcodes_in_pdf(st):
    j = barcode_job(st, tiff2pdf(tiff(text_and_code_page())), "?outputs=json&detectBarcodes=true", "application/pdf")
    r = get(st, f"/v1/jobs/{j['jobId']}/results/barcodes")
    assert r.status == 200, r
    assert found(r.json()["pages"][0]["barcodes"]) == {("qrcode", ZINT[7][3]), ("code128", ZINT[8][3])}, r.json()
    assert j["barcodeCount"] == 2, j


def tiffcp(tifs):
    """One multi-page TIFF of several TIFFs' bytes, by tiffcp."""
    d = tempfile.mkdtemp(prefix="outputs-")
    try:
        names = []
        for i, t in enumerate(tifs):
            names.append(os.path.join(d, f"{i}.tif"))
            with open(names[-1], "wb") as f:
                f.write(t)
        p = sh(["tiffcp"] + names + [os.path.join(d, "all.tif")])
        assert p.returncode == 0, p.stderr
        with open(os.path.join(d, "all.tif"), "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def three_pages():
    """phototest.tif three times, as one TIFF."""
    return tiffcp([read("phototest.tif")] * 3)


def test_pages_selected(st):
    r = submit(st, three_pages(), "?outputs=text,json&pages=2-", "image/tiff")
    assert r.status == 201, r
    j = done(st, r.json()["jobId"])
    assert j["status"] == "completed" and j["pagesDone"] == 2 and j["progress"]["current"] == 100, j
    assert j["options"]["pages"] == "2-", j["options"]
    r = get(st, f"/v1/jobs/{j['jobId']}/pages")
    check_openapi(st, "GET", "/v1/jobs/{id}/pages", r)
    assert [(p["page"], p["status"]) for p in r.json()["items"]] == [(1, "skipped"), (2, "completed"), (3, "completed")], r.json()
    pages = get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"]
    assert [p["page"] for p in pages] == [2, 3], pages
    assert get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode().count("\f") == 1
    r = get(st, f"/v1/jobs/{j['jobId']}/pages/1/results/text")
    assert r.status == 404, r
    check_openapi(st, "GET", "/v1/jobs/{id}/pages/{n}/results/{format}", r)
    # A range past the end is simply cut; one page of it.
    r = submit(st, three_pages(), "?outputs=text&pages=1,3-9", "image/tiff")
    j = done(st, r.json()["jobId"])
    items = get(st, f"/v1/jobs/{j['jobId']}/pages").json()["items"]
    assert [p["status"] for p in items] == ["completed", "skipped", "completed"], items


def test_pages_refused(st):
    # Malformed: 400 naming the problem, nothing created.
    r = submit(st, three_pages(), "?pages=1-3,,5", "image/tiff")
    assert r.status == 400 and r.json()["errorCode"] == "InvalidInput", r
    assert "empty part at position 5" in r.json()["message"], r.json()
    check_openapi(st, "POST", "/v1/jobs", r)
    r = submit(st, three_pages(), "?pages=3-2", "image/tiff")
    assert r.status == 400 and r.json()["errorCode"] == "InvalidInput", r
    # An image's page count is known at upload: a selection of no existing page is 400 there.
    r = submit(st, three_pages(), "?pages=4-", "image/tiff")
    assert r.status == 400 and r.json()["errorCode"] == "InvalidInput", r
    assert "selects no page of this 3-page document" in r.json()["message"], r.json()
    check_openapi(st, "POST", "/v1/jobs", r)
    # A PDF's pages are counted by the worker: the job fails with InvalidInput.
    r = submit(st, tiff2pdf(read("phototest.tif")), "?pages=2-", "application/pdf")
    assert r.status == 201, r
    j = done(st, r.json()["jobId"])
    assert j["status"] == "failed" and j["error"]["errorCode"] == "InvalidInput", j
    assert "selects no page" in j["error"]["message"], j


def test_blank_page_max_noise(st):
    # phototest's print covers a few percent of the page: blank under a 50 % threshold, not under the default.
    r = submit(st, read("phototest.tif"), "?outputs=text&deleteBlankPages=true&blankPageMaxNoise=50", "image/tiff")
    j = done(st, r.json()["jobId"])
    assert get(st, f"/v1/jobs/{j['jobId']}/pages").json()["items"][0]["status"] == "blank", j
    assert j["options"]["blankPageMaxNoise"] == 50, j["options"]
    r = submit(st, read("phototest.tif"), "?outputs=text&deleteBlankPages=true", "image/tiff")
    j = done(st, r.json()["jobId"])
    assert j["options"]["blankPageMaxNoise"] == 0.02, j["options"]
    assert get(st, f"/v1/jobs/{j['jobId']}/pages").json()["items"][0]["status"] == "completed", j
    r = submit(st, read("phototest.tif"), "?blankPageMaxNoise=0.001", "image/tiff")
    assert r.status == 400 and r.json()["errorCode"] == "InvalidInput", r


def test_oversize_pdf_pages(st):
    # The "small" tier allows 4,000,000 pixels per page. A letter page (8.5 x 11 in) is 8.4 million pixels at
    # 300 dpi: rendered at the largest dpi that fits instead; a 20 x 20 in page would need less than 150 dpi: an
    # error page, not a failed job.
    lic = L["small"]
    letter = tiff2pdf(tiff(page(850, 1100), dpi=100))
    r = st.node("US").request("POST", "/v1/jobs?outputs=text,json", body=letter,
                              headers=dict(tenant(lic), **{"Content-Type": "application/pdf"}))
    assert r.status == 201, r
    j = wait_job_until(st.node("US"), r.json()["jobId"], tenant(lic), lambda j: j["status"] in ("completed", "failed"),
                       180, "a final status")
    assert j["status"] == "completed", j
    items = st.node("US").request("GET", f"/v1/jobs/{j['jobId']}/pages", headers=tenant(lic)).json()["items"]
    dpi = items[0]["dpi"]
    assert 150 <= dpi < 300 and items[0]["width"] * items[0]["height"] <= 4000000, items
    assert dpi >= 200, items  # sqrt(4.0 / 8.415) * 300 = 206: the largest that fits, not a safe low one
    two = tiff2pdf(tiffcp([tiff(page(850, 1100), dpi=100), tiff(page(400, 400), dpi=20)]))
    r = st.node("US").request("POST", "/v1/jobs?outputs=text", body=two,
                              headers=dict(tenant(lic), **{"Content-Type": "application/pdf"}))
    j = wait_job_until(st.node("US"), r.json()["jobId"], tenant(lic), lambda j: j["status"] in ("completed", "failed"),
                       180, "a final status")
    assert j["status"] == "completed" and j["errorPages"] == 1, j
    items = st.node("US").request("GET", f"/v1/jobs/{j['jobId']}/pages", headers=tenant(lic)).json()["items"]
    assert items[0]["status"] == "completed" and items[1]["status"] == "failed", items
    assert "150 dpi" in items[1]["error"], items


def _start():
    st = Stack(nodes={"US": 1}, node_cfg={"US": {"engine_workers": 2}}, name="outputs").start()
    L["lic"] = st.seed_license("US", apps=1, name="outputs")
    st.run_cli(["tier", "create", "--name", "small", "--hourly-quota", "1000", "--max-pixels", "4000000"])
    L["small"] = st.seed_license("US", tier="small", apps=1, name="small pages")
    return st


if __name__ == "__main__":
    run([test_formats_listed, test_office_results_served, test_pandoc_accuracy, test_epubcheck, test_mht_in_chromium,
         test_mht_images_of_every_page, test_barcodes_alone, test_barcodes_beside_text, test_barcodes_rotated,
         test_barcodes_in_pdf, test_pages_selected,
         test_pages_refused, test_blank_page_max_noise, test_oversize_pdf_pages], _start)
