"""Licenses, apps and regions: every 401 rule, region discovery, cache invalidation by NOTIFY, and a cache that
keeps working across a catalog restart."""
import base64
import time

from harness import Stack, admin, check_openapi, run, tenant

L = {}


def setup(st):
    L["us"] = st.seed_license("US", name="US tenant")
    L["eu"] = st.seed_license("EU", name="EU tenant")
    L["us2"] = st.seed_license("US", name="Other US tenant")


def call(st, region, headers, path="/v1/languages"):
    return st.node(region).request("GET", path, headers=headers)


def expect_401(r, code):
    assert r.status == 401, r
    assert r.json()["errorCode"] == code, r
    assert r.header("ratelimit") is None, "401 must not carry quota headers"
    # RFC 9110 15.5.2: every 401 names the scheme that would work.
    assert r.header("www-authenticate") in ('Basic realm="ocrgate"', 'Bearer realm="ocrgate"'), r.headers


def test_valid_pair_and_basic(st):
    us = L["us"]
    r = call(st, "US", tenant(us))
    assert r.status == 200 and "eng" in r.json()["languages"], r
    check_openapi(st, "GET", "/v1/languages", r)
    basic = base64.b64encode(f"{us['licenseId']}:{us['apps'][1]}".encode()).decode()
    r = call(st, "US", {"Authorization": "Basic " + basic})
    assert r.status == 200, r
    r = call(st, "US", {"X-License-Id": us["licenseId"].upper(), "X-App-Id": us["apps"][0].upper()})
    assert r.status == 200, "upper-case UUIDs are the same ids"


def test_unknown_and_garbage(st):
    us, other = L["us"], L["us2"]
    unknown = "00000000-0000-4000-8000-000000000000"
    expect_401(call(st, "US", {"X-License-Id": unknown, "X-App-Id": us["apps"][0]}), "InvalidCredentials")
    expect_401(call(st, "US", {"X-License-Id": us["licenseId"], "X-App-Id": unknown}), "InvalidCredentials")
    # An app of another license does not pair with this license.
    expect_401(call(st, "US", {"X-License-Id": us["licenseId"], "X-App-Id": other["apps"][0]}), "InvalidCredentials")
    for lic, app in [("", ""), ("x" * 5000, us["apps"][0]), ("'; DROP TABLE licenses; --", us["apps"][0]),
                     (us["licenseId"], "not-a-uuid"), (us["licenseId"] + "0", us["apps"][0])]:
        r = call(st, "US", {"X-License-Id": lic, "X-App-Id": app})
        expect_401(r, "InvalidCredentials")
        check_openapi(st, "GET", "/v1/languages", r)
    expect_401(call(st, "US", {}), "InvalidCredentials")
    expect_401(call(st, "US", {"Authorization": "Basic " + base64.b64encode(b"a:b").decode()}), "InvalidCredentials")
    assert st.psql("ocrgate_catalog", "SELECT count(*) FROM licenses") == "3", "nothing was changed"


def test_inactive_licenses(st):
    for status in ("overdue", "expired", "suspended"):
        lic = st.seed_license("US", name=f"{status} tenant", apps=1)
        assert call(st, "US", tenant(lic)).status == 200
        st.run_cli(["license", "set-status", "--license", lic["licenseId"], "--status", status])
        wait_status(st, "US", tenant(lic), 401)
        r = call(st, "US", tenant(lic))
        expect_401(r, "LicenseInactive")
        assert status in r.json()["message"]
        r = call(st, "EU", tenant(lic), "/v1/licenses")
        expect_401(r, "LicenseInactive")


