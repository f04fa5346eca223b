"""App management (admin key), per-app analytics with exact counts from two gateway nodes, templates, server
information, and the loopback metrics listener."""
import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid

from harness import TESTDATA, Stack, admin, check_openapi, check_openapi_request, run, tenant

L = {}


def jpost(node, path, headers, obj, method="POST"):
    return node.request(method, path, headers=dict(headers, **{"Content-Type": "application/json"}),
                        body=json.dumps(obj).encode())


def test_app_management(st):
    us = st.node("US")
    lic = L["lic"]
    r = us.request("GET", "/v1/apps", headers=admin(lic))
    assert r.status == 200 and len(r.json()["apps"]) == 2, r
    check_openapi(st, "GET", "/v1/apps", r)
    c = jpost(us, "/v1/apps", admin(lic), {"name": "scanner"})
    assert c.status == 201 and c.json()["enabled"] is True and c.json()["name"] == "scanner", c
    check_openapi(st, "POST", "/v1/apps", c)
    app = c.json()["appId"]
    assert us.request("GET", "/v1/languages", headers=tenant(lic, app)).status == 200, "new app works at once"
    p = jpost(us, f"/v1/apps/{app}", admin(lic), {"name": "scanner-2"}, "PATCH")
    assert p.status == 200 and p.json()["name"] == "scanner-2", p
    check_openapi(st, "PATCH", "/v1/apps/{appId}", p)
    p = jpost(us, f"/v1/apps/{app}", admin(lic), {"enabled": False}, "PATCH")
    assert p.status == 200 and p.json()["enabled"] is False
    t0 = time.time()
    while us.request("GET", "/v1/languages", headers=tenant(lic, app)).status != 401:
        assert time.time() - t0 < 1.0, "disable did not reach the cache within 1 s"
        time.sleep(0.02)
    assert jpost(us, f"/v1/apps/{app}", admin(lic), {"enabled": True}, "PATCH").status == 200
    for body, code in [({}, "MissingInput"), ({"name": ""}, "InvalidInput"), ({"name": "x", "color": "red"}, "UnrecognizedInput"),
                       ({"name": 5}, "InvalidInput")]:
        r = jpost(us, "/v1/apps", admin(lic), body)
        assert r.status == 400 and r.json()["errorCode"] == code, (body, r)
    r = us.request("POST", "/v1/apps", headers=dict(admin(lic), **{"Content-Type": "application/json"}), body=b"{bad")
    assert r.status == 400 and r.json()["errorCode"] == "MalformedJson"
    other = L["other"]
    assert jpost(us, f"/v1/apps/{other['apps'][0]}", admin(lic), {"name": "mine now"}, "PATCH").status == 404, \
        "another license's app is not reachable"
    d = us.request("DELETE", f"/v1/apps/{app}", headers=admin(lic))
    assert d.status == 204, d
    check_openapi(st, "DELETE", "/v1/apps/{appId}", d)
    assert us.request("DELETE", f"/v1/apps/{app}", headers=admin(lic)).status == 404
    assert app not in [a["appId"] for a in us.request("GET", "/v1/apps", headers=admin(lic)).json()["apps"]]
    actors = st.psql("ocrgate_catalog", f"SELECT string_agg(DISTINCT actor, ',') FROM audit_log WHERE object_id = '{app}'")
    assert actors == f"admin-key:{lic['licenseId']}", actors
    r = us.request("GET", "/v1/apps", headers=admin(L["eu"]))
    assert r.status == 401 and r.json()["errorCode"] == "WrongRegion", r


