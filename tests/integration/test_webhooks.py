"""Webhooks: the endpoints API, and deliveries to a receiver on loopback that checks every one of them with the
reference verifier of the Standard Webhooks specification (npm `standardwebhooks`, pinned in tests/webhooks/),
never with ocrgate's code. Two US nodes share the outbox (private and plain-http targets allowed, retries
scaled down to a first one of 50 ms); the EU node keeps the production defaults (https only, no private
targets)."""
import json
import os
import signal
import subprocess
import time
import urllib.request

from harness import (SRC, Stack, admin, check_openapi, check_openapi_request, free_port, npm_ci, run, tenant,
                     testdata, wait_job_until)

L = {}
RECEIVER_DIR = os.path.join(SRC, "tests", "webhooks")
EVENTS = ["job.completed", "job.failed", "job.canceled"]


# --- the receiver ---

class Receiver:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["node", os.path.join(RECEIVER_DIR, "receiver.mjs"), str(self.port)],
                                     cwd=RECEIVER_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("ready"), line
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/hook/{name}"

    def control(self, name, **kw):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/control/{name}", data=json.dumps(kw).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()

    def state(self, name):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/control/{name}", timeout=10) as r:
            return json.loads(r.read())

    def log(self, name):
        return self.state(name)["log"]

    def wait(self, name, until, timeout=60, what="the awaited deliveries"):
        deadline = time.time() + timeout
        log = []
        while time.time() < deadline:
            log = self.log(name)
            if until(log):
                return log
            time.sleep(0.05)
        raise AssertionError(f"{name}: not {what} within {timeout}s; got {log}")


def answered_ok(log):
    return [e for e in log if e["answered"] is not None and 200 <= e["answered"] < 300]


def assert_verified(log, n_secrets=1):
    for e in log:
        assert e["verified"] == [True] * n_secrets, f"a delivery the reference verifier refused: {e}"
        assert e["contentType"] == "application/json", e


# --- the API ---

def us(i=0):
    return L["st"].node("US", i)


def api(method, path, body=None, lic=None, node=None, expect=None, template=None):
    lic = lic or L["lic"]
    node = node or us()
    h = admin(lic)
    data = None
    if body is not None:
        h["Content-Type"] = "application/json"
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    r = node.request(method, path, headers=h, body=data)
    if expect is not None:
        assert r.status == expect, r
    if template is not None:
        check_openapi(L["st"], method, template, r)
    return r


def hooks_path(app=None, lic=None):
    lic = lic or L["lic"]
    return f"/v1/apps/{app or lic['apps'][0]}/webhooks"


def create_endpoint(url, events=None, app=None, lic=None, node=None):
    body = {"url": url}
    if events is not None:
        body["events"] = events
    r = api("POST", hooks_path(app, lic), body, lic=lic, node=node, expect=201,
            template="/v1/apps/{appId}/webhooks")
    check_openapi_request(L["st"], "POST", "/v1/apps/{appId}/webhooks", body)
    return r.json()


def delete_endpoint(ep, lic=None):
    api("DELETE", f"{hooks_path(ep['appId'], lic)}/{ep['webhookId']}", lic=lic, expect=204,
        template="/v1/apps/{appId}/webhooks/{id}")


def deliveries(ep, lic=None, node=None):
    r = api("GET", f"{hooks_path(ep['appId'], lic)}/{ep['webhookId']}/deliveries", lic=lic, node=node, expect=200,
            template="/v1/apps/{appId}/webhooks/{id}/deliveries")
    return r.json()["deliveries"]


def wait_deliveries(ep, n, timeout=30, lic=None, node=None):
    """The endpoint's attempts once there are at least n (a node records an attempt just after its answer)."""
    deadline = time.time() + timeout
    d = []
    while time.time() < deadline:
        d = deliveries(ep, lic=lic, node=node)
        if len(d) >= n:
            return d
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} attempts within {timeout}s: {d}")


def endpoint_now(ep, lic=None):
    r = api("GET", hooks_path(ep["appId"], lic), lic=lic, expect=200, template="/v1/apps/{appId}/webhooks")
    return next(w for w in r.json()["webhooks"] if w["webhookId"] == ep["webhookId"])


