"""The license holder's portal in a real browser: US and EU gateways over a replicated catalog (a primary and one
cluster per region, as in production), real OCR traffic first so that analytics have data, the admin-key rotation
call, then tests/browser/portal.test.mjs drives Debian's Chromium through sign-in, quota, app management,
analytics, the wrong-region hand-over, trying a document, jobs, webhooks and key rotation. Screenshots go to
portal-artifacts/ under the build directory (OCRGATE_ARTIFACTS, else tests/artifacts/). Chromium is required:
without it the test fails (CI installs it with apt-get install -y chromium)."""
import json
import os
import re
import shutil
import subprocess
import threading
import time
import uuid

from harness import SRC, TESTDATA, Stack, admin, check_openapi, npm_ci, run, tenant

L = {}
BROWSER_DIR = os.path.join(SRC, "tests", "browser")
ARTIFACTS = os.environ.get("OCRGATE_ARTIFACTS") or os.path.join(SRC, "tests", "artifacts")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def setup(st):
    L["us"] = st.seed_license("US", name="Portal US tenant")
    L["eu"] = st.seed_license("EU", name="Portal EU tenant", apps=1)
    L["rot"] = st.seed_license("US", name="Portal rotation", apps=1)
    for lic in (L["us"], L["eu"], L["rot"]):
        for region in ("US", "EU"):
            st.wait_replica(region, f"SELECT count(*) FROM apps WHERE license_id = '{lic['licenseId']}'",
                            str(len(lic["apps"])))
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


def _rotate(n, lic, key=None, body=None):
    h = admin(lic, key)
    if body is not None:
        h["Content-Type"] = "application/json"
    return n.request("POST", "/v1/license/admin-key", headers=h, body=body)


def test_admin_key_rotation(st):
    """POST /v1/license/admin-key: a new key, shown once, admitted at once in the region (the answer waits for
    the replica), the old one refused at once; audited without key material; bad bodies change nothing."""
    n, lic = st.node("US"), L["rot"]
    old = lic["adminKey"]
    old_hash = st.psql("ocrgate_catalog", f"SELECT encode(admin_key_hash, 'hex') FROM licenses "
                                          f"WHERE license_id = '{lic['licenseId']}'")
    audits = int(st.psql("ocrgate_catalog", "SELECT count(*) FROM audit_log"))
    for body, status, code in [(b'{"adminKey": "ocg_mine"}', 400, "UnrecognizedInput"), (b"{bad", 400, "MalformedJson"),
                               (b"[]", 400, "UnrecognizedInput"), (b"\0", 400, "MalformedJson"),
                               (b'{"a": "' + b"x" * 70000 + b'"}', 413, "PayloadTooLarge")]:
        r = _rotate(n, lic, body=body)
        assert r.status == status and r.json()["errorCode"] == code, (body[:40], r)
        check_openapi(st, "POST", "/v1/license/admin-key", r)
    r = _rotate(n, lic, key="ocg_" + "0" * 64)
    assert r.status == 401 and r.json()["errorCode"] == "InvalidCredentials", r
    r = n.request("POST", "/v1/license/admin-key", headers=tenant(lic))
    assert r.status == 401 and r.json()["errorCode"] == "InvalidCredentials", r
    r = _rotate(n, L["eu"])
    assert r.status == 401 and r.json()["errorCode"] == "WrongRegion", r
    assert int(st.psql("ocrgate_catalog", "SELECT count(*) FROM audit_log")) == audits, "a refused call changed the catalog"
    assert n.request("GET", "/v1/usage", headers=admin(lic)).status == 200, "the key still works after refusals"

    # Replication held up: the answer waits for this region's replica, so it cannot come while it is stopped.
    sub = "ALTER SUBSCRIPTION ocrgate_catalog_us "
    st.psql("ocrgate_catalog", sub + "DISABLE", cluster="US")
    got = {}
    th = threading.Thread(target=lambda: got.update(r=_rotate(n, lic, body=b"{}")))
    th.start()
    try:
        deadline = time.time() + 30
        while st.psql("ocrgate_catalog", f"SELECT encode(admin_key_hash, 'hex') FROM licenses "
                                         f"WHERE license_id = '{lic['licenseId']}'") == old_hash:
            assert time.time() < deadline, "the rotation did not reach the primary"
            time.sleep(0.02)
        # Meanwhile the wait holds no connection in the database: between its looks the request waits on the
        # loop, so no session of the region's catalog replica is ever sleeping for it.
        sleeping = [st.psql("ocrgate_catalog", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'ocrgate_catalog' "
                                               "AND wait_event = 'PgSleep'", cluster="US") for _ in range(10)]
        answered_early = not th.is_alive()
    finally:
        st.psql("ocrgate_catalog", sub + "ENABLE", cluster="US")
    th.join(60)
    assert not answered_early, "answered before this region's replica had the new key"
    assert sleeping == ["0"] * 10, f"a catalog connection was held sleeping during the wait: {sleeping}"
    r = got["r"]
    assert r.status == 200, r
    check_openapi(st, "POST", "/v1/license/admin-key", r)
    new = r.json()["adminKey"]
    assert r.json()["licenseId"] == lic["licenseId"] and re.fullmatch(r"ocg_[0-9a-f]{64}", new) and new != old, r
    assert "no-store" in (r.header("cache-control") or ""), r.header("cache-control")
    # No wait: the 200 promises that this region already refuses the old key and admits the new one.
    r = n.request("GET", "/v1/usage", headers=admin(lic, old))
    assert r.status == 401 and r.json()["errorCode"] == "InvalidCredentials", r
    r = n.request("GET", "/v1/apps", headers=admin(lic, new))
    assert r.status == 200, r
    # The old key cannot rotate again (it is no longer the key), and nothing changes.
    r = _rotate(n, lic, key=old)
    assert r.status == 401 and r.json()["errorCode"] == "InvalidCredentials", r
    assert n.request("GET", "/v1/usage", headers=admin(lic, new)).status == 200
    # Rotating without a body works too, and the key of a moment ago then stops.
    r = _rotate(n, lic, key=new)
    assert r.status == 200, r
    newer = r.json()["adminKey"]
    assert n.request("GET", "/v1/usage", headers=admin(lic, new)).status == 401
    assert n.request("GET", "/v1/usage", headers=admin(lic, newer)).status == 200
    lic["adminKey"] = newer
    # Audited on the primary: two updates of the license by its admin key, saying the key rotated, no hash.
    rows = st.psql("ocrgate_catalog", "SELECT actor || '|' || action || '|' || object_type || '|' || details::text "
                                      f"FROM audit_log WHERE object_id = '{lic['licenseId']}' "
                                      "AND details ? 'adminKeyRotated' ORDER BY id").splitlines()
    assert len(rows) == 2, rows
    for row in rows:
        actor, action, obj, details = row.split("|", 3)
        assert (actor, action, obj) == (f"admin-key:{lic['licenseId']}", "update", "licenses"), row
        d = json.loads(details)
        assert d["adminKeyRotated"] is True and "admin_key_hash" not in d, d
        for secret in (old_hash, old, new, newer):
            assert secret not in details, "key material in the audit log"
    assert int(st.psql("ocrgate_catalog", "SELECT count(*) FROM audit_log")) == audits + 2
    # The other region's replica has the new key too (its portal sends the license here).
    st.wait_replica("EU", f"SELECT count(*) FROM licenses WHERE license_id = '{lic['licenseId']}' "
                          f"AND admin_key_hash = decode('{old_hash}', 'hex')", "0")