def test_analytics_exact_across_nodes(st):
    lic = L["counted"]
    app = lic["apps"][0]
    a, b = st.nodes["US"]
    doc = open(os.path.join(TESTDATA, "phototest.tif"), "rb").read()
    # N successes and M 404s on each node, P jobs of one page each, then K quota rejections.
    for node in (a, b):
        for _ in range(5):
            assert node.request("GET", "/v1/languages", headers=tenant(lic, app)).status == 200
        for _ in range(3):
            assert node.request("GET", f"/v1/jobs/{uuid.uuid4()}", headers=tenant(lic, app)).status == 404
    jobs = []
    for node in (a, b):
        r = node.request("POST", "/v1/jobs?outputs=text", headers=dict(tenant(lic, app), **{"Content-Type": "image/tiff"}), body=doc)
        assert r.status == 201
        jobs.append(r.json()["jobId"])
    # Waited for in the database, not through the API: polling GETs would count against this small quota (and
    # on a slow machine use it up before the jobs finish, so that the wait would read 429s).
    for jid in jobs:
        while st.psql("ocrgate_us", f"SELECT status FROM jobs WHERE job_id = '{jid}'") != "completed":
            time.sleep(0.05)
    # so far: 10 + 6 + 2; the quota (60) is then used up and 4 more calls are refused.
    while True:
        r = a.request("GET", "/v1/languages", headers=tenant(lic, app))
        if r.status == 429:
            break
    for node in (a, b, a):
        assert node.request("GET", "/v1/languages", headers=tenant(lic, app)).status == 429
    deadline = time.time() + 15
    while True:
        r = a.request("GET", f"/v1/apps/{app}/analytics", headers=admin(lic))
        tot = r.json()["totals"]
        if tot["requests"] >= 64 and tot["jobs"]["completed"] == 2 or time.time() > deadline:
            break
        time.sleep(0.5)
    check_openapi(st, "GET", "/v1/apps/{appId}/analytics", r)
    assert tot["responses"]["2xx"] == 60 - 6, tot  # the quota admitted 60: the 6 lookups of unknown jobs were 404s
    assert tot["quotaRejections"] == 4 and tot["responses"]["4xx"] == 6 + 4, tot
    assert tot["requests"] == 60 + 4, tot
    assert tot["jobs"] == {"created": 2, "completed": 2, "failed": 0, "canceled": 0}, tot
    assert tot["pages"] == 2 and tot["errorPages"] == 0 and tot["engineMs"] > 0 and tot["meanConfidence"] > 80, tot
    assert tot["bytesIn"] == 2 * len(doc), tot
    assert 0 < tot["latencyMs"]["p50"] <= tot["latencyMs"]["p95"] <= tot["latencyMs"]["p99"], tot
    series = r.json()["series"]
    assert len(series) == 24 and sum(s["requests"] for s in series) == 64
    d = a.request("GET", f"/v1/apps/{app}/analytics?granularity=day", headers=admin(lic)).json()
    assert d["totals"]["requests"] == 64 and len(d["series"]) == 30
    cli = st.run_cli(["app", "usage", "--license", lic["licenseId"], "--app", app, "--granularity", "day"])
    assert cli["totals"] == d["totals"], (cli["totals"], d["totals"])
    for q in ("?granularity=week", "?from=yesterday", "?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "?bogus=1"):
        assert a.request("GET", f"/v1/apps/{app}/analytics{q}", headers=admin(lic)).status == 400, q
    assert a.request("GET", f"/v1/apps/{uuid.uuid4()}/analytics", headers=admin(lic)).status == 404


def test_templates(st):
    us = st.node("US")
    lic = L["lic"]
    h = tenant(lic)
    body = {"name": "invoices", "outputs": ["text"], "minConfidence": 40, "correlationId": "tpl"}
    r = jpost(us, "/v1/templates", h, body)
    assert r.status == 201 and r.json()["options"]["minConfidence"] == 40, r
    check_openapi(st, "POST", "/v1/templates", r)
    check_openapi_request(st, "POST", "/v1/templates", body)
    tid = r.json()["templateId"]
    assert jpost(us, "/v1/templates", h, {"outputs": ["text"]}).status == 400, "name is required"
    assert jpost(us, "/v1/templates", h, {"name": "x", "bogus": 1}).json()["errorCode"] == "UnrecognizedInput"
    lst = us.request("GET", "/v1/templates", headers=h)
    check_openapi(st, "GET", "/v1/templates", lst)
    assert [t["templateId"] for t in lst.json()["templates"]] == [tid]
    assert us.request("GET", "/v1/templates", headers=tenant(lic, lic["apps"][1])).json()["templates"] == [], "per app"
    p = jpost(us, f"/v1/templates/{tid}", h, {"minConfidence": 10}, "PATCH")
    check_openapi_request(st, "PATCH", "/v1/templates/{id}", {"minConfidence": 10, "name": "invoices-2"})
    assert p.status == 200 and p.json()["options"]["minConfidence"] == 10 and p.json()["options"]["outputs"] == ["text"]
    doc = open(os.path.join(TESTDATA, "phototest.tif"), "rb").read()
    j = us.request("POST", f"/v1/jobs?template={tid}&minConfidence=5", headers=dict(h, **{"Content-Type": "image/tiff"}), body=doc)
    assert j.status == 201, j
    o = j.json()["options"]
    assert o["outputs"] == ["text"] and o["minConfidence"] == 5 and o["correlationId"] == "tpl", o
    missing = us.request("POST", f"/v1/jobs?template={uuid.uuid4()}", headers=dict(h, **{"Content-Type": "image/tiff"}), body=doc)
    assert missing.status == 404
    g = us.request("GET", f"/v1/templates/{tid}", headers=h)
    check_openapi(st, "GET", "/v1/templates/{id}", g)
    assert us.request("DELETE", f"/v1/templates/{tid}", headers=h).status == 204
    assert us.request("GET", f"/v1/templates/{tid}", headers=h).status == 404


def test_json_bodies_bounded(st):
    """JSON bodies over 64 KB are 413 PayloadTooLarge and bodies nested too deep 400 MalformedJson, before any
    parsing, on every route that takes one; nothing is stored."""
    us = st.node("US")
    lic = L["lic"]
    h = tenant(lic)
    big = json.dumps({"description": "x" * 70000}).encode()
    deep = b'{"description": ' + b"[" * 40 + b"]" * 40 + b"}"
    js = dict(h, **{"Content-Type": "application/json"})
    jobs_before = us.request("GET", "/v1/jobs?limit=100", headers=h).json()["jobs"]
    tpls_before = us.request("GET", "/v1/templates", headers=h).json()["templates"]
    apps_before = us.request("GET", "/v1/apps", headers=admin(lic)).json()["apps"]
    doc = open(os.path.join(TESTDATA, "phototest.tif"), "rb").read()
    job = us.request("POST", "/v1/jobs?autostart=false", headers=dict(h, **{"Content-Type": "image/tiff"}), body=doc)
    assert job.status == 201, job
    jid = job.json()["jobId"]
    tid = jpost(us, "/v1/templates", h, {"name": "bounded"}).json()["templateId"]
    app = lic["apps"][1]
    cases = [("POST", "/v1/jobs", js, "/v1/jobs"),
             ("PATCH", f"/v1/jobs/{jid}", js, "/v1/jobs/{id}"),
             ("POST", "/v1/templates", js, "/v1/templates"),
             ("PATCH", f"/v1/templates/{tid}", js, "/v1/templates/{id}"),
             ("POST", "/v1/apps", dict(admin(lic), **{"Content-Type": "application/json"}), "/v1/apps"),
             ("PATCH", f"/v1/apps/{app}", dict(admin(lic), **{"Content-Type": "application/json"}), "/v1/apps/{appId}")]
    for method, path, headers, template in cases:
        r = us.request(method, path, headers=headers, body=big)
        assert r.status == 413 and r.json()["errorCode"] == "PayloadTooLarge", (method, path, r)
        check_openapi(st, method, template, r)
        r = us.request(method, path, headers=headers, body=deep)
        assert r.status == 400 and r.json()["errorCode"] == "MalformedJson", (method, path, r)
    boundary = "b0undary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"options\"\r\n\r\n").encode() + big + \
           (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.tif\"\r\n"
            f"Content-Type: image/tiff\r\n\r\n").encode() + doc + f"\r\n--{boundary}--\r\n".encode()
    r = us.request("POST", "/v1/jobs", headers=dict(h, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}),
                   body=form)
    assert r.status == 413 and r.json()["errorCode"] == "PayloadTooLarge", r
    # Nothing changed: the job keeps its options, no job, template or app appeared or changed.
    after = us.request("GET", f"/v1/jobs/{jid}", headers=h).json()
    assert after["options"] == job.json()["options"], after
    jobs_after = us.request("GET", "/v1/jobs?limit=100", headers=h).json()["jobs"]
    assert [j["jobId"] for j in jobs_after] == [jid] + [j["jobId"] for j in jobs_before]
    tpls = us.request("GET", "/v1/templates", headers=h).json()["templates"]
    assert sorted(t["templateId"] for t in tpls) == sorted([tid] + [t["templateId"] for t in tpls_before])
    assert us.request("GET", "/v1/apps", headers=admin(lic)).json()["apps"] == apps_before
    assert us.request("DELETE", f"/v1/templates/{tid}", headers=h).status == 204
    assert us.request("DELETE", f"/v1/jobs/{jid}", headers=h).status == 204