def send_test(ep, lic=None, expect=202):
    r = api("POST", f"{hooks_path(ep['appId'], lic)}/{ep['webhookId']}/test", lic=lic, expect=expect,
            template="/v1/apps/{appId}/webhooks/{id}/test")
    return r.json().get("messageId")


def outbox(ep):
    """The endpoint's messages in the outbox, oldest first, as "type jobId" (test messages: "type -")."""
    out = L["st"].psql("ocrgate_us", "SELECT event_type || ' ' || coalesce(payload->'data'->>'jobId', '-')"
                       f" FROM webhook_messages WHERE endpoint_id = '{ep['webhookId']}' ORDER BY created_at")
    return out.splitlines()


def msg_row(message_id):
    return L["st"].psql("ocrgate_us", f"SELECT status, attempts, coalesce(locked_by, '') FROM webhook_messages"
                        f" WHERE message_id = '{message_id}'").split("|")


# --- jobs that end each way ---

def job_completed(app):
    h = dict(tenant(L["lic"], app))
    h["Content-Type"] = "image/tiff"
    r = us().request("POST", "/v1/jobs?outputs=text", headers=h, body=testdata("phototest.tif"))
    assert r.status == 201, r
    return r.json()["jobId"]


def job_failed(app):
    # A PDF by its bytes that no PDF reader can open: accepted at upload, failed by the worker.
    h = dict(tenant(L["lic"], app))
    h["Content-Type"] = "application/pdf"
    r = us().request("POST", "/v1/jobs?outputs=text", headers=h, body=b"%PDF-1.4\n" + b"\x00broken" * 200)
    assert r.status == 201, r
    return r.json()["jobId"]


def job_canceled(app):
    h = dict(tenant(L["lic"], app))
    h["Content-Type"] = "application/json"
    r = us().request("POST", "/v1/jobs", headers=h, body=b'{"outputs": ["text"]}')
    assert r.status == 201, r
    job = r.json()["jobId"]
    r = us().request("POST", f"/v1/jobs/{job}/cancel", headers=tenant(L["lic"], app))
    assert r.status == 200, r
    return job


# --- tests ---

