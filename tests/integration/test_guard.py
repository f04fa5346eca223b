"""Limits that keep one client address from hurting the others before anyone is authenticated: connections
per address and per node at accept, the body a request without credentials may carry, and catalog look-ups of
unknown credentials per address and second. The gateway runs with few file descriptors, so that a flood of
connections from one address would exhaust them without the per-address cap. The attacker is 127.0.0.1, the
tenant 127.0.0.2 (both loopback)."""
import http.client
import resource
import socket
import ssl
import threading
import urllib.request
import uuid

from harness import Stack, check_openapi, run, tenant

L = {}
PER_ADDRESS = 32
HELD = 300  # more than the gateway's descriptors allow (FD_LIMIT), far more than PER_ADDRESS


def from_address(st, node, addr):
    return http.client.HTTPSConnection("localhost", node.https_port, context=st.ssl_context(), timeout=20,
                                       source_address=(addr, 0))


def metric(st, name):
    port = st.node("US").extra["metrics_port"]
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            if line.rsplit(" ", 1)[0] == name or line.startswith(name + " "):
                return float(line.rsplit(" ", 1)[1])
    return None


def metric_line(st, prefix):
    port = st.node("US").extra["metrics_port"]
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    return [float(l.rsplit(" ", 1)[1]) for l in body.splitlines() if l.startswith(prefix)]


def test_held_uploads_do_not_starve_other_addresses(st):
    us = st.node("US")
    ctx = st.ssl_context()
    held, refused = [], 0
    head = (b"POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/tiff\r\n"
            b"Content-Length: 10000000\r\n\r\n")
    for _ in range(HELD):
        try:
            raw = socket.create_connection(("127.0.0.1", us.https_port), timeout=10, source_address=("127.0.0.1", 0))
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            s.sendall(head + b"\0" * 65536)  # a large unauthenticated upload that never finishes
            held.append(s)
        except (OSError, ssl.SSLError):
            refused += 1
    try:
        # While those uploads are held, a tenant from another address is served.
        c = from_address(st, us, "127.0.0.2")
        for _ in range(5):
            c.request("GET", "/v1/languages", headers=tenant(L["lic"]))
            r = c.getresponse()
            body = r.read()
            assert r.status == 200, (r.status, body)
        c.close()
        assert len(held) <= PER_ADDRESS, (refused, len(held))
        counts = metric_line(st, 'ocrgate_connections_refused_total{cap="address"}')
        assert counts and counts[0] >= HELD - PER_ADDRESS, counts
    finally:
        for s in held:
            s.close()


def test_unauthenticated_body_limit(st):
    us = st.node("US")
    before = metric(st, "ocrgate_unauthenticated_bodies_refused_total")
    c = from_address(st, us, "127.0.0.2")
    c.request("POST", "/v1/jobs", body=b"\0" * 100000, headers={"Content-Type": "image/tiff"})
    r = c.getresponse()
    body = r.read()
    assert r.status == 401 and b"InvalidCredentials" in body, (r.status, body)
    assert r.getheader("www-authenticate") == 'Basic realm="ocrgate"'
    assert r.getheader("connection") == "close", r.getheaders()
    c.close()
    assert metric(st, "ocrgate_unauthenticated_bodies_refused_total") == before + 1
    # A small body without credentials is an ordinary 401 on a connection that stays open.
    c = from_address(st, us, "127.0.0.2")
    c.request("POST", "/v1/jobs", body=b"{}", headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 401 and r.getheader("connection") != "close", r.getheaders()
    # With credentials the same large body is the tenant's business (here: not a document).
    c.request("POST", "/v1/jobs", body=b"\0" * 100000, headers=dict(tenant(L["lic"]), **{"Content-Type": "image/tiff"}))
    r = c.getresponse()
    r.read()
    assert r.status == 415, r.status
    c.close()


def test_unknown_credential_lookups_capped(st):
    us = st.node("US")
    statuses, lock = [], threading.Lock()

    def prober():
        c = from_address(st, us, "127.0.0.1")
        mine = []
        for _ in range(20):
            c.request("GET", "/v1/languages", headers={"X-License-Id": str(uuid.uuid4()), "X-App-Id": str(uuid.uuid4())})
            r = c.getresponse()
            body = r.read()
            mine.append((r.status, r.getheader("retry-after"), body))
        c.close()
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=prober) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {s for s, _, _ in statuses} <= {401, 503}, {s for s, _, _ in statuses}
    capped = [(s, ra, b) for s, ra, b in statuses if s == 503]
    assert capped and all(ra == "1" and b"Unavailable" in b for _, ra, b in capped), statuses[:5]
    # Another address is not held back by the prober's cap: a first (uncached) look-up of a real pair.
    lic = st.seed_license("US", apps=1, name="other address")
    c = from_address(st, us, "127.0.0.2")
    c.request("GET", "/v1/languages", headers=tenant(lic))
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
    c.close()
    assert metric(st, "ocrgate_catalog_lookups_refused_total") == len(capped)


FD_LIMIT = 256


def _start():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # The gateway (and its PostgreSQL) inherit a small descriptor limit; this process gets its own back.
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, hard))
    try:
        st = Stack(nodes={"US": 1}, node_cfg={"US": {
            "max_connections_per_address": PER_ADDRESS, "unknown_lookups_per_address": 5,
            "unauthenticated_body_limit": "64kB", "metrics_port": "free-port"}}, name="guard").start()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    L["lic"] = st.seed_license("US", apps=1, name="guarded")
    return st


if __name__ == "__main__":
    run([test_held_uploads_do_not_starve_other_addresses, test_unauthenticated_body_limit,
         test_unknown_credential_lookups_capped], _start)