def test_server_information(st):
    us = st.node("US")
    h = tenant(L["lic"])
    f = us.request("GET", "/v1/formats", headers=h)
    check_openapi(st, "GET", "/v1/formats", f)
    assert "image/tiff" in f.json()["inputs"] and {"format": "pdf", "contentType": "application/pdf", "extension": "pdf"} in f.json()["outputs"]
    s = us.request("GET", "/v1/stats", headers=h)
    check_openapi(st, "GET", "/v1/stats", s)
    assert s.json()["jobsByStatus"]["completed"] + s.json()["jobsByStatus"]["scheduled"] + s.json()["jobsByStatus"]["processing"] >= 1
    l = us.request("GET", "/v1/serverload", headers=h)
    check_openapi(st, "GET", "/v1/serverload", l)
    assert l.json()["workers"] == 1 and 0 <= l.json()["loadPercent"] <= 100


def test_metrics_listener(st):
    us = st.node("US")
    port = us.extra["metrics_port"]
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for name in ("ocrgate_http_responses_total{class=\"2xx\"}", "ocrgate_http_request_duration_seconds_bucket",
                 "ocrgate_queue_depth", "ocrgate_jobs{state=\"completed\"}", "ocrgate_pages_total",
                 "ocrgate_workers_busy", "ocrgate_catalog_cache_hits_total", "ocrgate_database_errors_total"):
        assert name in body, name
    ok2xx = int([l for l in body.splitlines() if l.startswith('ocrgate_http_responses_total{class="2xx"}')][0].split()[-1])
    assert ok2xx > 10
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=5)
        assert False, "the metrics listener serves the API"
    except urllib.error.HTTPError as e:
        assert e.code == 404
    with socket.socket() as s:  # loopback only
        s.settimeout(1)
        addrs = [a for a in os.popen("hostname -I").read().split() if ":" not in a]
        if addrs:
            assert s.connect_ex((addrs[0], port)) != 0


