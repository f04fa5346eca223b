"""The ownOCR Server compatible API under /ocrjobs: the reference's "How it works" flow with its own example
bodies, every action and error case it lists, admin-key versus app visibility, the same jobs seen through /v1
and /ocrjobs both ways, and real results (text accuracy, the PDF's text layer, docx read by pandoc). Every
response is validated against /ocrjobs/openapi.json."""
import base64
import json
import shutil
import subprocess
import tempfile
import time

from harness import Stack, accuracy, check_openapi, run, tenant, wait_job_until
from harness import testdata as read

L = {}
DOC = {}

# The reference's own example bodies.
CREATE_EXAMPLE = {"Descr": "Hello ownOCR Server! This is my first OCR job", "Autostart": False, "PdfOutput": True,
                  "TxtOutput": True}
SETOPTIONS_EXAMPLE = {"Descr": "Hello ownOCR Server! I will set some options.", "Autostart": False,
                      "PdfOutput": True, "TxtOutput": True}
QUERY_EXAMPLE = {"IdList": [], "StatusList": [0, 1, 2, 3], "UserName": "demo",
                 "GuidList": ["e733c7ce-298e-4c48-94d8-de5b8ea740b2"], "CorrelationIdList": ["12345678"],
                 "IsTemplate": False, "CreatedFrom": "2020-10-21T00:00:00.000000+03:00"}
FULL_JOB_EXAMPLE = json.loads("""{
  "Status": 3, "Id": 114, "TemplateId": 0, "Guid": "96ebb3f4-48d7-4580-9c02-dfe4d430a2c6",
  "Created": "2021-01-06T23:10:57.2084778+02:00", "Modified": "2021-01-06T23:11:39.4168766+02:00",
  "Finished": "2021-01-06T23:11:39.4168766+02:00", "Scheduled": "2021-01-06T23:11:34.6997969+02:00",
  "Started": "2021-01-06T23:11:35.8967254+02:00", "NumberOfPages": 1, "IsTemplate": false, "UserName": "",
  "Descr": "", "ErrorDescription": "", "FileUploaded": true, "CorrelationId": "", "Autostart": true,
  "RetentionDays": 1, "PdfOutput": true, "TxtOutput": false, "DocxOutput": false, "XmlOutput": false,
  "RtfOutput": false, "OdtOutput": false, "MhtOutput": false, "EpubOutput": false, "PdfConformance": 0,
  "PdfTitle": "", "PdfSubject": "", "PdfAuthor": "", "PdfKeywords": "", "BWCompression": 0,
  "ColorCompression": 1, "Deskew": false, "DeskewAdjustPaperSize": false, "AutoOrientation": false,
  "ClearBorder": false, "DeleteBorder": false, "Despeckle": false, "RemoveColorNoise": false,
  "RemoveHalftone": false, "RemoveHolePunch": false, "Binarize": false, "ImproveText": false,
  "RecognitionLanguages": "English", "MinConfidence": 60, "NrOfOCRThreads": 2, "FastMode": false,
  "RemoveWhiteSpaceRegions": true, "IntelligentPDFProcessing": false, "RenderResolution": 200,
  "RenderQuality": 60, "DetectBarcodes": true,
  "Barcodes": [{"PageNo": 1, "Value": "1234567890128", "Type": 5, "X": 366, "Y": 1921, "Width": 572, "Height": 264}],
  "BarcodeFilter": 16, "BarcodeDirection": 1, "DeleteBlankPages": false, "BlankPagesMaxNoise": 0.5}""")
# Every member of the reference's example, in its order.
MEMBERS = list(FULL_JOB_EXAMPLE)


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def app(i=0, lic=None):
    lic = lic or L["lic"]
    return basic(lic["licenseId"], lic["apps"][i])


def admin_basic(lic=None):
    lic = lic or L["lic"]
    return basic(lic["licenseId"], lic["adminKey"])


def doc(st):
    if "doc" not in DOC:
        r = st.node("US").request("GET", "/ocrjobs/openapi.json")
        assert r.status == 200, r
        DOC["doc"] = r.json()
    return DOC["doc"]