def test_portal_in_chromium(st):
    assert os.path.exists(CHROMIUM), (f"{CHROMIUM} not found: the portal test needs Debian's Chromium "
                                      "(apt-get install -y chromium)")
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the portal's browser test)"
    npm_ci(BROWSER_DIR, "playwright-core")
    os.makedirs(ARTIFACTS, exist_ok=True)
    three = os.path.join(st.dir, "three-pages.tif")
    subprocess.run(["tiffcp"] + [os.path.join(TESTDATA, "phototest.tif")] * 3 + [three], check=True, capture_output=True)
    t = L["traffic"]
    env = dict(os.environ)
    env.update({
        "PORTAL_US": st.node("US").url, "PORTAL_EU": st.node("EU").url,
        "LICENSE_ID": L["us"]["licenseId"], "ADMIN_KEY": L["us"]["adminKey"],
        "EU_LICENSE_ID": L["eu"]["licenseId"], "EU_ADMIN_KEY": L["eu"]["adminKey"],
        "ARTIFACTS_DIR": ARTIFACTS, "TESTDATA": TESTDATA, "THREE_PAGE_TIF": three, "CA_FILE": st.cert, "CHROMIUM": CHROMIUM,
        "TRAFFIC_APP_ID": L["us"]["apps"][0], "TRAFFIC_MIN_REQUESTS": str(t["requests"]),
        "TRAFFIC_MIN_4XX": str(t["4xx"]), "TRAFFIC_MIN_PAGES": str(t["pages"]), "TRAFFIC_MIN_JOBS": str(t["jobs"]),
    })
    p = subprocess.run([node, "portal.test.mjs"], cwd=BROWSER_DIR, env=env, capture_output=True, text=True,
                       timeout=600)
    for line in (p.stdout + p.stderr).splitlines():
        print("#   " + line, flush=True)
    assert p.returncode == 0, f"portal.test.mjs exited with {p.returncode}"


def _start():
    # The browser test's webhook receiver listens on plain http on 127.0.0.1.
    cfg = {"webhook_allow_http": "on", "webhook_allow_private": "on"}
    st = Stack(name="portal", replicated=True, node_cfg={"US": cfg, "EU": cfg}).start()
    setup(st)
    return st


if __name__ == "__main__":
    run([test_traffic, test_admin_api_documented, test_admin_key_rotation, test_portal_in_chromium], lambda: _start())