def _metrics_jobs(st):
    port = st.node("US").extra["metrics_port"]
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {l.split('"')[1]: int(l.split()[-1]) for l in body.splitlines() if l.startswith("ocrgate_jobs{state=")}


def _table_jobs(st):
    rows = st.psql("ocrgate_us", "SELECT status, count(*) FROM jobs WHERE purged_at IS NULL GROUP BY status")
    got = {s: 0 for s in ("created", "scheduled", "processing", "completed", "failed", "canceled")}
    got.update({l.split("|")[0]: int(l.split("|")[1]) for l in rows.splitlines()})
    return got


def _wait_db(st, sql, expected, what):
    deadline = time.time() + 120
    while st.psql("ocrgate_us", sql) != expected:
        assert time.time() < deadline, what
        time.sleep(0.05)


def test_metrics_jobs_by_state_are_the_table_s(st):
    """ocrgate_jobs{state} reads no finished job's row (region migration 015) and still says what a count over
    the table says, for every state, through job ends, a delete and a purge, before and after the node folds the
    counts."""
    us = st.node("US")
    lic, h = L["other"], tenant(L["other"])
    doc = open(os.path.join(TESTDATA, "phototest.tif"), "rb").read()

    def create(query, body, ctype="image/tiff"):
        r = us.request("POST", "/v1/jobs" + query, headers=dict(h, **{"Content-Type": ctype}), body=body)
        assert r.status == 201, r
        return r.json()["jobId"]

    done = [create("?outputs=text", doc) for _ in range(2)]
    failed = [create("", b"%PDF-1.4\n" + b"x" * 200, "application/pdf") for _ in range(2)]
    waiting = [create("?autostart=false", doc) for _ in range(3)]
    r = us.request("POST", f"/v1/jobs/{waiting[0]}/cancel", headers=h)
    assert r.status == 200, r
    _wait_db(st, "SELECT count(*) FROM jobs WHERE status IN ('scheduled', 'processing')", "0", "jobs still running")
    before = _table_jobs(st)
    assert before["completed"] >= 2 and before["failed"] >= 2 and before["canceled"] >= 1 and before["created"] >= 2, before
    assert _metrics_jobs(st) == before
    # A deleted job and a purged one (as the retention sweep marks it) leave their state at once.
    assert us.request("DELETE", f"/v1/jobs/{done[0]}", headers=h).status == 204
    st.psql("ocrgate_us", f"UPDATE jobs SET purged_at = now() WHERE job_id IN ('{failed[0]}', '{waiting[1]}')")
    after = _table_jobs(st)
    assert (after["completed"], after["failed"], after["created"]) == (before["completed"] - 1, before["failed"] - 1,
                                                                     before["created"] - 1), (before, after)
    assert _metrics_jobs(st) == after
    # Once folded the totals alone hold the final states.
    _wait_db(st, "SELECT count(*) FROM job_final_deltas", "0", "the counts were not folded")
    assert _metrics_jobs(st) == after
    totals = st.psql("ocrgate_us", "SELECT string_agg(status || '=' || n, ',' ORDER BY status) FROM job_final_totals")
    assert totals == f"canceled={after['canceled']},completed={after['completed']},failed={after['failed']}", totals