def test_endpoints_api(st):
    lic = L["lic"]
    rc = L["rc"]
    ep = create_endpoint(rc.url("crud"))
    assert ep["secret"].startswith("whsec_") and len(ep["secret"]) == 50, ep
    assert ep["events"] == EVENTS and ep["enabled"] is True and ep["disabledReason"] is None, ep
    listed = api("GET", hooks_path(), expect=200, template="/v1/apps/{appId}/webhooks").json()["webhooks"]
    assert [w["webhookId"] for w in listed] == [ep["webhookId"]], listed
    assert "secret" not in json.dumps(listed), "a secret in the list"
    path = f"{hooks_path()}/{ep['webhookId']}"
    r = api("PATCH", path, {"events": ["job.failed", "job.completed", "job.failed"], "enabled": False}, expect=200,
            template="/v1/apps/{appId}/webhooks/{id}")
    assert r.json()["events"] == ["job.completed", "job.failed"] and r.json()["enabled"] is False, r
    assert "secret" not in r.json()
    send_test(ep, expect=409)
    r = api("PATCH", path, {"url": rc.url("crud2"), "enabled": True}, expect=200)
    assert r.json()["url"] == rc.url("crud2") and r.json()["enabled"] is True, r
    # bad input changes nothing
    for body, code in [({"url": "ftp://example.com/x"}, "InvalidInput"), ({"events": []}, "InvalidInput"),
                       ({"events": ["job.done"]}, "InvalidInput"), ({"enabled": "yes"}, "InvalidInput"),
                       ({"secret": "whsec_x"}, "UnrecognizedInput"), (b"{not json", "MalformedJson"),
                       ({"url": "https://user:pw@example.com/"}, "InvalidInput")]:
        r = api("PATCH", path, body, template="/v1/apps/{appId}/webhooks/{id}")
        assert r.status == 400 and r.json()["errorCode"] == code, (body, r)
    for body, code in [({}, "MissingInput"), ({"events": ["job.completed"]}, "MissingInput"),
                       ({"url": rc.url("x"), "enabled": False}, "UnrecognizedInput")]:
        r = api("POST", hooks_path(), body, template="/v1/apps/{appId}/webhooks")
        assert r.status == 400 and r.json()["errorCode"] == code, (body, r)
    assert endpoint_now(ep)["url"] == rc.url("crud2")
    # unknown ids, another app, another license: 404
    other = L["lic2"]
    api("PATCH", f"{hooks_path()}/00000000-0000-4000-8000-000000000000", {"enabled": True}, expect=404)
    api("GET", f"{hooks_path(app='00000000-0000-4000-8000-000000000000')}", expect=404,
        template="/v1/apps/{appId}/webhooks")
    api("GET", f"{hooks_path(app=lic['apps'][1])}/{ep['webhookId']}/deliveries", expect=404)
    api("DELETE", f"/v1/apps/{lic['apps'][0]}/webhooks/{ep['webhookId']}", lic=other, expect=404)
    api("GET", f"{path}/deliveries?limit=0", expect=400)
    api("GET", f"{path}/deliveries?since=1", expect=400)
    r = us().request("GET", hooks_path(), headers=tenant(lic))
    assert r.status == 401, r
    # rotation gives a new secret once
    r = api("POST", f"{path}/rotate-secret", expect=200, template="/v1/apps/{appId}/webhooks/{id}/rotate-secret")
    assert r.json()["secret"] != ep["secret"] and r.json()["previousSecretExpiresAt"], r
    # at most 10 per app
    made = [create_endpoint(rc.url(f"many{i}"), app=lic["apps"][1]) for i in range(10)]
    r = api("POST", hooks_path(app=lic["apps"][1]), {"url": rc.url("one-too-many")},
            template="/v1/apps/{appId}/webhooks")
    assert r.status == 409 and r.json()["errorCode"] == "InvalidState", r
    for m in made:
        delete_endpoint(m)
    delete_endpoint(ep)
    api("DELETE", path, expect=404)


def test_production_policy_refuses_http_and_private_targets(st):
    eu = st.node("EU", 0)
    lic = L["eu"]
    for url in ["http://example.com/hook", "https://127.0.0.1/hook", "https://localhost:9/x", "https://[::1]/x",
                "https://169.254.169.254/latest/meta-data/", "https://10.0.0.7/x", "https://192.168.1.1/x"]:
        r = api("POST", hooks_path(lic=lic), {"url": url}, lic=lic, node=eu, template="/v1/apps/{appId}/webhooks")
        assert r.status == 400 and r.json()["errorCode"] == "InvalidInput", (url, r)
    ep = create_endpoint("https://example.com/hooks/ocr", lic=lic, node=eu)
    # A name that resolves inside is refused on connection: here a row pointed at loopback behind the API's back.
    st.psql("ocrgate_eu", f"UPDATE webhook_endpoints SET url = 'https://127.0.0.1:{L['rc'].port}/hook/x'"
                          f" WHERE endpoint_id = '{ep['webhookId']}'")
    api("POST", f"{hooks_path(lic=lic)}/{ep['webhookId']}/test", lic=lic, node=eu, expect=202)
    d = wait_deliveries(ep, 1, lic=lic, node=eu)
    assert d[0]["statusCode"] is None and "127.0.0.1" in d[0]["error"] and "loopback" in d[0]["error"], d
    assert L["rc"].log("x") == [], "the receiver was reached"


