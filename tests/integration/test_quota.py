"""The hourly quota: exact across two gateway nodes under 64 concurrent clients, headers that count down,
Retry-After to the end of the UTC hour, a window that resets, and 503 (not a free pass) while the region
database is down."""
import threading
import time
import uuid

from harness import Stack, admin, check_openapi, run, tenant

Q = 500


def counted(st, node, lic, conn=None):
    return node.request("GET", "/v1/languages", headers=tenant(lic), conn=conn)


def test_exact_across_two_nodes(st):
    st.run_cli(["tier", "create", "--name", "q500", "--hourly-quota", str(Q)])
    lic = st.seed_license("US", tier="q500", apps=2, name="quota")
    nodes = st.nodes["US"]
    assert len(nodes) == 2
    results, lock = [], threading.Lock()

    def client(i):
        node = nodes[i % 2]
        conn = node.connect()
        mine = []
        for _ in range(12):
            r = node.request("GET", "/v1/languages", headers=tenant(lic, lic["apps"][i % 2]), conn=conn)
            mine.append((time.time(), r))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 64 * 12
    ok = [r for _, r in results if r.status != 429]
    refused = [(t, r) for t, r in results if r.status == 429]
    assert all(r.status == 200 for r in ok), {r.status for r in ok}
    assert len(ok) <= Q, f"{len(ok)} admitted, quota {Q}"
    # A loop thread whose clients stopped may still hold a few leased units; it gives them back after 2 s
    # idle, and then they are admitted like any other: the window ends with exactly Q admitted, never more.
    deadline = time.time() + 60
    while len(ok) < Q and time.time() < deadline:
        for node in nodes:
            r = counted(st, node, lic)
            if r.status == 200:
                ok.append(r)
            else:
                assert r.status == 429, r
        time.sleep(0.2)
    assert len(ok) == Q, f"{len(ok)} admitted, quota {Q}"
    for node in nodes:
        assert counted(st, node, lic).status == 429
    # Every admitted request saw a distinct remaining count: the counter never skipped or repeated.
    remaining = sorted(int(r.header("x-ratelimit-remaining")) for r in ok)
    assert remaining == list(range(Q)), remaining[:10]
    for r in ok:
        assert r.header("x-ratelimit-limit") == str(Q)
        assert r.header("ratelimit-policy") == f'"hourly";q={Q};w=3600'
        assert r.header("ratelimit").startswith(f'"hourly";r={r.header("x-ratelimit-remaining")};t=')
    for t, r in refused:
        j = r.json()
        assert j["errorCode"] == "QuotaExceeded" and j["limit"] == Q, j
        left = 3600 - int(t) % 3600
        assert abs(int(r.header("retry-after")) - left) <= 1, (r.header("retry-after"), left)
        assert int(r.header("x-ratelimit-reset")) % 3600 == 0
        assert r.header("x-ratelimit-remaining") == "0"
    check_openapi(st, "GET", "/v1/languages", refused[0][1])
    window = st.psql("ocrgate_us", "SELECT used FROM quota_windows WHERE license_id = '%s'" % lic["licenseId"])
    assert window == str(Q), window
    u = nodes[1].request("GET", "/v1/usage", headers=admin(lic)).json()
    assert u["used"] == Q and u["remaining"] == 0, u
    shown = st.run_cli(["license", "show", "--license", lic["licenseId"]])
    assert shown["quotaWindow"]["used"] == Q and shown["quotaWindow"]["remaining"] == 0, shown


def test_usage_is_read_fresh(st):
    """GET /v1/usage reads the window every time: calls counted on another node a moment ago are in it (a
    peek's cached window, up to a second old, would miss them)."""
    st.run_cli(["tier", "create", "--name", "q10", "--hourly-quota", "10"])
    lic = st.seed_license("US", tier="q10", apps=1, name="usage fresh")
    n0, n1 = st.nodes["US"]
    conn = n1.connect()  # one keep-alive connection: the same loop thread of node 1 answers both reads
    first = n1.request("GET", "/v1/usage", headers=admin(lic), conn=conn)
    assert first.status == 200 and first.json()["used"] == 0, first
    for _ in range(3):
        assert counted(st, n0, lic).status == 200
    # With a quota of 10 every lease is one unit, so the database holds exactly what was admitted.
    u = n1.request("GET", "/v1/usage", headers=admin(lic), conn=conn)
    conn.close()
    assert u.status == 200 and u.json()["used"] == 3 and u.json()["remaining"] == 7, u
    check_openapi(st, "GET", "/v1/usage", u)