def call(st, method, path, template=None, auth=None, body=None, ctype=None, status=None):
    """One request to /ocrjobs, its answer validated against /ocrjobs/openapi.json."""
    headers = dict(auth if auth is not None else app())
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers["Content-Type"] = ctype or "application/json"
    elif ctype:
        headers["Content-Type"] = ctype
    r = st.node("US").request(method, "/ocrjobs" + path, headers=headers, body=body)
    check_openapi(st, method, template or path, r, doc=doc(st))
    if status is not None:
        assert r.status == status, (method, path, r)
    return r


def wait_status(st, jid, auth=None, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = call(st, "GET", f"/status/{jid}", "/status/{id}", auth=auth)
        if r.status == 503:
            time.sleep(0.1)
            continue
        assert r.status == 200, r
        if r.json() in (3, 4):
            return r.json()
        time.sleep(0.05)
    raise AssertionError(f"job {jid} not converted within {timeout}s")


def error_of(r, status, code=None):
    assert r.status == status, r
    e = r.json()
    assert e["StatusCode"] == status and e["RequestId"] == r.header("x-request-id"), e
    if code:
        assert e["ErrorCode"] == code, e
    return e


def test_how_it_works(st):
    """create (the reference's example body) -> upload -> status until 3 -> download, with real results."""
    r = call(st, "POST", "/create", body=CREATE_EXAMPLE, status=200)
    job = r.json()
    assert list(job) == MEMBERS, list(job)
    assert job["Status"] == 0 and job["Descr"] == CREATE_EXAMPLE["Descr"] and job["Autostart"] is False, job
    assert job["PdfOutput"] and job["TxtOutput"] and not job["DocxOutput"] and job["MinConfidence"] == 60, job
    assert isinstance(job["Id"], int) and job["FileUploaded"] is False and job["IsTemplate"] is False, job
    assert job["UserName"] == "app0" and job["Created"].endswith("+00:00"), job
    jid = job["Id"]
    r = call(st, "POST", f"/upload/{jid}", "/upload/{id}", body=read("phototest.tif"), ctype="image/tiff", status=200)
    assert r.json()["FileUploaded"] is True and r.json()["Status"] == 0 and r.json()["NumberOfPages"] == 1, r
    r = call(st, "POST", f"/schedule/{jid}", "/schedule/{id}", status=200)
    assert r.json()["Status"] in (1, 2, 3), r
    assert wait_status(st, jid) == 3
    r = call(st, "GET", f"/download/{jid}/txt", "/download/{id}/{ext}", status=200)
    assert accuracy(r.body.decode(), read("phototest.txt").decode()) > 0.95, r.body
    r = call(st, "GET", f"/download/{jid}/pdf", "/download/{id}/{ext}", status=200)
    assert r.body.startswith(b"%PDF"), r.body[:20]
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(r.body)
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
        assert accuracy(text, read("phototest.txt").decode()) > 0.9, text
    r = call(st, "GET", f"/info/{jid}", "/info/{id}", status=200)
    info = r.json()
    assert info["Status"] == 3 and info["Finished"] != "0001-01-01T00:00:00+00:00", info
    assert info["Started"] <= info["Finished"] and info["Modified"] == info["Finished"], info
    L["done"] = info



def test_full_job_object_accepted(st):
    """The reference's full example job object is accepted by create as it is, and its members map to v1."""
    body = dict(FULL_JOB_EXAMPLE, Barcodes=[])
    r = call(st, "POST", "/create", body=body, status=200)
    job = r.json()
    assert job["DetectBarcodes"] is True and job["BarcodeFilter"] == 16 and job["RetentionDays"] == 1, job
    assert job["RenderResolution"] == 200 and job["MinConfidence"] == 60, job
    v1 = st.node("US").request("GET", f"/v1/jobs/{job['Guid']}", headers=tenant(L["lic"])).json()
    o = v1["options"]
    assert o["detectBarcodes"] is True and o["barcodeTypes"] == ["ean13"] and o["dpi"] == 200, o
    assert o["minConfidence"] == 60 and o["outputs"] == ["pdf"] and o["retentionDays"] == 1, o


def test_options_mapped_and_refused(st):
    body = {"RecognitionLanguages": "English", "IntelligentPDFProcessing": True, "ClearBorder": True,
            "AutoOrientation": True, "BlankPagesMaxNoise": 1.5, "DeleteBlankPages": True, "XmlOutput": True,
            "DocxOutput": True, "PdfTitle": "T", "CorrelationId": "c-1", "MinConfidence": 0}
    job = call(st, "POST", "/create", body=body, status=200).json()
    v1 = st.node("US").request("GET", f"/v1/jobs/{job['Guid']}", headers=tenant(L["lic"])).json()["options"]
    assert v1["pdfTextPolicy"] == "skipTextPages" and v1["removeBorder"] and v1["autoRotate"], v1
    assert v1["blankPageMaxNoise"] == 1.5 and v1["deleteBlankPages"] and v1["pdfTitle"] == "T", v1
    assert sorted(v1["outputs"]) == ["alto", "docx", "pdf"] and v1["minConfidence"] == 0, v1
    assert job["ClearBorder"] and job["DeleteBorder"] and job["XmlOutput"] and job["CorrelationId"] == "c-1", job
    for bad, member in [({"PdfConformance": 1}, "PdfConformance"), ({"BWCompression": 1}, "BWCompression"),
                        ({"ColorCompression": 3}, "ColorCompression"), ({"RecognitionLanguages": "Klingon"},
                                                                       "RecognitionLanguages"),
                        ({"MinConfidence": 101}, "MinConfidence"), ({"RenderResolution": 20}, "RenderResolution"),
                        ({"NrOfOCRThreads": 33}, "NrOfOCRThreads"), ({"BarcodeFilter": 0x400}, "BarcodeFilter"),
                        ({"Deskew": "yes"}, "Deskew"), ({"NoSuchMember": 1}, "NoSuchMember")]:
        r = call(st, "POST", "/create", body=bad)
        e = error_of(r, 400)
        assert member in e["Message"], (bad, e)
    # the clean-up members and FastMode map to their v1 options
    cleanups = {"RemoveColorNoise": "removeColorNoise", "RemoveHalftone": "removeHalftone",
                "RemoveHolePunch": "removeHolePunch", "ImproveText": "improveText",
                "DeskewAdjustPaperSize": "deskewAdjustPaperSize", "FastMode": "fastMode"}
    job = call(st, "POST", "/create", body=dict({k: True for k in cleanups}, Deskew=True), status=200).json()
    v1 = st.node("US").request("GET", f"/v1/jobs/{job['Guid']}", headers=tenant(L["lic"])).json()["options"]
    assert all(v1[o] is True for o in cleanups.values()) and all(job[m] is True for m in cleanups), (v1, job)
    r = call(st, "POST", "/create", body=b"{not json", ctype="application/json")
    error_of(r, 400, "MalformedJson")


def test_state_rules_and_errors(st):
    job = call(st, "POST", "/create", body={"Autostart": False, "TxtOutput": True}, status=200).json()
    jid = job["Id"]
    # schedule without a file, download before converted
    error_of(call(st, "POST", f"/schedule/{jid}", "/schedule/{id}"), 400)
    error_of(call(st, "GET", f"/download/{jid}/txt", "/download/{id}/{ext}"), 400)
    # unsupported uploads: 415
    error_of(call(st, "POST", f"/uploadext/{jid}/heic", "/uploadext/{id}/{ext}", body=b"xx"), 415)
    error_of(call(st, "POST", f"/upload/{jid}", "/upload/{id}", body=b"plain text, no image", ctype="text/plain"), 415)
    r = call(st, "POST", f"/uploadext/{jid}/tif", "/uploadext/{id}/{ext}", body=read("phototest.tif"), status=200)
    assert r.json()["FileUploaded"] and r.json()["Status"] == 0, r
    # a second upload, options after the upload: the job is no longer open
    error_of(call(st, "POST", f"/upload/{jid}/tif", "/upload/{id}/{ext}", body=read("phototest.tif")), 400)
    r = call(st, "POST", f"/setoptions/{jid}", "/setoptions/{id}", body=SETOPTIONS_EXAMPLE, status=200)
    assert r.json()["Descr"] == SETOPTIONS_EXAMPLE["Descr"] and r.json()["TxtOutput"], r
    # cancel while created: status 0; delete then works and answers the job
    r = call(st, "POST", f"/cancel/{jid}", "/cancel/{id}", status=200)
    assert r.json()["Status"] == 0, r
    error_of(call(st, "POST", f"/cancel/{jid}", "/cancel/{id}"), 400)
    r = call(st, "DELETE", f"/delete/{jid}", "/delete/{id}", status=200)
    assert r.json()["Id"] == jid, r
    error_of(call(st, "GET", f"/info/{jid}", "/info/{id}"), 404, "ResourceNotFound")
    error_of(call(st, "GET", "/info/99999999", "/info/{id}"), 404)
    error_of(call(st, "GET", "/info/not-an-id", "/info/{id}"), 404)
    # delete while scheduled is refused with 400
    job = call(st, "POST", "/create", body={}, status=200).json()
    call(st, "POST", f"/upload/{job['Id']}", "/upload/{id}", body=read("eurotext.tif"), ctype="image/tiff", status=200)
    r = call(st, "DELETE", f"/delete/{job['Id']}", "/delete/{id}")
    assert r.status in (200, 400), r  # 400 while scheduled or converting; 200 once it converted meanwhile
    if r.status == 400:
        assert "scheduled" in r.json()["Message"] or "converting" in r.json()["Message"], r
    # download of an output the job does not keep, an extension the reference does not list
    assert wait_status(st, job["Id"]) == 3
    error_of(call(st, "GET", f"/download/{job['Id']}/docx", "/download/{id}/{ext}"), 404)
    error_of(call(st, "GET", f"/download/{job['Id']}/json", "/download/{id}/{ext}"), 400)
    # credentials
    error_of(call(st, "GET", "/count", auth={}), 401)
    error_of(call(st, "GET", "/count", auth=basic(L["lic"]["licenseId"], "ocg_wrong")), 401, "InvalidCredentials")
    r = st.node("US").request("GET", "/ocrjobs/nosuchaction", headers=app())
    error_of(r, 404, "NoSuchEndpoint")
    # folders are not offered
    assert call(st, "GET", "/folders", status=200).json() == []
    for m, p in [("GET", "/folder/{id}"), ("POST", "/postfolder/{id}"), ("POST", "/postfolderu/{id}")]:
        e = error_of(call(st, m, p.replace("{id}", "dbd6a047-919e-49eb-8850-76aa97213f26"), p), 404)
        assert "not offered" in e["Message"], e


def test_visibility_and_cross_surface(st):
    mine = call(st, "POST", "/create", body={"CorrelationId": "vis-1"}, auth=app(0), status=200).json()
    theirs = call(st, "POST", "/create", body={"CorrelationId": "vis-2"}, auth=app(1), status=200).json()
    # another app's job: 404 for the app, visible with the admin key
    error_of(call(st, "GET", f"/info/{theirs['Id']}", "/info/{id}", auth=app(0)), 404)
    r = call(st, "GET", f"/info/{theirs['Id']}", "/info/{id}", auth=admin_basic(), status=200)
    assert r.json()["UserName"] == "app1", r
    ids0 = {j["Id"] for j in call(st, "GET", "/all", auth=app(0), status=200).json()}
    ids_admin = {j["Id"] for j in call(st, "GET", "/all", auth=admin_basic(), status=200).json()}
    assert mine["Id"] in ids0 and theirs["Id"] not in ids0 and {mine["Id"], theirs["Id"]} <= ids_admin
    assert call(st, "GET", "/count", auth=admin_basic(), status=200).json() >= len(ids_admin)
    assert call(st, "GET", "/count", auth=app(0), status=200).json() == len(ids0)
    assert isinstance(call(st, "GET", "/runningcount", status=200).json(), int)
    # another license's admin key sees none of it
    error_of(call(st, "GET", f"/info/{mine['Id']}", "/info/{id}", auth=admin_basic(L["other"])), 404)
    # query: the reference's example, then by Guid, correlation id and user name
    assert call(st, "POST", "/query", body=QUERY_EXAMPLE, status=200).json() == []
    r = call(st, "POST", "/query", body={"GuidList": [theirs["Guid"]], "CorrelationIdList": ["vis-2"]},
             auth=admin_basic(), status=200)
    assert [j["Id"] for j in r.json()] == [theirs["Id"]], r
    r = call(st, "POST", "/query", body={"UserName": "app1", "IdList": [mine["Id"], theirs["Id"]]},
             auth=admin_basic(), status=200)
    assert [j["Id"] for j in r.json()] == [theirs["Id"]], r
    r = call(st, "POST", "/query", body={"StatusList": [0], "CreatedFrom": "2020-10-21T00:00:00.000000+03:00"},
             status=200)
    assert mine["Id"] in [j["Id"] for j in r.json()], r
    error_of(call(st, "POST", "/query", body={"CreatedFrom": "yesterday"}), 400)
    error_of(call(st, "POST", "/query", body={"Nope": 1}), 400)
    by = call(st, "GET", "/allbystatus/0", "/allbystatus/{status}", status=200).json()
    assert mine["Id"] in [j["Id"] for j in by] and all(j["Status"] == 0 for j in by), by
    error_of(call(st, "GET", "/allbystatus/7", "/allbystatus/{status}"), 400)
    # the admin key acts on any app's job: cancel and delete another app's
    r = call(st, "POST", f"/cancel/{theirs['Id']}", "/cancel/{id}", auth=admin_basic(), status=200)
    assert r.json()["Status"] == 0 and r.json()["UserName"] == "app1", r
    call(st, "DELETE", f"/delete/{theirs['Id']}", "/delete/{id}", auth=admin_basic(), status=200)
    error_of(call(st, "GET", f"/info/{theirs['Id']}", "/info/{id}", auth=app(1)), 404)
    # the admin key cannot create (it has no app)
    error_of(call(st, "POST", "/create", body={}, auth=admin_basic()), 400)
    # a v1 job read through /ocrjobs, by Id and by Guid
    v1 = st.node("US").request("POST", "/v1/jobs?outputs=text,pdf", body=read("phototest.tif"),
                               headers=dict(tenant(L["lic"]), **{"Content-Type": "image/tiff"}))
    assert v1.status == 201, v1
    jid = v1.json()["jobId"]
    r = call(st, "GET", f"/info/{jid}", "/info/{id}", status=200)
    assert r.json()["Guid"] == jid and r.json()["TxtOutput"] and r.json()["MinConfidence"] == 0, r
    assert wait_status(st, r.json()["Id"]) == 3
    t = call(st, "GET", f"/download/{r.json()['Id']}/txt", "/download/{id}/{ext}", status=200)
    assert accuracy(t.body.decode(), read("phototest.txt").decode()) > 0.95
    # an /ocrjobs job read through /v1
    got = st.node("US").request("GET", f"/v1/jobs/{mine['Guid']}", headers=tenant(L["lic"]))
    assert got.status == 200 and got.json()["correlationId"] == "vis-1", got


def test_templates(st):
    t = call(st, "POST", "/createtemplate", body={"Descr": "invoices", "TxtOutput": True, "DocxOutput": True},
             status=200).json()
    assert t["IsTemplate"] is True and t["Status"] == 0 and t["Descr"] == "invoices" and t["DocxOutput"], t
    assert t["Id"] in [x["Id"] for x in call(st, "GET", "/templates", status=200).json()]
    assert call(st, "GET", f"/status/{t['Id']}", "/status/{id}", status=200).json() == 0
    r = call(st, "POST", f"/setoptions/{t['Id']}", "/setoptions/{id}", body={"RecognitionLanguages": "English"},
             status=200)
    assert r.json()["RecognitionLanguages"] == "English" and r.json()["DocxOutput"], r
    error_of(call(st, "POST", f"/schedule/{t['Id']}", "/schedule/{id}"), 400)
    error_of(call(st, "POST", f"/upload/{t['Id']}", "/upload/{id}", body=read("phototest.tif"), ctype="image/tiff"), 400)
    # the v1 template is the same one
    v1 = st.node("US").request("GET", f"/v1/templates/{t['Guid']}", headers=tenant(L["lic"]))
    assert v1.status == 200 and v1.json()["name"] == "invoices", v1
    job = call(st, "POST", f"/createfromtemplate/{t['Id']}", "/createfromtemplate/{id}", status=200).json()
    assert job["TemplateId"] == t["Id"] and job["DocxOutput"] and job["TxtOutput"] and not job["IsTemplate"], job
    call(st, "POST", f"/upload/{job['Id']}", "/upload/{id}", body=read("phototest.tif"), ctype="image/tiff", status=200)
    assert wait_status(st, job["Id"]) == 3
    d = call(st, "GET", f"/download/{job['Id']}/docx", "/download/{id}/{ext}", status=200)
    if shutil.which("pandoc"):
        with tempfile.NamedTemporaryFile(suffix=".docx") as f:
            f.write(d.body)
            f.flush()
            text = subprocess.run(["pandoc", "-t", "plain", f.name], capture_output=True, text=True, check=True).stdout
        assert accuracy(text, read("phototest.txt").decode()) > 0.9, text
    error_of(call(st, "POST", "/createfromtemplate/999999999", "/createfromtemplate/{id}"), 404)
    error_of(call(st, "POST", f"/createfromtemplate/{job['Id']}", "/createfromtemplate/{id}"), 404)
    r = call(st, "POST", "/query", body={"IsTemplate": True}, status=200)
    assert t["Id"] in [x["Id"] for x in r.json()], r
    r = call(st, "DELETE", f"/delete/{t['Id']}", "/delete/{id}", status=200)
    assert r.json()["IsTemplate"], r
    error_of(call(st, "GET", f"/info/{t['Id']}", "/info/{id}"), 404)


def test_server_information(st):
    langs = call(st, "GET", "/languages", status=200).json()
    assert "English" in langs, langs
    v = call(st, "GET", "/version", status=200).json()
    assert v.startswith("v"), v
    assert call(st, "GET", "/test", status=200).json() is True
    assert call(st, "GET", "/name", status=200).json() == "ocrgate US"
    assert call(st, "GET", "/nameversion", status=200).json() == "ocrgate US " + v
    g = call(st, "GET", "/guid", status=200).json()
    assert g == call(st, "GET", "/guid", auth=admin_basic(), status=200).json(), g
    exts = call(st, "GET", "/supportedexts", status=200).json()
    assert "tif" in exts and "pdf" in exts and "heic" not in exts, exts
    s = call(st, "GET", "/stats", status=200).json()
    assert s["ProcessedFiles"] == s["SuccessFiles"] + s["ErrorFiles"] and s["SuccessFiles"] >= 1, s
    load = call(st, "GET", "/serverload", status=200).json()
    assert load["Name"] == "ocrgate US" and load["JobsThreads"] == 2, load


def test_barcodes(st):
    """Barcodes found by the engine, with the reference's Type codes, filtered by BarcodeFilter's bits."""
    from test_outputs import page, paste_bits, symbol, tiff
    pg = page(1400, 900)
    paste_bits(pg, symbol("EANX", "400638133393"), 40, 40)
    paste_bits(pg, symbol("CODE128", "ocrgate-128 Abc"), 40, 500)
    img = tiff(pg)
    found = {}
    for filt in (0, 0x10):
        job = call(st, "POST", "/create", body={"DetectBarcodes": True, "BarcodeFilter": filt}, status=200).json()
        call(st, "POST", f"/upload/{job['Id']}", "/upload/{id}", body=img, ctype="image/tiff", status=200)
        assert wait_status(st, job["Id"]) == 3
        info = call(st, "GET", f"/info/{job['Id']}", "/info/{id}", status=200).json()
        found[filt] = sorted((b["Type"], b["Value"], b["PageNo"]) for b in info["Barcodes"])
        assert all(b["Width"] > 0 and b["Height"] > 0 for b in info["Barcodes"]), info["Barcodes"]
        assert info["BarcodeFilter"] == filt, info
    assert found[0] == [(5, "4006381333931", 1), (10, "ocrgate-128 Abc", 1)], found
    assert found[0x10] == [(5, "4006381333931", 1)], found


def test_threads_member(st):
    """NrOfOCRThreads is v1's maxParallelPages; where a node has no such option only the default is accepted."""
    has = "maxParallelPages" in st.openapi()["components"]["schemas"]["Options"]["properties"]
    r = call(st, "POST", "/create", body={"NrOfOCRThreads": 2}, status=200)
    assert r.json()["NrOfOCRThreads"] == 2, r
    r = call(st, "POST", "/create", body={"NrOfOCRThreads": 4})
    if has:
        assert r.status == 200 and r.json()["NrOfOCRThreads"] == 4, r
        v1 = st.node("US").request("GET", f"/v1/jobs/{r.json()['Guid']}", headers=tenant(L["lic"])).json()
        assert v1["options"]["maxParallelPages"] == 4, v1
    else:
        assert "NrOfOCRThreads" in error_of(r, 400)["Message"], r


def test_quota_and_region(st):
    """v1's admission and quota rules hold here, answered as ApiResponse objects."""
    lic = L["tiny"]
    seen = []
    for _ in range(6):
        r = call(st, "GET", "/count", auth=app(0, lic))
        seen.append(r.status)
        if r.status == 429:
            e = error_of(r, 429, "QuotaExceeded")
            assert int(r.header("retry-after")) > 0, e
            break
    assert seen[:3] == [200, 200, 200] and seen[-1] == 429, seen
    r = call(st, "POST", "/create", body={}, auth=app(0, lic))
    error_of(r, 429, "QuotaExceeded")
    e = error_of(call(st, "GET", "/count", auth=app(0, L["eu"])), 401, "WrongRegion")
    assert e["ProcessingRegion"] == "EU" and e["Endpoint"], e
    assert call(st, "GET", "/count", auth=app(0, L["eu"])).header("www-authenticate").startswith("Basic")


def test_openapi_lints_clean(st):
    import os
    from harness import SRC, npm_ci
    lint = os.path.join(SRC, "tests", "openapi")
    node = shutil.which("node")
    assert node, "node is not installed"
    npm_ci(lint, "@redocly/cli")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ocrjobs.openapi.json")
        with open(path, "w") as f:
            json.dump(doc(st), f)
        p = subprocess.run([node, os.path.join(lint, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint",
                            "--config", os.path.join(lint, "redocly.yaml"), "--format", "json", path],
                           capture_output=True, text=True, timeout=300, cwd=d)
    report = json.loads(p.stdout[p.stdout.index("{"):])
    errors = [x for x in report.get("problems", []) if x.get("severity") == "error"]
    assert not errors and p.returncode == 0, (errors, p.stderr[-2000:])


def test_prefix_from_config(st):
    """The EU node serves the surface under its configured prefix, as the reference's /api/ocrjobs example."""
    eu = st.node("EU")
    r = eu.request("GET", "/api/ocrjobs/test", headers=app(0, L["eu"]))
    assert r.status == 200 and r.json() is True, r
    job = eu.request("POST", "/api/ocrjobs/create", headers=dict(app(0, L["eu"]), **{"Content-Type": "application/json"}),
                     body=b"{}")
    assert job.status == 200 and job.json()["Status"] == 0, job
    r = eu.request("GET", "/ocrjobs/test", headers=app(0, L["eu"]))
    assert r.status == 404 and r.json()["errorCode"] == "NoSuchEndpoint", r


def test_database_outage(st):
    """While the database is down the surface answers 503 with Retry-After, as v1 does; then it recovers."""
    st.pg_stop()
    try:
        r = call(st, "GET", "/count")
        e = error_of(r, 503, "Unavailable")
        assert int(r.header("retry-after")) > 0, e
    finally:
        st.pg_start()
    deadline = time.time() + 60
    while time.time() < deadline:
        r = call(st, "GET", "/count")
        if r.status == 200:
            break
        assert r.status == 503, r
        time.sleep(0.2)
    assert r.status == 200, r


if __name__ == "__main__":
    def _start():
        st = Stack(nodes={"US": 1, "EU": 1},
                   node_cfg={"US": {"engine_workers": 2},
                             "EU": {"engine_workers": 1, "ocrjobs_prefix": "/api/ocrjobs"}},
                   name="ocrjobs").start()
        # Waiting for jobs polls their status: a tier with room for it on a slow machine.
        L["lic"] = st.seed_license("US", tier="polling", quota=1000000, apps=2, name="ocrjobs")
        L["other"] = st.seed_license("US", apps=1, name="other")
        L["tiny"] = st.seed_license("US", tier="tiny", quota=3, apps=1, name="tiny")
        L["eu"] = st.seed_license("EU", apps=1, name="eu")
        return st

    run([test_how_it_works, test_full_job_object_accepted, test_options_mapped_and_refused,
         test_state_rules_and_errors, test_visibility_and_cross_surface, test_templates, test_server_information,
         test_barcodes, test_threads_member, test_quota_and_region,
         test_prefix_from_config, test_openapi_lints_clean, test_database_outage], _start)
