"""Scans as they come: automatic rotation, blank pages, PDF input (rendered, own text layer, refused kinds),
page images and thumbnails, installed languages."""
import base64
import struct
import time
import zlib

from harness import Stack, accuracy, check_openapi, run, tenant, wait_job_until
from harness import testdata as read

L = {}


def png_gray(w, h, pixel):
    """A grayscale PNG made here: pixel(x, y) -> 0..255."""
    raw = b"".join(b"\x00" + bytes(pixel(x, y) for x in range(w)) for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def gray_pixels(png):
    """(width, height, pixels) of an 8-bit gray PNG, any filter, not interlaced: a reader of its own, so that
    what the service serves is compared with what was sent by pixel, not by encoding."""
    pos, idat, ihdr = 8, b"", None
    while pos < len(png):
        n, t = struct.unpack(">I4s", png[pos:pos + 8])
        if t == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", png[pos + 8:pos + 21])
        elif t == b"IDAT":
            idat += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    assert (depth, ctype, interlace) == (8, 0, 0), ihdr
    raw, out, prev = zlib.decompress(idat), bytearray(), bytearray(w)
    for y in range(h):
        f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
        for x in range(w):
            a, b, c = line[x - 1] if x else 0, prev[x], prev[x - 1] if x else 0
            p = a + b - c
            pred = [0, a, b, (a + b) // 2,
                    a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c][f]
            line[x] = (line[x] + pred) & 0xff
        out += line
        prev = line
    return w, h, bytes(out)


def submit(st, body, query, ctype):
    r = st.node("US").request("POST", "/v1/jobs" + query, headers=dict(tenant(L["lic"]), **{"Content-Type": ctype}), body=body)
    return r


def done(st, jid, timeout=120):
    return wait_job_until(st.node("US"), jid, tenant(L["lic"]), lambda j: j["status"] in ("completed", "failed", "canceled"),
                          timeout, "a final status")


def get(st, path):
    return st.node("US").request("GET", path, headers=tenant(L["lic"]))


def test_auto_rotate(st):
    truth = read("phototest.txt").decode()
    for name, rot in (("phototest-rotated-L.png", 90), ("phototest-rotated-R.png", 270), ("phototest-rotated-180.png", 180)):
        r = submit(st, read(name), "?outputs=text,json&autoRotate=true", "image/png")
        assert r.status == 201, r
        j = done(st, r.json()["jobId"])
        text = get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode()
        acc = accuracy(text, truth)
        print(f"# {name} with autoRotate: accuracy {acc:.4f}")
        assert acc >= 0.99, (name, acc)
        page = get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"][0]
        assert page["rotation"] == rot, (name, page["rotation"])
    # Without the option the 180-degree page reads badly: the test above really depends on it.
    r = submit(st, read("phototest-rotated-180.png"), "?outputs=text", "image/png")
    j = done(st, r.json()["jobId"])
    assert accuracy(get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode(), truth) < 0.5


def test_blank_page_dropped(st):
    blank = png_gray(600, 800, lambda x, y: 0 if (x * 7919 + y * 104729) % 4999 == 0 else 255)  # a few specks
    r = submit(st, blank, "?outputs=text,json&deleteBlankPages=true", "image/png")
    j = done(st, r.json()["jobId"])
    assert j["status"] == "completed", j
    pages = get(st, f"/v1/jobs/{j['jobId']}/pages").json()["items"]
    assert pages[0]["status"] == "blank", pages
    assert get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"] == []
    # A page with text is never dropped.
    r = submit(st, read("phototest.tif"), "?outputs=text&deleteBlankPages=true", "image/tiff")
    j = done(st, r.json()["jobId"])
    assert get(st, f"/v1/jobs/{j['jobId']}/pages").json()["items"][0]["status"] == "completed"


def test_pdf_input(st):
    # The searchable PDF of one job is the input of the next.
    r = submit(st, read("phototest.tif"), "?outputs=pdf", "image/tiff")
    j = done(st, r.json()["jobId"])
    pdf = get(st, f"/v1/jobs/{j['jobId']}/results/pdf").body
    assert pdf.startswith(b"%PDF-")
    truth = read("phototest.txt").decode()
    r = submit(st, pdf, "?outputs=text", "application/pdf")
    assert r.status == 201 and r.json()["document"]["contentType"] == "application/pdf", r
    j = done(st, r.json()["jobId"])
    acc = accuracy(get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode(), truth)
    print(f"# PDF rendered and recognized: accuracy {acc:.4f}")
    assert j["status"] == "completed" and acc >= 0.98, (j, acc)
    # Its own text layer, kept without recognition.
    r = submit(st, pdf, "?outputs=text&pdfTextPolicy=skipTextPages", "application/pdf")
    j = done(st, r.json()["jobId"])
    text = get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode()
    assert accuracy(text, truth) >= 0.98, text[:200]
    assert get(st, f"/v1/jobs/{j['jobId']}/pages").json()["items"][0]["engineMs"] == 0


def test_pdf_refused(st):
    def pdf(objs, trailer_root=1):
        out, offs = b"%PDF-1.4\n", []
        for i, o in enumerate(objs, 1):
            offs.append(len(out))
            out += f"{i} 0 obj\n{o}\nendobj\n".encode()
        xref = len(out)
        out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offs)
        out += f"trailer\n<< /Size {len(objs) + 1} /Root {trailer_root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        return out
    # PDFs are opened by the worker only (poppler never runs on an event-loop thread): what is wrong inside one
    # fails its job before anything is rendered.
    cases = [
        (pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >>"]), "DocumentTooLarge", "pixels"),
        (pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"]), "UnreadableDocument", ""),
        (b"%PDF-1.4\n" + b"garbage" * 50, "UnreadableDocument", "damaged"),
    ]
    for body, code, word in cases:
        r = submit(st, body, "?outputs=text", "application/pdf")
        assert r.status == 201 and r.json()["document"]["pages"] is None, r
        j = done(st, r.json()["jobId"])
        assert j["status"] == "failed" and j["error"]["errorCode"] == code and word in j["error"]["message"], j
        assert j["pagesDone"] == 0
    r = submit(st, b"%PDF", "", "application/pdf")  # not even a header
    assert r.status == 415, r
    check_openapi(st, "POST", "/v1/jobs", r)


def test_page_images(st):
    r = submit(st, read("phototest.tif"), "?outputs=text", "image/tiff")
    jid = r.json()["jobId"]
    done(st, jid)
    t = get(st, f"/v1/jobs/{jid}/thumbnail")
    assert t.status == 200 and t.header("content-type") == "image/png", t
    check_openapi(st, "GET", "/v1/jobs/{id}/thumbnail", t)
    w, h = struct.unpack(">II", t.body[16:24])
    assert (w, h) == (200, 150), (w, h)
    for q, size in (("?width=320", (320, 240)), ("?height=120", (160, 120)), ("?width=5000", (640, 480)),
                    ("?width=100&height=100", (100, 75)), ("", (640, 480))):
        p = get(st, f"/v1/jobs/{jid}/pages/1/image{q}")
        assert p.status == 200 and struct.unpack(">II", p.body[16:24]) == size, (q, p.status)
    check_openapi(st, "GET", "/v1/jobs/{id}/pages/{n}/image", p)
    for q in ("?width=0", "?width=abc", "?height=20000", "?zoom=2"):
        assert get(st, f"/v1/jobs/{jid}/pages/1/image{q}").status == 400, q
    assert get(st, f"/v1/jobs/{jid}/pages/2/image").status == 404
    assert get(st, f"/v1/jobs/{jid}/pages/0/image").status == 404
    assert st.node("US").request("GET", f"/v1/jobs/{jid}/thumbnail", headers=tenant(L["lic"], L["lic"]["apps"][1])).status == 404


def test_page_image_of_a_png_page(st):
    # A plain PNG page that no clean-up changed: its image is the document itself (not a PNG encoded again nor
    # stored a second time), and every reader of page images gets the page's pixels: the image endpoint, the
    # thumbnail, the compat surface's page image, mht made in memory (one-page path) and from the stored pages
    # (a job with pdf runs as page tasks).
    page = png_gray(420, 160, lambda x, y: 20 if (x // 12 + y // 12) % 3 == 0 else 235)
    for outputs in ("text,mht", "text,mht,pdf"):
        r = submit(st, page, f"?outputs={outputs}", "image/png")
        assert r.status == 201, r
        jid = r.json()["jobId"]
        assert done(st, jid)["status"] == "completed"
        row = st.psql("ocrgate_us", f"SELECT image IS NULL, image_is_document FROM job_pages WHERE job_id = '{jid}'")
        assert row == "t|t", (outputs, row)
        for path in (f"/v1/jobs/{jid}/pages/1/image", f"/processing/results/{jid}/page-images/1"):
            img = get(st, path)
            assert img.status == 200 and gray_pixels(img.body) == gray_pixels(page), (path, img.status)
        t = get(st, f"/v1/jobs/{jid}/thumbnail")
        assert t.status == 200 and struct.unpack(">II", t.body[16:24]) == (200, 76), t.body[16:24]
        mht = get(st, f"/v1/jobs/{jid}/results/mht").body.decode()
        part = mht.split("Content-ID: <page-1@ocrgate>\r\n\r\n")[1].split("\r\n--")[0]
        assert gray_pixels(base64.b64decode("".join(part.split()))) == gray_pixels(page), outputs
    # A clean-up step changes the page: the image is the page as processed, encoded (1 bpp after binarize).
    r = submit(st, page, "?outputs=text&binarize=true", "image/png")
    jid = r.json()["jobId"]
    assert done(st, jid)["status"] == "completed"
    assert st.psql("ocrgate_us", f"SELECT image IS NOT NULL AND NOT image_is_document FROM job_pages WHERE job_id = '{jid}'") == "t"
    img = get(st, f"/v1/jobs/{jid}/pages/1/image").body
    assert img != page and img[24:26] == b"\x01\x00", img[24:26]  # IHDR: bit depth 1, gray


def test_value_storage(st):
    # Region migration 017: text results compressed with lz4 (page and job), page images out of line without a
    # compression attempt (PNG is compressed already).
    r = submit(st, read("phototest.tif"), "?outputs=text,hocr", "image/tiff")
    jid = r.json()["jobId"]
    assert done(st, jid)["status"] == "completed"
    row = st.psql("ocrgate_us", "SELECT pg_column_compression(p.hocr), pg_column_compression(o.data),"
                  " pg_column_compression(p.image) IS NULL, (SELECT attstorage FROM pg_attribute"
                  " WHERE attrelid = 'job_pages'::regclass AND attname = 'image')"
                  f" FROM job_pages p JOIN job_outputs o USING (job_id) WHERE job_id = '{jid}' AND o.format = 'hocr'")
    assert row == "lz4|lz4|t|e", row


def test_languages(st):
    langs = get(st, "/v1/languages").json()["languages"]
    for l in ("eng", "deu", "fra", "spa", "ita", "por", "nld"):
        assert l in langs, langs
    assert "osd" not in langs
    r = submit(st, read("eurotext.tif"), "?languages=xyz", "image/tiff")
    assert r.status == 400 and "deu" in r.json()["message"], r
    r = submit(st, read("eurotext.tif"), "?languages=eng%2Bdeu%2Bfra&outputs=text", "image/tiff")
    j = done(st, r.json()["jobId"])
    acc = accuracy(get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode(), read("eurotext.txt").decode())
    print(f"# eurotext eng+deu+fra accuracy {acc:.4f}")
    assert acc >= 0.97, acc


def test_restore_options(st):
    """The clean-up options for degraded scans and fastMode reach the engine (unit.engine.restore measures each on
    a degraded page): fastMode recognizes the 200 dpi page at 150 dpi; the others leave a clean page readable."""
    truth = read("phototest.txt").decode()
    names = ("removeColorNoise", "removeHalftone", "removeHolePunch", "improveText", "deskewAdjustPaperSize")
    r = submit(st, read("phototest.tif"), "?outputs=text,json&fastMode=true", "image/tiff")
    assert r.status == 201, r
    check_openapi(st, "POST", "/v1/jobs", r)
    opts = r.json()["options"]
    assert opts["fastMode"] is True and all(opts[n] is False for n in names), opts
    j = done(st, r.json()["jobId"])
    page = get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"][0]
    assert (page["dpi"], page["width"], page["height"]) == (150, 480, 360), page
    acc = accuracy(get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode(), truth)
    print(f"# phototest with fastMode: accuracy {acc:.4f}")
    assert acc >= 0.98, acc
    q = "&".join(f"{n}=true" for n in names)
    r = submit(st, read("phototest.tif"), f"?outputs=text,json&deskew=true&{q}", "image/tiff")
    assert r.status == 201 and all(r.json()["options"][n] is True for n in names), r
    j = done(st, r.json()["jobId"])
    assert j["status"] == "completed", j
    page = get(st, f"/v1/jobs/{j['jobId']}/results/json").json()["pages"][0]
    assert page["dpi"] == 200, page
    acc = accuracy(get(st, f"/v1/jobs/{j['jobId']}/results/text").body.decode(), truth)
    print(f"# phototest with every clean-up for degraded scans: accuracy {acc:.4f}")
    assert acc >= 0.98, acc
    r = submit(st, read("phototest.tif"), "?fastMode=1", "image/tiff")
    assert r.status == 400 and "fastMode" in r.json()["message"], r


def _start():
    st = Stack(nodes={"US": 1}, node_cfg={"US": {"engine_workers": 2}}, name="scans").start()
    L["lic"] = st.seed_license("US", apps=2, name="scans")
    return st


if __name__ == "__main__":
    run([test_auto_rotate, test_blank_page_dropped, test_pdf_input, test_pdf_refused, test_page_images,
         test_page_image_of_a_png_page, test_value_storage, test_languages,
         test_restore_options],
        _start)
