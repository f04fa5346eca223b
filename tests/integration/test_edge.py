"""The HTTPS edge: public endpoints, errors, request ids, plain-HTTP refusal, TLS floor, body limit, drain on
SIGTERM, and survival of malformed traffic."""
import json
import os
import random
import signal
import socket
import ssl
import time

from harness import Stack, check_openapi, run


def test_public_endpoints(st):
    us, eu = st.node("US"), st.node("EU")
    h = us.request("GET", "/v1/health")
    assert h.status == 200 and h.json()["region"] == "US" and h.json()["database"] == "ok", h
    check_openapi(st, "GET", "/v1/health", h)
    assert eu.request("GET", "/v1/health").json()["region"] == "EU"
    v = us.request("GET", "/v1/version")
    assert v.status == 200 and v.json()["name"] == "ocrgate" and v.json()["engine"].startswith("tesseract 5"), v
    check_openapi(st, "GET", "/v1/version", v)
    r = us.request("GET", "/v1/regions")
    assert r.json() == [{"code": "US", "endpoint": us.url}, {"code": "EU", "endpoint": eu.url}], r
    check_openapi(st, "GET", "/v1/regions", r)
    o = us.request("GET", "/v1/openapi.json")
    assert o.status == 200 and o.json()["openapi"].startswith("3."), o
    for resp in (h, v, r, o):
        assert resp.header("content-length") is not None and resp.header("transfer-encoding") is None
        assert resp.header("x-request-id")


def test_error_bodies(st):
    us = st.node("US")
    r = us.request("GET", "/v1/nothing-here")
    assert r.status == 404 and r.json()["errorCode"] == "NoSuchEndpoint", r
    assert r.json()["requestId"] == r.header("x-request-id")
    r = us.request("DELETE", "/v1/health")
    assert r.status == 405 and r.json()["errorCode"] == "MethodNotAllowed" and r.header("allow") == "GET", r
    r = us.request("GET", "/v1/health/../../v1/version")  # normalized by the server, never escapes
    assert r.status == 200 and r.json()["name"] == "ocrgate"


def test_request_id(st):
    us = st.node("US")
    r = us.request("GET", "/v1/health", headers={"X-Request-Id": "client-abc.123"})
    assert r.header("x-request-id") == "client-abc.123"
    r = us.request("GET", "/v1/health", headers={"X-Request-Id": "bad id with spaces"})
    rid = r.header("x-request-id")
    assert rid and rid != "bad id with spaces" and len(rid) == 32
    r2 = us.request("GET", "/v1/health")
    assert r2.header("x-request-id") != rid
    log = open(os.path.join(st.dir, "us0-access.log")).read()
    assert '"requestId":"client-abc.123"' in log and '"path":"/v1/health"' in log


def test_plain_http_refused(st):
    us = st.node("US")
    s = socket.create_connection(("127.0.0.1", us.http_port))
    s.sendall(b"GET /v1/licenses HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, body = data.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 403"), head
    assert b"location:" not in head.lower()
    assert b'"errorCode":"HttpsRequired"' in body


def test_tls_floor(st):
    us = st.node("US")
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname = False
    old.verify_mode = ssl.CERT_NONE
    old.set_ciphers("ALL:@SECLEVEL=0")
    old.minimum_version = ssl.TLSVersion.TLSv1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    refused = False
    try:
        with socket.create_connection(("127.0.0.1", us.https_port)) as s:
            with old.wrap_socket(s, server_hostname="localhost"):
                pass
    except (ssl.SSLError, ConnectionResetError):
        refused = True
    assert refused, "TLS 1.1 handshake succeeded"
    # The same client allowed TLS 1.2 connects: the refusal above is about the version, not the client.
    old.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", us.https_port)) as s:
        with old.wrap_socket(s, server_hostname="localhost") as t:
            assert t.version() == "TLSv1.2"


def test_body_over_limit(st):
    us = st.node("US")  # max_request_body = 1MB in this stack
    raw = socket.create_connection(("127.0.0.1", us.https_port))
    s = st.ssl_context().wrap_socket(raw, server_hostname="localhost")
    # Headers only: the limit is enforced from Content-Length before any of the body is read (a client still
    # sending would only see the connection close under it).
    s.sendall(b"POST /v1/regions HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
              b"Content-Length: 2097152\r\n\r\n")
    s.settimeout(10)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ssl.SSLError, OSError):
        pass
    s.close()
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert us.proc.poll() is None
    assert us.request("GET", "/v1/health").status == 200


