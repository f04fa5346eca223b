"""The OpenAPI document as a node serves it passes `redocly lint` (pinned in tests/openapi) with no errors, and
its POST /v1/jobs query parameters are exactly the job options a node accepts there."""
import json
import os
import shutil
import subprocess
import tempfile
import uuid

from harness import SRC, Stack, npm_ci, run, tenant

L = {}
LINT_DIR = os.path.join(SRC, "tests", "openapi")


def test_served_document_lints_clean(st):
    r = st.node("US").request("GET", "/v1/openapi.json")
    assert r.status == 200, r
    node = shutil.which("node")
    assert node, "node is not installed (Node 20 is needed for the OpenAPI lint)"
    npm_ci(LINT_DIR, "@redocly/cli")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "openapi.json")
        with open(path, "wb") as f:
            f.write(r.body)
        p = subprocess.run([node, os.path.join(LINT_DIR, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint",
                            "--config", os.path.join(LINT_DIR, "redocly.yaml"), "--format", "json", path],
                           capture_output=True, text=True, timeout=300, cwd=d)
    report = json.loads(p.stdout[p.stdout.index("{"):])
    errors = [x for x in report.get("problems", []) if x.get("severity") == "error"]
    for x in report.get("problems", []):
        print(f"# {x.get('severity')} {x.get('ruleId')}: {x.get('message')}")
    assert not errors and p.returncode == 0, (p.returncode, errors, p.stderr[-2000:])


def test_job_query_parameters_are_the_options(st):
    """Every option parameter the document declares on POST /v1/jobs is accepted in the query string, and a
    name that is no option is refused: the document and the options table agree on the running node."""
    doc = st.openapi()
    params = [p["name"] for p in doc["paths"]["/v1/jobs"]["post"]["parameters"] if p["in"] == "query"]
    options = sorted(doc["components"]["schemas"]["Options"]["properties"])
    assert sorted(p for p in params if p != "template") == options, params
    r = st.node("US").request("POST", "/v1/jobs", headers=dict(tenant(L["lic"]), **{"Content-Type": "application/json"}),
                              body=b"{}")
    assert r.status == 201, r
    defaults = r.json()["options"]
    assert sorted(defaults) == options, sorted(defaults)
    for name in options:
        v = defaults[name]
        example = doc["components"]["schemas"]["Options"]["properties"][name].get("example", "x")
        value = ",".join(v) if isinstance(v, list) else ("true" if v is True else "false" if v is False else
                                                          "eng" if name == "languages" else "300" if name == "dpi" else
                                                          str(v) if v is not None else example)
        r = st.node("US").request("POST", f"/v1/jobs?{name}={value}",
                                  headers=dict(tenant(L["lic"]), **{"Content-Type": "application/json"}), body=b"{}")
        assert r.status == 201, (name, value, r)
    r = st.node("US").request("POST", f"/v1/jobs?noSuchOption{uuid.uuid4().hex[:6]}=1",
                              headers=dict(tenant(L["lic"]), **{"Content-Type": "application/json"}), body=b"{}")
    assert r.status == 400 and r.json()["errorCode"] == "UnrecognizedInput", r


def _start():
    st = Stack(name="openapi").start()
    L["lic"] = st.seed_license("US", apps=1, name="openapi")
    return st


if __name__ == "__main__":
    run([test_served_document_lints_clean, test_job_query_parameters_are_the_options], _start)