def test_license_past_expiry(st):
    lic = st.seed_license("US", name="expiring", apps=1)
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    st.run_cli(["license", "set-expiry", "--license", lic["licenseId"], "--expires", past])
    wait_status(st, "US", tenant(lic), 401)
    expect_401(call(st, "US", tenant(lic)), "LicenseInactive")
    shown = st.run_cli(["license", "show", "--license", lic["licenseId"]])
    assert shown["status"] == "active" and shown["effectiveStatus"] == "expired", shown
    # Expiry a few seconds ahead: active now, inactive once it passes, with nobody changing anything.
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
    st.run_cli(["license", "set-expiry", "--license", lic["licenseId"], "--expires", soon])
    wait_status(st, "US", tenant(lic), 200)
    time.sleep(4)
    expect_401(call(st, "US", tenant(lic)), "LicenseInactive")


def test_disabled_and_deleted_apps(st):
    lic = st.seed_license("US", name="apps", apps=2)
    a0, a1 = lic["apps"]
    assert call(st, "US", tenant(lic, a0)).status == 200
    assert call(st, "US", tenant(lic, a1)).status == 200
    st.run_cli(["app", "disable", "--license", lic["licenseId"], "--app", a0])
    t0 = time.time()
    wait_status(st, "US", tenant(lic, a0), 401, timeout=1.0)
    assert time.time() - t0 < 1.0
    expect_401(call(st, "US", tenant(lic, a0)), "AppDisabled")
    assert call(st, "US", tenant(lic, a1)).status == 200, "the other app is untouched"
    st.run_cli(["app", "enable", "--license", lic["licenseId"], "--app", a0])
    wait_status(st, "US", tenant(lic, a0), 200, timeout=1.0)
    st.run_cli(["app", "delete", "--license", lic["licenseId"], "--app", a1])
    wait_status(st, "US", tenant(lic, a1), 401, timeout=1.0)
    r = call(st, "US", tenant(lic, a1))
    expect_401(r, "AppDisabled")
    assert "deleted" in r.json()["message"]
    apps = st.run_cli(["app", "list", "--license", lic["licenseId"]])
    assert [a["appId"] for a in apps] == [a0]


def test_wrong_region_both_ways(st):
    us, eu = L["us"], L["eu"]
    r = call(st, "EU", tenant(us))
    expect_401(r, "WrongRegion")
    assert r.json()["processingRegion"] == "US" and r.json()["endpoint"] == st.node("US").url, r
    check_openapi(st, "GET", "/v1/languages", r)
    r = call(st, "US", tenant(eu))
    expect_401(r, "WrongRegion")
    assert r.json()["processingRegion"] == "EU" and r.json()["endpoint"] == st.node("EU").url
    # WrongRegion only after the pair verified: a wrong app in the wrong region is plain InvalidCredentials.
    r = call(st, "US", {"X-License-Id": eu["licenseId"], "X-App-Id": us["apps"][0]})
    expect_401(r, "InvalidCredentials")
    assert "processingRegion" not in r.json()


def test_region_discovery_everywhere(st):
    for lic in (L["us"], L["eu"]):
        for region in ("US", "EU"):
            r = call(st, region, tenant(lic), "/v1/licenses")
            assert r.status == 200, r
            check_openapi(st, "GET", "/v1/licenses", r)
            j = r.json()
            assert j["licenseId"] == lic["licenseId"] and j["appId"] == lic["apps"][0]
            assert j["processingRegion"] == lic["region"]
            assert j["endpoint"] == st.node(lic["region"]).url
            assert j["tier"]["name"] == "standard" and j["tier"]["hourlyQuota"] == 1000
            # Quota headers only where the license is processed; discovery is never counted.
            assert (r.header("ratelimit") is not None) == (region == lic["region"])


def test_moving_a_license_between_regions(st):
    lic = st.seed_license("US", name="mover", apps=1)
    assert call(st, "US", tenant(lic)).status == 200
    st.run_cli(["license", "set-region", "--license", lic["licenseId"], "--region", "EU"])
    wait_status(st, "EU", tenant(lic), 200)
    expect_401(call(st, "US", tenant(lic)), "WrongRegion")
    p = st.run_cli(["license", "set-region", "--license", lic["licenseId"], "--region", "XX"], check=False)
    assert p.returncode == 2 and "not listed" in p.stderr