def test_completed_failed_canceled(st):
    rc = L["rc"]
    app = L["lic"]["apps"][0]
    ep = create_endpoint(rc.url("ends"))
    rc.control("ends", secrets=[ep["secret"]], reset=True)
    jobs = {"job.completed": job_completed(app), "job.failed": job_failed(app), "job.canceled": job_canceled(app)}
    log = rc.wait("ends", lambda lg: len(answered_ok(lg)) >= 3)
    assert_verified(log)
    got = {e["type"]: e["data"] for e in log}
    assert set(got) == set(jobs), got
    for ev, job in jobs.items():
        assert got[ev]["jobId"] == job and got[ev]["status"] == ev.split(".")[1], got[ev]
        assert "results" in got[ev] and all(v.startswith("/v1/jobs/") for v in got[ev]["results"].values())
    assert got["job.failed"]["error"]["errorCode"], got["job.failed"]
    assert len({e["id"] for e in log}) == 3 and all(e["id"].startswith("msg_") for e in log), log
    # only subscribed events; none of another app
    rc.control("ends", reset=True)
    queued = len(outbox(ep))
    r = api("PATCH", f"{hooks_path()}/{ep['webhookId']}", {"events": ["job.canceled"]}, expect=200)
    other_app = L["lic"]["apps"][1]
    other = job_completed(other_app)
    done = job_completed(app)
    canceled = job_canceled(app)
    log = rc.wait("ends", lambda lg: len(lg) >= 1)
    wait_job_until(us(), done, tenant(L["lic"], app), lambda j: j["status"] == "completed")
    wait_job_until(us(), other, tenant(L["lic"], other_app), lambda j: j["status"] == "completed")
    # The outbox row is written with the job's end: once the job is over, what it queued is there.
    assert outbox(ep)[queued:] == [f"job.canceled {canceled}"], outbox(ep)
    log = rc.log("ends")
    assert [e["data"]["jobId"] for e in log] == [canceled], log
    d = deliveries(ep)
    assert d[0]["delivered"] is True and d[0]["statusCode"] == 200 and d[0]["error"] is None, d
    delete_endpoint(ep)


def test_receiver_down_then_up(st):
    port = free_port()
    later = Receiver(port)
    ep = create_endpoint(later.url("late"), events=["job.canceled"])
    job_canceled(L["lic"]["apps"][0])
    d = wait_deliveries(ep, 2)
    assert all(x["statusCode"] is None and not x["delivered"] for x in d), d
    assert d[0]["messageStatus"] == "pending", d  # tried again later (nextAttemptAt, or under way now)
    assert endpoint_now(ep)["failingSince"] is not None
    later.start()
    try:
        later.control("late", secrets=[ep["secret"]])
        log = later.wait("late", lambda lg: answered_ok(lg))
        assert_verified(log)
        deadline = time.time() + 10
        while time.time() < deadline and deliveries(ep)[0]["messageStatus"] != "delivered":
            time.sleep(0.05)
        d = deliveries(ep)
        assert d[0]["delivered"] and d[0]["messageStatus"] == "delivered", d
        assert endpoint_now(ep)["failingSince"] is None, "a delivery clears failingSince"
    finally:
        later.stop()
    delete_endpoint(ep)


def test_500_then_200_with_retry_after(st):
    rc = L["rc"]
    ep = create_endpoint(rc.url("flaky"))
    rc.control("flaky", secrets=[ep["secret"]], reset=True,
               script=[{"status": 500}, {"status": 503, "retryAfter": 2}, {"status": 200}])
    mid = send_test(ep)
    log = rc.wait("flaky", lambda lg: answered_ok(lg))
    assert_verified(log)
    assert [e["answered"] for e in log] == [500, 503, 200], log
    assert len({e["id"] for e in log}) == 1 and log[0]["id"] == mid, "one webhook-id on every attempt"
    assert log[0]["type"] == "webhook.test" and log[0]["data"]["webhookId"] == ep["webhookId"], log[0]
    # the schedule's second step here is about 2.4 s; the Retry-After of 2 s is a floor the sender must keep
    assert log[2]["receivedAt"] - log[1]["receivedAt"] >= 2.0, log
    d = wait_deliveries(ep, 3)
    assert [x["statusCode"] for x in d] == [200, 503, 500] and [x["attempt"] for x in d] == [3, 2, 1], d
    assert d[1]["error"].startswith("HTTP 503"), d
    # a redirect is an answer, never followed
    rc.control("flaky", reset=True, script=[{"status": 302, "location": rc.url("elsewhere")}, {"status": 204}])
    send_test(ep)
    rc.wait("flaky", lambda lg: answered_ok(lg))
    assert rc.log("elsewhere") == [], "a redirect was followed"
    d = wait_deliveries(ep, 5)
    assert d[0]["statusCode"] == 204 and "redirects are not followed" in d[1]["error"], d
    delete_endpoint(ep)


