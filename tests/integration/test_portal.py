"""The license holder's portal in a real browser: US and EU gateways, real OCR traffic first so that analytics have
data, then tests/browser/portal.test.mjs drives Debian's Chromium through sign-in, quota, app management,
analytics and the wrong-region hand-over. Screenshots go to tests/artifacts/. Chromium is required: without it
the test fails (CI installs it with apt-get install -y chromium)."""
import os
import shutil
import subprocess
import time
import uuid

from harness import SRC, TESTDATA, Stack, admin, check_openapi, npm_ci, run, tenant

L = {}
BROWSER_DIR = os.path.join(SRC, "tests", "browser")
ARTIFACTS = os.path.join(SRC, "tests", "artifacts")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def setup(st):
    L["us"] = st.seed_license("US", name="Portal US tenant")
    L["eu"] = st.seed_license("EU", name="Portal EU tenant", apps=1)
    L["traffic"] = {"requests": 0, "4xx": 0, "pages": 0, "jobs": 0}


def us_call(st, method, path, body=None, headers=None):
    """A tenant call of the US license's first app, counted for the analytics expectations."""
    h = dict(tenant(L["us"]))
    h.update(headers or {})
    r = st.node("US").request(method, path, headers=h, body=body)
    t = L["traffic"]
    t["requests"] += 1
    if 400 <= r.status < 500:
        t["4xx"] += 1
    return r


def test_traffic(st):
    """Real traffic on app0: OCR jobs, 404s, a 400 and some server information calls."""
    with open(os.path.join(TESTDATA, "phototest.tif"), "rb") as f:
        doc = f.read()
    jobs = []
    for i in range(3):
        r = us_call(st, "POST", f"/v1/jobs?correlationId=portal-{i}", doc, {"Content-Type": "image/tiff"})
        assert r.status == 201, r
        jobs.append(r.json()["jobId"])
    L["traffic"]["jobs"] = len(jobs)
    deadline = time.time() + 180
    for j in jobs:
        while True:
            r = us_call(st, "GET", f"/v1/jobs/{j}")
            assert r.status == 200, r
            if r.json()["status"] in ("completed", "failed", "canceled"):
                assert r.json()["status"] == "completed", r
                L["traffic"]["pages"] += r.json()["document"]["pages"]
                break
            assert time.time() < deadline, f"job {j} not done: {r}"
            time.sleep(0.2)
    for _ in range(3):
        r = us_call(st, "GET", f"/v1/jobs/{uuid.uuid4()}")
        assert r.status == 404, r
    r = us_call(st, "POST", "/v1/jobs?noSuchOption=1", doc, {"Content-Type": "image/tiff"})
    assert r.status == 400, r
    for _ in range(2):
        assert us_call(st, "GET", "/v1/languages").status == 200
    # Calls of the EU license in its region, so that its portal has something too.
    assert st.node("EU").request("GET", "/v1/languages", headers=tenant(L["eu"])).status == 200


def test_admin_api_documented(st):
    """The calls the portal makes answer as the served OpenAPI document says."""
    n, h = st.node("US"), admin(L["us"])
    r = n.request("GET", "/v1/usage", headers=h)
    assert r.status == 200, r
    check_openapi(st, "GET", "/v1/usage", r)
    assert r.json()["processingRegion"] == "US" and r.json()["used"] >= 1, r
    r = n.request("GET", "/v1/apps", headers=h)
    assert r.status == 200, r
    check_openapi(st, "GET", "/v1/apps", r)
    app = L["us"]["apps"][0]
    r = n.request("GET", f"/v1/apps/{app}/analytics?granularity=hour", headers=h)
    assert r.status == 200, r
    check_openapi(st, "GET", "/v1/apps/{appId}/analytics", r)
    r = n.request("GET", "/v1/usage", headers=admin(L["us"], "wrong"))
    assert r.status == 401 and r.json()["errorCode"] == "InvalidCredentials", r
    r = n.request("GET", "/v1/usage", headers=admin(L["eu"]))
    assert r.status == 401 and r.json()["errorCode"] == "WrongRegion", r
    assert r.json()["processingRegion"] == "EU" and r.json()["endpoint"] == st.node("EU").url, r


def test_portal_in_chromium(st):
    assert os.path.exists(CHROMIUM), (f"{CHROMIUM} not found: the portal test needs Debian's Chromium "
                                      "(apt-get install -y chromium)")
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the portal's browser test)"
    npm_ci(BROWSER_DIR, "playwright-core")
    os.makedirs(ARTIFACTS, exist_ok=True)
    t = L["traffic"]
    env = dict(os.environ)
    env.update({
        "PORTAL_US": st.node("US").url, "PORTAL_EU": st.node("EU").url,
        "LICENSE_ID": L["us"]["licenseId"], "ADMIN_KEY": L["us"]["adminKey"],
        "EU_LICENSE_ID": L["eu"]["licenseId"], "EU_ADMIN_KEY": L["eu"]["adminKey"],
        "ARTIFACTS_DIR": ARTIFACTS, "CA_FILE": st.cert, "CHROMIUM": CHROMIUM,
        "TRAFFIC_APP_ID": L["us"]["apps"][0], "TRAFFIC_MIN_REQUESTS": str(t["requests"]),
        "TRAFFIC_MIN_4XX": str(t["4xx"]), "TRAFFIC_MIN_PAGES": str(t["pages"]), "TRAFFIC_MIN_JOBS": str(t["jobs"]),
    })
    p = subprocess.run([node, "portal.test.mjs"], cwd=BROWSER_DIR, env=env, capture_output=True, text=True,
                       timeout=600)
    for line in (p.stdout + p.stderr).splitlines():
        print("#   " + line, flush=True)
    assert p.returncode == 0, f"portal.test.mjs exited with {p.returncode}"


def _start():
    st = Stack(name="portal").start()
    setup(st)
    return st


if __name__ == "__main__":
    run([test_traffic, test_admin_api_documented, test_portal_in_chromium], lambda: _start())
