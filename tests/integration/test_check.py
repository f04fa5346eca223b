"""`ocrgate check`: a good node's config passes; each kind of trouble an operator meets before a start (a missing
migration, a region the regions file does not list, a key of another certificate, a model a template needs,
a database that does not answer) fails with the line that names it, and the run stops at that class."""
import json
import os
import subprocess

from harness import BIN, SRC, Stack, free_port, run, tenant

L = {}


def check(st, **overrides):
    """Runs `ocrgate check` on the US node's config with some keys replaced; returns (exit status, lines)."""
    node = st.node("US")
    with open(node.config) as f:
        lines = [ln for ln in f.read().splitlines() if ln.split("=")[0].strip() not in overrides]
    path = os.path.join(st.dir, "check.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines + [f"{k} = {v}" for k, v in overrides.items()]) + "\n")
    p = subprocess.run([BIN, "check", "--config", path], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout.splitlines(), p.stderr


def failed_with(result, text):
    rc, out, err = result
    assert rc == 1, f"exit {rc}: {out} {err}"
    fails = [ln for ln in out if ln.startswith("FAIL")]
    assert fails and all(text in ln for ln in fails[:1]), f"want a FAIL line with {text!r}: {out}"
    assert out[-1] == "check failed", out
    return out


def tessdata_with(st, name, models):
    """A model directory holding only `models` (links to the installed files)."""
    d = os.path.join(st.dir, name)
    os.makedirs(d, exist_ok=True)
    for m in models:
        src = os.path.join("/usr/share/tesseract-ocr/5/tessdata", f"{m}.traineddata")
        dst = os.path.join(d, f"{m}.traineddata")
        if not os.path.exists(dst):
            os.symlink(src, dst)
    return d


def test_good_config_passes(st):
    rc, out, err = check(st)
    assert rc == 0, (rc, out, err)
    assert out[-1].startswith("all checks passed"), out
    for want in ("ok    config valid", "ok    region US listed in", "readable and matching",
                 "ok    catalog database reachable", "ok    region database reachable",
                 "ok    catalog database: migrations current", "ok    region database: migrations current",
                 ": eng (the default language)", ": osd (autoRotate)"):
        assert any(ln.startswith(want) or want in ln for ln in out), f"no line {want!r}: {out}"
    # The test certificate is valid for two days: a warning, not a failure.
    assert any(ln.startswith("warn") and "expires within 14 days" in ln for ln in out), out


def test_missing_migration_is_named(st):
    st.psql("postgres", "CREATE DATABASE ocrgate_check_old")
    dsn = f"'{st.conninfo} dbname=ocrgate_check_old'"
    node = st.node("US")
    p = subprocess.run([BIN, "migrate", "--region-only", "--config", node.config],
                       env=dict(os.environ, OCRGATE_REGION_DSN=dsn.strip("'")), capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    st.psql("ocrgate_check_old", "DELETE FROM schema_migrations WHERE name = '005_page_images.sql'")
    out = failed_with(check(st, region_dsn=dsn), "region database: 1 migration missing: 005_page_images.sql")
    assert not any("tessdata" in ln for ln in out), "the run stops at the failing class"
    st.psql("postgres", "CREATE DATABASE ocrgate_check_empty")
    region_migrations = sorted(f for f in os.listdir(os.path.join(SRC, "sql", "region")) if f.endswith(".sql"))
    failed_with(check(st, region_dsn=f"'{st.conninfo} dbname=ocrgate_check_empty'"),
                f"region database: {len(region_migrations)} migrations missing: " + ", ".join(region_migrations))


def test_region_not_listed(st):
    out = failed_with(check(st, region="ZZ"), "region ZZ is not listed in")
    assert "it lists: US" in out[-2], out
    assert not any("database" in ln for ln in out), "the run stops at the failing class"


def test_key_of_another_certificate(st):
    other = os.path.join(st.dir, "other.key")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", other],
                   check=True, capture_output=True)
    failed_with(check(st, tls_key_file=other), "does not match the certificate")
    failed_with(check(st, tls_cert_file=os.path.join(st.dir, "nothing.pem")), "cannot read")


def test_language_of_a_template_missing(st):
    lic = L["lic"]
    body = json.dumps({"name": "german", "languages": "eng+deu"}).encode()
    r = st.node("US").request("POST", "/v1/templates", headers=dict(tenant(lic), **{"Content-Type": "application/json"}),
                              body=body)
    assert r.status == 201, r
    rc, out, _ = check(st)
    assert rc == 0 and any(ln.startswith("ok    tessdata ") and ln.endswith(": deu (named by a template)") for ln in out), out
    failed_with(check(st, tessdata_dir=tessdata_with(st, "no-deu", ["eng", "osd"])), "no readable model 'deu' (named by a template)")
    failed_with(check(st, tessdata_dir=tessdata_with(st, "no-osd", ["eng", "deu"])), "no readable model 'osd'")


def test_database_not_reachable(st):
    out = failed_with(check(st, catalog_dsn=f"'host=127.0.0.1 port={free_port()} dbname=x connect_timeout=5'"),
                      "catalog database (catalog_dsn) not reachable")
    assert any(ln.startswith("ok    region database reachable") for ln in out), "both databases are checked"
    assert not any("migrations" in ln for ln in out), out


def test_bad_config(st):
    rc, out, err = check(st, https_port="http")
    assert rc == 1 and out[0].startswith("FAIL  config not valid") and "https_port" in err, (rc, out, err)


def stack():
    st = Stack(nodes={"US": 1}, name="check").start()
    L["lic"] = st.seed_license("US")
    return st


if __name__ == "__main__":
    run([test_good_config_passes, test_missing_migration_is_named, test_region_not_listed,
         test_key_of_another_certificate, test_language_of_a_template_missing, test_database_not_reachable,
         test_bad_config], stack)