def test_not_counted(st):
    lic = st.seed_license("US", apps=1, name="not counted")
    us, eu = st.node("US"), st.node("EU")
    for _ in range(3):
        assert us.request("GET", "/v1/licenses", headers=tenant(lic)).status == 200
        assert eu.request("GET", "/v1/licenses", headers=tenant(lic)).status == 200
        assert us.request("GET", "/v1/health").status == 200
        assert us.request("GET", "/v1/languages", headers={"X-License-Id": lic["licenseId"],
                                                           "X-App-Id": "00000000-0000-4000-8000-000000000000"}).status == 401
    r = counted(st, us, lic)
    assert r.header("x-ratelimit-remaining") == "999", r.headers
    for _ in range(3):
        assert us.request("GET", "/v1/licenses", headers=tenant(lic)).status == 200
    r = counted(st, us, lic)
    assert r.header("x-ratelimit-remaining") == "998", "discovery calls were counted"
    # Discovery shows the window without counting; its headers may lag counted calls by up to a second.
    time.sleep(1.1)
    r = us.request("GET", "/v1/licenses", headers=tenant(lic))
    assert r.header("x-ratelimit-remaining") == "998", r.headers


def test_window_reset(st):
    # A node whose clock (test_clock_offset_s) stands 20 s before the top of the hour (room for a slow,
    # sanitized start); the 429 says how long to wait, and after that the window has reset.
    node = st.nodes["EU"][0]
    st.run_cli(["tier", "create", "--name", "q2", "--hourly-quota", "2"])
    lic = st.seed_license("EU", tier="q2", apps=1, name="reset", )
    now = int(time.time())
    offset = (3600 - now % 3600) - 20
    node.stop()
    node.extra["test_clock_offset_s"] = offset
    node.start()
    assert counted(st, node, lic).status == 200
    assert counted(st, node, lic).status == 200
    r = counted(st, node, lic)
    assert r.status == 429, r
    wait = int(r.header("retry-after"))
    assert 1 <= wait <= 20, wait
    time.sleep(wait + 0.5)
    r = counted(st, node, lic)
    assert r.status == 200 and r.header("x-ratelimit-remaining") == "1", r
    assert int(r.header("retry-after") or 0) == 0


def test_database_down_then_back(st):
    lic = st.seed_license("US", apps=1, name="outage")
    node = st.nodes["US"][0]
    assert counted(st, node, lic).status == 200  # warms the credential cache
    st.pg_stop()
    seen = set()
    for _ in range(20):
        r = counted(st, node, lic)
        seen.add(r.status)
        if r.status == 503:
            assert r.json()["errorCode"] == "Unavailable" and int(r.header("retry-after")) >= 1, r
            check_openapi(st, "GET", "/v1/languages", r)
    assert seen == {503}, seen
    deadline = time.time() + 3  # health reflects a check made at most once a second
    while (h := node.request("GET", "/v1/health")).status == 200 and time.time() < deadline:
        time.sleep(0.1)
    assert h.status == 503 and h.header("retry-after") and h.json()["database"] == "unavailable", h
    st.pg_start()
    deadline = time.time() + 15
    while time.time() < deadline and counted(st, node, lic).status != 200:
        time.sleep(0.1)
    assert counted(st, node, lic).status == 200
    assert node.proc.poll() is None


def test_refused_create_leaves_no_idempotency_key(st):
    st.run_cli(["tier", "create", "--name", "q1", "--hourly-quota", "1"])
    lic = st.seed_license("US", tier="q1", apps=1, name="idem")
    node = st.node("US")
    hdrs = dict(tenant(lic), **{"Content-Type": "application/json"})
    assert counted(st, node, lic).status == 200
    key = dict(hdrs, **{"Idempotency-Key": "k-" + uuid.uuid4().hex})
    r = node.request("POST", "/v1/jobs", headers=key, body=b'{"autostart": false}')
    assert r.status == 429 and r.json()["errorCode"] == "QuotaExceeded", r
    left = st.psql("ocrgate_us", "SELECT count(*) FROM idempotency_keys WHERE key = '%s'" % key["Idempotency-Key"])
    assert left == "0", "a refused request left its key behind"
    st.run_cli(["tier", "set", "--name", "q1", "--hourly-quota", "5"])
    # The new quota reaches the node's credential cache by NOTIFY: until then the retry may still get 429.
    deadline = time.time() + 10
    r = node.request("POST", "/v1/jobs", headers=key, body=b'{"autostart": false}')
    while r.status == 429 and time.time() < deadline:
        time.sleep(0.1)
        r = node.request("POST", "/v1/jobs", headers=key, body=b'{"autostart": false}')
    assert r.status == 201, r
    check_openapi(st, "POST", "/v1/jobs", r)
    job = r.json()["jobId"]
    assert node.request("GET", "/v1/jobs/" + job, headers=tenant(lic)).status == 200
    again = node.request("POST", "/v1/jobs", headers=key, body=b'{"autostart": false}')
    assert again.status == 200 and again.json()["jobId"] == job, again


def _start():
    return Stack(nodes={"US": 2, "EU": 1}, name="quota").start()


if __name__ == "__main__":
    run([test_exact_across_two_nodes, test_not_counted, test_window_reset, test_database_down_then_back,
         test_refused_create_leaves_no_idempotency_key, test_usage_is_read_fresh], _start)