def test_410_disables(st):
    rc = L["rc"]
    ep = create_endpoint(rc.url("gone"))
    rc.control("gone", secrets=[ep["secret"]], reset=True, default={"status": 410})
    send_test(ep)
    rc.wait("gone", lambda lg: len(lg) == 1)
    deadline = time.time() + 10
    while time.time() < deadline and endpoint_now(ep)["enabled"]:
        time.sleep(0.05)
    now = endpoint_now(ep)
    assert now["enabled"] is False and now["disabledReason"] == "gone", now
    send_test(ep, expect=409)
    before = outbox(ep)
    job_canceled(L["lic"]["apps"][0])
    assert outbox(ep) == before, "a message was queued for a disabled endpoint"
    assert len(rc.log("gone")) == 1, "a disabled endpoint was sent to"
    # enabling again sends what is new
    rc.control("gone", default={"status": 200})
    api("PATCH", f"{hooks_path()}/{ep['webhookId']}", {"enabled": True}, expect=200)
    assert endpoint_now(ep)["disabledReason"] is None
    send_test(ep)
    rc.wait("gone", lambda lg: answered_ok(lg))
    delete_endpoint(ep)


def test_failing_for_three_days_disables(st):
    rc = L["rc"]
    ep = create_endpoint(rc.url("failing"))
    rc.control("failing", secrets=[ep["secret"]], reset=True, default={"status": 500})
    st.psql("ocrgate_us", "UPDATE webhook_endpoints SET failing_since = now() - interval '3 days 1 minute'"
                          f" WHERE endpoint_id = '{ep['webhookId']}'")
    send_test(ep)
    deadline = time.time() + 10
    while time.time() < deadline and endpoint_now(ep)["enabled"]:
        time.sleep(0.05)
    now = endpoint_now(ep)
    assert now["enabled"] is False and now["disabledReason"] == "failing", now
    assert len(rc.log("failing")) == 1, rc.log("failing")
    delete_endpoint(ep)


def test_secret_rotation_both_verify(st):
    rc = L["rc"]
    ep = create_endpoint(rc.url("rot"))
    old = ep["secret"]
    r = api("POST", f"{hooks_path()}/{ep['webhookId']}/rotate-secret", expect=200)
    new = r.json()["secret"]
    rc.control("rot", secrets=[old, new, "whsec_" + "A" * 43 + "="], reset=True)
    send_test(ep)
    log = rc.wait("rot", lambda lg: answered_ok(lg))
    assert log[0]["verified"] == [True, True, False], log[0]
    assert len(log[0]["signature"].split(" ")) == 2, log[0]
    # after the 24 hours only the new one signs
    st.psql("ocrgate_us", "UPDATE webhook_endpoints SET old_secret_until = now() - interval '1 second'"
                          f" WHERE endpoint_id = '{ep['webhookId']}'")
    rc.control("rot", reset=True)
    send_test(ep)
    log = rc.wait("rot", lambda lg: answered_ok(lg))
    assert log[0]["verified"] == [False, True, False] and " " not in log[0]["signature"], log[0]
    assert endpoint_now(ep)["previousSecretExpiresAt"] is None
    delete_endpoint(ep)


def test_sigkill_between_job_end_and_delivery(st):
    # The first attempt reaches the receiver, which never answers; the node holding it is killed. The message
    # is in the outbox and claimed by the dead node: when the node starts again it takes it back and delivers.
    rc = L["rc"]
    ep = create_endpoint(rc.url("kill"), events=["job.canceled"])
    rc.control("kill", secrets=[ep["secret"]], reset=True, script=[{"hang": True}], default={"status": 200})
    job = job_canceled(L["lic"]["apps"][0])
    rc.wait("kill", lambda lg: len(lg) == 1)
    mid = rc.log("kill")[0]["id"]
    status, attempts, holder = msg_row(mid)
    assert status == "pending" and holder, (status, attempts, holder)
    port = int(holder.split("/")[0].rsplit(":", 1)[1])
    node = next(n for n in st.nodes["US"] if n.https_port == port)
    node.proc.send_signal(signal.SIGKILL)
    node.proc.wait()
    node.start()
    log = rc.wait("kill", lambda lg: answered_ok(lg), timeout=30)
    assert_verified(log)
    assert [e["id"] for e in log] == [mid, mid] and log[1]["data"]["jobId"] == job, log
    assert msg_row(mid)[0] == "delivered"
    delete_endpoint(ep)