def raw_exchange(st, node, data, timeout=10):
    """Sends raw bytes over TLS and reads until the server closes (or the timeout): (bytes, closed)."""
    raw = socket.create_connection(("127.0.0.1", node.https_port))
    s = st.ssl_context().wrap_socket(raw, server_hostname="localhost")
    s.sendall(data)
    s.settimeout(timeout)
    out, closed = b"", False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            out += chunk
    except socket.timeout:
        pass
    except (ssl.SSLError, OSError):
        closed = True
    s.close()
    return out, closed


def test_ambiguous_framing_refused(st):
    us = st.node("US")
    second = b"GET /v1/version HTTP/1.1\r\nHost: localhost\r\n\r\n"
    cases = [
        ("Content-Length with Transfer-Encoding",
         b"POST /v1/regions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"0\r\n\r\n" + second),
        ("Transfer-Encoding before Content-Length",
         b"POST /v1/regions HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
         b"0\r\n\r\n" + second),
        ("two different Content-Length values",
         b"POST /v1/regions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\n"
         b"hello" + second),
        ("duplicate Host", b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n" + second),
        ("HTTP/1.1 without Host", b"GET /v1/health HTTP/1.1\r\n\r\n" + second),
    ]
    for what, data in cases:
        out, closed = raw_exchange(st, us, data)
        assert out.startswith(b"HTTP/1.1 400"), (what, out[:300])
        head, _, body = out.partition(b"\r\n\r\n")
        assert b"connection: close" in head.lower(), (what, head)
        assert closed, (what, "the connection stayed open")
        assert out.lower().count(b"x-request-id:") == 1, (what, "a second request ran", out)
        length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
        j = json.loads(body[:length])
        assert j["errorCode"] == "InvalidInput" and j["requestId"], (what, j)
    # Unambiguous framing still works, pipelined requests included; HTTP/1.0 needs no Host.
    ok = (b"POST /v1/regions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"
          + second.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
    out, _ = raw_exchange(st, us, ok)
    assert out.lower().count(b"x-request-id:") == 2 and b"HTTP/1.1 400" not in out, out[:400]
    out, _ = raw_exchange(st, us, b"GET /v1/health HTTP/1.0\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200"), out[:200]
    assert us.proc.poll() is None


def test_survives_malformed_requests(st):
    us = st.node("US")
    rnd = random.Random(7)
    ctx = st.ssl_context()
    payloads = [
        lambda: bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300))),
        lambda: b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70000 + b"\r\n\r\n",
        lambda: b"POST /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial",
        lambda: b"POST /v1/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        lambda: b"GET /v1/health HTTP/9.9\r\n\r\n",
        lambda: b"\x00\x01\x02 / HTTP/1.1\r\n\r\n",
        lambda: b"GET /v1/%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    for i in range(1000):
        data = payloads[i % len(payloads)]()
        try:
            raw = socket.create_connection(("127.0.0.1", us.https_port), timeout=5)
            if i % 10 == 9:
                raw.sendall(data)  # not even TLS
            else:
                s = ctx.wrap_socket(raw, server_hostname="localhost")
                s.sendall(data)
                raw = s
            raw.settimeout(0.05)
            try:
                raw.recv(4096)
            except (socket.timeout, ssl.SSLError, OSError):
                pass
            raw.close()
        except (ssl.SSLError, OSError):
            pass
    assert us.proc.poll() is None, "gateway died"
    assert us.request("GET", "/v1/health").status == 200


def test_sigterm_drains_inflight_request(st):
    eu = st.node("EU")
    raw = socket.create_connection(("127.0.0.1", eu.https_port))
    s = st.ssl_context().wrap_socket(raw, server_hostname="localhost")
    body = b'{"x":1}' * 10
    s.sendall(b"POST /v1/regions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:20])
    time.sleep(0.3)
    eu.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert eu.proc.poll() is None, "exited with a request still in flight"
    s.sendall(body[20:])
    data = b""
    s.settimeout(10)
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"HTTP/1.1 405"), data[:200]
    s.close()
    assert eu.proc.wait(20) == 0
    # A new connection is refused once it is gone.
    try:
        socket.create_connection(("127.0.0.1", eu.https_port), timeout=2).close()
        assert False, "still accepting"
    except OSError:
        pass


def _start():
    return Stack(node_cfg={"US": {"max_request_body": "1MB"}}, name="edge").start()


if __name__ == "__main__":
    run([test_public_endpoints, test_error_bodies, test_request_id, test_plain_http_refused, test_tls_floor,
         test_body_over_limit, test_ambiguous_framing_refused, test_survives_malformed_requests, test_sigterm_drains_inflight_request],
        _start)