def test_metrics_pass_promtool(st):
    # Every metric has HELP and TYPE and the exposition is well formed, on every node (lint problems fail too).
    for n in st.nodes["US"]:
        body = urllib.request.urlopen(f"http://127.0.0.1:{n.extra['metrics_port']}/metrics", timeout=5).read()
        p = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
        assert p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(), (n.name, p.stdout, p.stderr)
        types = {l.split()[2] for l in body.decode().splitlines() if l.startswith("# TYPE ")}
        helps = {l.split()[2] for l in body.decode().splitlines() if l.startswith("# HELP ")}
        assert types == helps, (n.name, types ^ helps)


def test_portal_headers(st):
    r = st.node("US").request("GET", "/portal/")
    assert r.status == 200 and r.header("content-type").startswith("text/html"), r
    assert "frame-ancestors 'none'" in r.header("content-security-policy") and r.header("x-frame-options") == "DENY"
    assert st.node("US").request("GET", "/portal").status == 308
    assert st.node("US").request("GET", "/portal/nothing.js").status == 404


def _start():
    st = Stack(nodes={"US": 2, "EU": 1}, node_cfg={"US": {"metrics_port": "free-port"}}, name="admin").start()
    L["lic"] = st.seed_license("US", apps=2, name="admin")
    L["other"] = st.seed_license("US", apps=1, name="other")
    L["eu"] = st.seed_license("EU", apps=1, name="eu")
    st.run_cli(["tier", "create", "--name", "q60", "--hourly-quota", "60"])
    L["counted"] = st.seed_license("US", tier="q60", apps=1, name="counted")
    return st


if __name__ == "__main__":
    run([test_app_management, test_analytics_exact_across_nodes, test_templates, test_json_bodies_bounded,
         test_server_information, test_metrics_listener, test_metrics_jobs_by_state_are_the_table_s,
         test_metrics_pass_promtool, test_portal_headers], _start)