def test_two_nodes_never_send_one_message_at_once(st):
    # Both US nodes (two delivery threads each) work through 24 messages; each answer takes 150 ms, so two
    # sends of one message at the same time would overlap at the receiver.
    rc = L["rc"]
    ep = create_endpoint(rc.url("pair"))
    rc.control("pair", secrets=[ep["secret"]], reset=True, default={"status": 200, "delayMs": 150})
    before = [metric(n, 'ocrgate_webhook_deliveries_total{result="ok"}') for n in st.nodes["US"]]
    ids = [send_test(ep) for _ in range(24)]
    log = rc.wait("pair", lambda lg: len(answered_ok(lg)) >= 24)
    assert_verified(log)
    assert sorted(e["id"] for e in log) == sorted(ids), "each message exactly once"
    assert rc.state("pair")["maxInFlightPerId"] == 1
    # a node counts an attempt once it has recorded it, just after the receiver's answer
    deadline = time.time() + 10
    while True:
        after = [metric(n, 'ocrgate_webhook_deliveries_total{result="ok"}') for n in st.nodes["US"]]
        shares = [a - b for a, b in zip(after, before)]
        if sum(shares) >= 24 or time.time() > deadline:
            break
        time.sleep(0.05)
    print(f"# deliveries per node: {shares}")
    assert sum(shares) == 24, shares
    delete_endpoint(ep)


def metric(node, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{node.extra['metrics_port']}/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
    raise AssertionError(f"{name} missing from /metrics")


def test_analytics_and_metrics(st):
    rc = L["rc"]
    app = L["lic"]["apps"][1]
    ep = create_endpoint(rc.url("counted"), app=app)
    rc.control("counted", secrets=[ep["secret"]], reset=True, script=[{"status": 500}], default={"status": 200})
    send_test(ep)
    rc.wait("counted", lambda lg: answered_ok(lg))
    deadline = time.time() + 10
    tot = None
    while time.time() < deadline:
        r = api("GET", f"/v1/apps/{app}/analytics", expect=200, template="/v1/apps/{appId}/analytics")
        tot = r.json()["totals"]["webhooks"]
        if tot["delivered"] >= 1 and tot["failed"] >= 1:
            break
        time.sleep(0.1)
    assert tot["delivered"] >= 1 and tot["failed"] >= 1, tot
    failed = sum(metric(n, 'ocrgate_webhook_deliveries_total{result="failed"}') for n in st.nodes["US"])
    assert failed >= 1
    delete_endpoint(ep)


def make_stack():
    npm_ci(RECEIVER_DIR, "standardwebhooks")
    us_cfg = {"webhook_allow_http": "on", "webhook_allow_private": "on", "webhook_first_retry_ms": 50,
              "webhook_poll_ms": 100, "metrics_port": "free-port"}
    st = Stack(nodes={"US": 2, "EU": 1}, node_cfg={"US": us_cfg}, name="webhooks").start()
    L["st"] = st
    L["lic"] = st.seed_license("US", apps=2)
    L["lic2"] = st.seed_license("US", apps=1, name="Other")
    L["eu"] = st.seed_license("EU", apps=1, name="EU")
    L["rc"] = Receiver().start()
    return st


if __name__ == "__main__":
    try:
        run([test_endpoints_api, test_production_policy_refuses_http_and_private_targets,
             test_completed_failed_canceled, test_receiver_down_then_up, test_500_then_200_with_retry_after,
             test_410_disables, test_failing_for_three_days_disables, test_secret_rotation_both_verify,
             test_sigkill_between_job_end_and_delivery, test_two_nodes_never_send_one_message_at_once,
             test_analytics_and_metrics], make_stack)
    finally:
        if "rc" in L:
            L["rc"].stop()
