"""Regions as separate PostgreSQL clusters: a catalog primary, and a US and an EU cluster each holding the
region's database and a logical-replication replica of the catalog. Every failure behaviour of the topology
is a test here: the catalog primary down, one region's cluster down, a license moved between regions, a
disable reaching every region, and the residency of documents."""
import json
import os
import time
import urllib.request

from harness import Stack, admin, check_openapi, run, tenant

PHOTO = os.path.join(os.environ.get("OCRGATE_TESTDATA", "tests/data"), "phototest.tif")
L = {}


def call(st, region, headers, path="/v1/languages", index=0):
    return st.node(region, index).request("GET", path, headers=headers)


def wait_for(what, fn, timeout=30.0):
    """Polls fn() until it returns a true value; the answers in between may be anything the API may give
    meanwhile (a 503 during an outage, the old answer before replication)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout}s")


def status_is(st, region, headers, status, path="/v1/languages", code=None):
    def probe():
        r = call(st, region, headers, path)
        if r.status != status:
            return None
        if code is not None and r.json().get("errorCode") != code:
            return None
        return r
    return probe


def replicated(st, lic):
    for region in ("US", "EU"):
        st.wait_replica(region, f"SELECT count(*) FROM apps WHERE license_id = '{lic['licenseId']}'",
                        str(len(lic["apps"])))


def setup(st):
    L["us"] = st.seed_license("US", apps=3, name="Acme US")
    L["eu"] = st.seed_license("EU", apps=3, name="Acme EU")
    L["move"] = st.seed_license("US", apps=1, name="Mover")
    for lic in L.values():
        replicated(st, lic)


def create_job(st, region, lic):
    with open(PHOTO, "rb") as f:
        body = f.read()
    h = dict(tenant(lic), **{"Content-Type": "image/tiff"})
    r = st.node(region).request("POST", "/v1/jobs?outputs=text", headers=h, body=body)
    assert r.status == 201, r
    return r.json()["jobId"]


def wait_job(st, region, lic, job_id):
    def done():
        r = call(st, region, tenant(lic), f"/v1/jobs/{job_id}")
        return r.status == 200 and r.json()["status"] in ("completed", "failed") and r.json()
    return wait_for(f"job {job_id} done", done, timeout=120)


def metric(st, region, name):
    port = st.node(region).extra["metrics_port"]
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


# --- topology ---

def test_each_region_reads_its_own_replica(st):
    for region, lic in (("US", L["us"]), ("EU", L["eu"])):
        r = call(st, region, tenant(lic))
        assert r.status == 200, r
        h = st.node(region).request("GET", "/v1/health")
        assert h.status == 200 and h.json()["catalog"] == "ok", h
        assert 0 <= h.json()["catalogLagSeconds"] < 12, h
        check_openapi(st, "GET", "/v1/health", h)
        lag = metric(st, region, "ocrgate_catalog_replication_lag_seconds")
        assert lag is not None and lag >= 0
    # The replica holds the catalog tables and the admin-key hashes, not the audit log.
    assert st.psql("ocrgate_catalog", "SELECT count(*) FROM pg_tables WHERE tablename = 'audit_log'",
                   cluster="US") == "0"
    assert st.psql("ocrgate_catalog", f"SELECT length(admin_key_hash) FROM licenses WHERE license_id = "
                   f"'{L['eu']['licenseId']}'", cluster="US") == "32"
    # Neither region cluster holds the other region's database.
    assert st.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'ocrgate_eu'", cluster="US") == "0"
    # Re-running migrate on a region cluster is safe and keeps the one subscription.
    out = st.run_cli(["migrate"], region="EU", json_out=False)
    assert "subscription ocrgate_catalog_eu: present" in out, out
    assert st.psql("ocrgate_catalog", "SELECT count(*) FROM pg_subscription", cluster="EU") == "1"
    regions = st.run_cli(["region", "list"])
    assert {r["code"]: r["replication"] for r in regions} == {"US": "streaming", "EU": "streaming"}, regions
    # ocrgate check on a region node checks the replica, the region database and the catalog primary.
    p = st.run_cli(["check"], region="US", json_out=False, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    for want in ("ok    catalog database reachable", "ok    region database reachable",
                 "ok    catalog primary database reachable", "ok    catalog primary database: migrations current"):
        assert any(ln.startswith(want) for ln in p.stdout.splitlines()), (want, p.stdout)


def test_disable_refused_in_every_region_within_3s(st):
    lic = L["us"]
    app = lic["apps"][1]
    h = tenant(lic, app)
    # Warm the caches of every loop thread in both regions (each request is a new connection, and the
    # kernel spreads them over the threads): discovery admits the pair in every region.
    for region in ("US", "EU"):
        for _ in range(20):
            assert call(st, region, h, "/v1/licenses").status == 200
    st.run_cli(["app", "disable", "--license", lic["licenseId"], "--app", app], json_out=False)
    deadline = time.time() + 3.0
    # Refused means refused on every thread: a region counts once it has answered AppDisabled ten times in a
    # row (a thread still holding the old entry would answer 200 and start the count again).
    run_of = {"US": 0, "EU": 0}
    while time.time() < deadline and min(run_of.values()) < 10:
        for region in ("US", "EU"):
            r = call(st, region, h, "/v1/licenses")
            disabled = r.status == 401 and r.json()["errorCode"] == "AppDisabled"
            run_of[region] = run_of[region] + 1 if disabled else 0
    assert min(run_of.values()) >= 10, f"not refused everywhere within 3 s: {run_of}"
    st.run_cli(["app", "enable", "--license", lic["licenseId"], "--app", app], json_out=False)
    for region in ("US", "EU"):
        wait_for("enabled again", status_is(st, region, h, 200, "/v1/licenses"))


def test_residency(st):
    jobs = {"US": create_job(st, "US", L["us"]), "EU": create_job(st, "EU", L["eu"])}
    for region, lic in (("US", L["us"]), ("EU", L["eu"])):
        assert wait_job(st, region, lic, jobs[region])["status"] == "completed"
    tables = ["jobs", "job_documents", "job_pages", "job_outputs"]
    held = {}
    for region in ("US", "EU"):
        db = f"ocrgate_{region.lower()}"
        held[region] = set()
        for t in tables:
            ids = st.psql(db, f"SELECT DISTINCT job_id FROM {t}", cluster=region)
            held[region] |= {(t, i) for i in ids.split()}
        assert ("job_outputs", jobs[region]) in held[region] and ("job_pages", jobs[region]) in held[region]
    assert not held["US"] & held["EU"], "a row of one region exists in the other cluster"
    for region, other in (("US", "EU"), ("EU", "US")):
        assert not any(i == jobs[other] for _, i in held[region])


def test_license_moved(st):
    lic = L["move"]
    job = create_job(st, "US", lic)
    assert call(st, "US", tenant(lic)).status == 200
    st.run_cli(["license", "set-region", "--license", lic["licenseId"], "--region", "EU"])
    r = wait_for("US answers WrongRegion", status_is(st, "US", tenant(lic), 401, code="WrongRegion"))
    assert r.json()["processingRegion"] == "EU" and r.json()["endpoint"] == st.node("EU").url, r
    check_openapi(st, "GET", "/v1/languages", r)
    wait_for("EU admits the license", status_is(st, "EU", tenant(lic), 200))
    # Its job stays where it was created: documents never move.
    assert st.psql("ocrgate_us", f"SELECT count(*) FROM job_documents WHERE job_id = '{job}'", cluster="US") == "1"
    assert st.psql("ocrgate_eu", f"SELECT count(*) FROM jobs WHERE job_id = '{job}'", cluster="EU") == "0"


def test_region_cluster_down(st):
    us, eu = L["us"], L["eu"]
    st.pg_stop("US")
    try:
        r = wait_for("US answers 503", status_is(st, "US", tenant(us), 503))
        assert r.json()["errorCode"] == "Unavailable" and r.header("retry-after"), r
        for _ in range(20):  # EU is unaffected, and discovery works there for a US license
            assert call(st, "EU", tenant(eu)).status == 200
            d = call(st, "EU", tenant(us), "/v1/licenses")
            assert d.status == 200 and d.json()["processingRegion"] == "US", d
        h = st.node("EU").request("GET", "/v1/health")
        assert h.status == 200 and h.json()["catalog"] == "ok", h
    finally:
        st.pg_start("US")
    # US recovers by itself: no gateway restart.
    wait_for("US recovers", status_is(st, "US", tenant(us), 200))
    # One 200 proves only that one loop thread reconnected. Each thread has pools of its own, and each
    # reconnects when a request needs it, not at its next retry: every call on a new connection (they land
    # on either thread) is answered at once.
    for _ in range(40):
        r = call(st, "US", tenant(us))
        assert r.status == 200, r
    wait_for("US health", lambda: st.node("US").request("GET", "/v1/health").status == 200)


def test_catalog_primary_down(st):
    us, eu = L["us"], L["eu"]
    # apps[2] of each license has never been used: its pair is in no cache and must come from the replica.
    st.pg_stop("primary")
    try:
        for region, lic in (("US", us), ("EU", eu)):
            assert call(st, region, tenant(lic)).status == 200
            r = call(st, region, tenant(lic, lic["apps"][2]))
            assert r.status == 200, r
        for region, lic in (("US", us), ("EU", eu)):
            r = st.node(region).request("POST", "/v1/apps", headers=dict(admin(lic), **{"Content-Type":
                                        "application/json"}), body=json.dumps({"name": "during outage"}))
            assert r.status == 503 and r.json()["errorCode"] == "Unavailable" and r.header("retry-after"), r
            check_openapi(st, "POST", "/v1/apps", r)
            # Admin reads are served from the replica.
            assert st.node(region).request("GET", "/v1/apps", headers=admin(lic)).status == 200
        p = st.run_cli(["app", "create", "--license", us["licenseId"], "--name", "x"], check=False)
        assert p.returncode != 0 and "catalog primary" in p.stderr, p.stderr
        p = st.run_cli(["check"], region="US", json_out=False, check=False)
        assert p.returncode == 1 and any(ln.startswith("FAIL  catalog primary database (catalog_primary_dsn) "
                                                       "not reachable") for ln in p.stdout.splitlines()), p.stdout
        # The replica notices it has lost the primary: lagging, still 200.
        def lagging():
            h = st.node("US").request("GET", "/v1/health")
            return h.status == 200 and h.json()["catalog"] == "lagging" and h
        h = wait_for("health says lagging", lagging)
        check_openapi(st, "GET", "/v1/health", h)
        assert metric(st, "US", "ocrgate_catalog_replication_lag_seconds") >= 12
    finally:
        st.pg_start("primary")

    def write_works():
        r = st.node("EU").request("POST", "/v1/apps", headers=dict(admin(eu), **{"Content-Type":
                                  "application/json"}), body=json.dumps({"name": "after outage"}))
        return r.status == 201 and r.json()
    app = wait_for("admin writes work again", write_works)
    # Replication catches up by itself: the new app is admitted in its region, and health is ok again.
    wait_for("new app admitted", status_is(st, "EU", tenant(eu, app["appId"]), 200))
    wait_for("health ok", lambda: st.node("US").request("GET", "/v1/health").json()["catalog"] == "ok")


def _start():
    cfg = {"metrics_port": "free-port"}
    st = Stack(name="regions", replicated=True, node_cfg={"US": cfg, "EU": cfg}).start()
    setup(st)
    return st


if __name__ == "__main__":
    run([test_each_region_reads_its_own_replica, test_disable_refused_in_every_region_within_3s, test_residency,
         test_license_moved, test_region_cluster_down, test_catalog_primary_down], _start)