def test_admin_key(st):
    us = L["us"]
    r = st.node("US").request("GET", "/v1/usage", headers=admin(us))
    assert r.status == 200, r
    check_openapi(st, "GET", "/v1/usage", r)
    assert r.json()["limit"] == 1000
    expect_401(st.node("US").request("GET", "/v1/usage", headers=admin(us, "ocg_" + "0" * 64)), "InvalidCredentials")
    expect_401(st.node("US").request("GET", "/v1/usage", headers=admin(us, us["adminKey"][:-1])), "InvalidCredentials")
    expect_401(st.node("US").request("GET", "/v1/usage", headers=tenant(us)), "InvalidCredentials")
    new = st.run_cli(["license", "rotate-admin-key", "--license", us["licenseId"]])["adminKey"]
    expect_401(st.node("US").request("GET", "/v1/usage", headers=admin(us)), "InvalidCredentials")
    assert st.node("US").request("GET", "/v1/usage", headers=admin(us, new)).status == 200
    us["adminKey"] = new
    audit = st.psql("ocrgate_catalog", "SELECT details::text FROM audit_log WHERE object_id = '%s' "
                    "ORDER BY id DESC LIMIT 1" % us["licenseId"])
    assert "adminKeyRotated" in audit and new not in audit and "admin_key_hash" not in audit


def test_audit_log(st):
    lic = st.seed_license("US", name="audited", apps=1)
    st.run_cli(["app", "disable", "--license", lic["licenseId"], "--app", lic["apps"][0]])
    rows = st.psql("ocrgate_catalog", "SELECT action || ' ' || object_type || ' ' || actor FROM audit_log "
                   "WHERE object_id IN ('%s', '%s') ORDER BY id" % (lic["licenseId"], lic["apps"][0])).splitlines()
    assert rows[0].startswith("insert licenses cli:") and rows[1].startswith("insert apps cli:")
    assert rows[-1].startswith("update apps cli:"), rows
    try:
        st.psql("ocrgate_catalog", "DELETE FROM audit_log")
        assert False, "audit log accepted a delete"
    except Exception as e:
        assert "append-only" in str(e.stderr)


def test_cache_survives_catalog_restart(st):
    lic = st.seed_license("US", name="restart", apps=1)
    assert call(st, "US", tenant(lic)).status == 200
    st.pg_stop()
    time.sleep(0.5)
    st.pg_start()
    # Give the listeners time to reconnect (they retry every 500 ms), then a change must still arrive.
    wait_health(st)
    st.run_cli(["app", "disable", "--license", lic["licenseId"], "--app", lic["apps"][0]])
    wait_status(st, "US", tenant(lic), 401, timeout=3)
    expect_401(call(st, "US", tenant(lic)), "AppDisabled")
    st.run_cli(["app", "enable", "--license", lic["licenseId"], "--app", lic["apps"][0]])
    wait_status(st, "US", tenant(lic), 200, timeout=1.5)


def wait_health(st, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(n.request("GET", "/v1/health").status == 200 for ns in st.nodes.values() for n in ns):
            time.sleep(1.0)
            return
        time.sleep(0.1)
    raise AssertionError("gateways did not see the database again")


def wait_status(st, region, headers, status, timeout=5.0, path="/v1/languages"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = call(st, region, headers, path)
        if last.status == status:
            return last
        time.sleep(0.02)
    raise AssertionError(f"expected {status} within {timeout}s, last {last}")


def _start():
    st = Stack(name="tenancy").start()
    setup(st)
    return st


if __name__ == "__main__":
    run([test_valid_pair_and_basic, test_unknown_and_garbage, test_inactive_licenses, test_license_past_expiry,
         test_disabled_and_deleted_apps, test_wrong_region_both_ways, test_region_discovery_everywhere,
         test_moving_a_license_between_regions, test_admin_key, test_audit_log, test_cache_survives_catalog_restart],
        lambda: _start())
