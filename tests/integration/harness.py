"""Integration harness: a private PostgreSQL, real ocrgate gateways over real TLS, and a small HTTPS client.

Every test module builds a Stack, which starts PostgreSQL with ops/pg in a temporary directory, makes a
certificate, writes a regions file and one config per gateway node, migrates, seeds data with the real CLI and
starts `ocrgate serve` processes. Nothing is mocked. Responses can be checked against the OpenAPI document the
gateway serves (check_openapi).

By default one PostgreSQL cluster holds the catalog and every region's database (fast). Stack(replicated=True)
runs the production topology instead: a catalog primary (wal_level=logical) and one cluster per region holding
the region's database and a catalog replica subscribed to the primary; nodes read the catalog from their
region's replica and write it on the primary.
"""
import copy
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

BIN = os.environ.get("OCRGATE_BIN", "build/ocrgate")
SRC = os.environ.get("OCRGATE_SRC", os.getcwd())
TESTDATA = os.environ.get("OCRGATE_TESTDATA", os.path.join(SRC, "tests", "data"))


_handed_out = set()


def free_port():
    """A port free now, not handed out before in this process, and below the kernel's ephemeral range
    (32768 and up), so that no outgoing connection (to PostgreSQL, say) can take it before the server binds it."""
    import random
    while True:
        port = random.randint(20000, 32000)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Node:
    def __init__(self, stack, region, index, extra):
        self.stack, self.region, self.index = stack, region, index
        self.https_port, self.http_port = free_port(), free_port()
        self.name = f"{region.lower()}{index}"
        self.config = os.path.join(stack.dir, f"{self.name}.conf")
        self.log = os.path.join(stack.dir, f"{self.name}.log")
        self.proc = None
        # "free-port" in a node's config stands for a port of its own (e.g. metrics_port of several nodes).
        self.extra = {k: (free_port() if v == "free-port" else v) for k, v in extra.items()}

    def write_config(self):
        s = self.stack
        lines = {
            "region": self.region, "regions_file": s.regions_file, "listen_address": "127.0.0.1",
            "https_port": self.https_port, "http_port": self.http_port,
            "tls_cert_file": s.cert, "tls_key_file": s.key,
            "catalog_dsn": f"'{s.cluster_conninfo(self.region)} dbname=ocrgate_catalog'",
            "region_dsn": f"'{s.cluster_conninfo(self.region)} dbname=ocrgate_{self.region.lower()}'",
            "event_loop_threads": 2, "engine_workers": 1, "access_log": os.path.join(s.dir, f"{self.name}-access.log"),
            "log_level": "info", "request_timeout_ms": 10000, "shutdown_timeout_ms": 10000,
        }
        if s.replicated:
            lines["catalog_primary_dsn"] = f"'{s.conninfo} dbname=ocrgate_catalog'"
            # ops/pg clusters ask an idle primary for a keepalive every 5 s: lagging means about two missed.
            lines["catalog_lag_threshold_s"] = 12
        lines.update(self.extra)
        with open(self.config, "w") as f:
            for k, v in lines.items():
                f.write(f"{k} = {v}\n")

    def start(self, wait=True):
        self.write_config()
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([BIN, "serve", "--config", self.config], stdout=logf, stderr=logf)
        if wait:
            self.wait_healthy()

    def wait_healthy(self, timeout=30):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            try:
                last = self.request("GET", "/v1/health")
                if last.status == 200:
                    return
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not healthy: {last}")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def tail(self, n=4000):
        try:
            with open(self.log, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def connect(self, timeout=30):
        return http.client.HTTPSConnection("localhost", self.https_port, context=self.stack.ssl_context(),
                                           timeout=timeout)

    def request(self, method, path, headers=None, body=None, conn=None, timeout=30):
        own = conn is None
        c = conn or self.connect(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            if own:
                c.close()

    @property
    def url(self):
        return f"https://localhost:{self.https_port}"


class Stack:
    """Starts PostgreSQL and the gateways. nodes: {"US": 1, "EU": 1}; node_cfg: extra config per region;
    replicated: a catalog primary plus one cluster per region (see the module's description)."""

    def __init__(self, nodes=None, node_cfg=None, name="it", replicated=False):
        self.dir = tempfile.mkdtemp(prefix=f"ocrgate-{name}-")
        os.chmod(self.dir, 0o755)
        self.pgdir = os.path.join(self.dir, "pg")
        self.nodes_spec = nodes or {"US": 1, "EU": 1}
        self.node_cfg = node_cfg or {}
        self.replicated = replicated
        self.nodes = {}
        self.conninfo = None  # the catalog primary's cluster (the only one without replication)
        self.pg_port = free_port()
        # cluster name ("primary" or a region code) -> (data directory, port, conninfo)
        self.clusters = {"primary": [self.pgdir, self.pg_port, None]}
        if replicated:
            for r in self.nodes_spec:
                self.clusters[r] = [os.path.join(self.dir, f"pg-{r.lower()}"), free_port(), None]
        self._openapi = None

    def cluster_of(self, region):
        """The cluster holding a region's database and catalog replica ("primary" without replication)."""
        return region if self.replicated and region in self.clusters else "primary"

    def cluster_conninfo(self, region):
        return self.clusters[self.cluster_of(region)][2]

    # --- lifecycle ---
    def start(self):
        for name in self.clusters:
            self.pg_start(name)
        for db in ["ocrgate_catalog"] + [f"ocrgate_{r.lower()}" for r in self.nodes_spec if not self.replicated]:
            self.psql("postgres", f"CREATE DATABASE {db}")
        if self.replicated:
            for r in self.nodes_spec:
                for db in ["ocrgate_catalog", f"ocrgate_{r.lower()}"]:
                    self.psql("postgres", f"CREATE DATABASE {db}", cluster=r)
        self.cert = os.path.join(self.dir, "cert.pem")
        self.key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out",
                        self.cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
        for region, n in self.nodes_spec.items():
            self.nodes[region] = [Node(self, region, i, self.node_cfg.get(region, {})) for i in range(n)]
        self.regions_file = os.path.join(self.dir, "regions.conf")
        with open(self.regions_file, "w") as f:
            for region, nodes in self.nodes.items():
                f.write(f"{region} {nodes[0].url}\n")
        for region, nodes in self.nodes.items():
            nodes[0].write_config()
            out = self.run_cli(["migrate"], region=region, json_out=False)
            assert "migration" in out, out
        for nodes in self.nodes.values():
            for n in nodes:
                n.start(wait=False)
        for nodes in self.nodes.values():
            for n in nodes:
                n.wait_healthy()
        return self

    def pg_start(self, cluster="primary"):
        d, port, _ = self.clusters[cluster]
        flags = ["--publisher"] if self.replicated and cluster == "primary" else []
        out = subprocess.run([os.path.join(SRC, "ops", "pg"), "start"] + flags + [d, str(port)], check=True,
                             capture_output=True, text=True)
        self.clusters[cluster][2] = out.stdout.strip()
        if cluster == "primary":
            self.conninfo = self.clusters[cluster][2]

    def pg_stop(self, cluster="primary"):
        subprocess.run([os.path.join(SRC, "ops", "pg"), "stop", self.clusters[cluster][0]], check=True,
                       capture_output=True)

    def wait_replica(self, region, sql, expected, timeout=30):
        """Polls the region's catalog replica until `sql` answers `expected` (replication is asynchronous)."""
        deadline = time.time() + timeout
        got = None
        while time.time() < deadline:
            got = self.psql("ocrgate_catalog", sql, cluster=self.cluster_of(region))
            if got == expected:
                return
            time.sleep(0.05)
        raise AssertionError(f"{region} replica: {sql!r} gave {got!r}, not {expected!r}")

    def stop(self):
        """Stops every node with SIGTERM; returns the nodes that did not exit 0 (a drain that failed, or a
        sanitizer report at exit)."""
        unclean = []
        for nodes in self.nodes.values():
            for n in nodes:
                try:
                    was_running = n.proc is not None and n.proc.poll() is None
                    rc = n.stop(timeout=30)
                    if was_running and rc != 0:
                        unclean.append(f"{n.name} exited {rc}: {n.tail(3000)}")
                except Exception as e:
                    unclean.append(f"{n.name}: {e}")
        for name in self.clusters:
            try:
                self.pg_stop(name)
            except Exception:
                pass
        if os.environ.get("OCRGATE_KEEP_TMP") is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        return unclean

    def node(self, region="US", index=0):
        return self.nodes[region][index]

    # --- tools ---
    def ssl_context(self):
        ctx = ssl.create_default_context(cafile=self.cert)
        return ctx

    def psql(self, db, sql, *params, cluster="primary"):
        args = ["psql", f"{self.clusters[cluster][2]} dbname={db}", "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()

    def run_cli(self, args, region="US", json_out=True, check=True):
        cfg = self.nodes[region][0].config
        cmd = [BIN] + list(args) + ["--config", cfg]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
        if not check:
            return p
        return json.loads(p.stdout) if json_out else p.stdout

    def seed_license(self, region, tier="standard", quota=1000, apps=2, name="Test"):
        tiers = {t["name"]: t for t in self.run_cli(["tier", "list"])}
        if tier not in tiers:
            self.run_cli(["tier", "create", "--name", tier, "--hourly-quota", str(quota)])
        lic = self.run_cli(["license", "create", "--name", name, "--region", region, "--tier", tier])
        app_ids = [self.run_cli(["app", "create", "--license", lic["licenseId"], "--name", f"app{i}"])["appId"]
                   for i in range(apps)]
        return {"licenseId": lic["licenseId"], "adminKey": lic["adminKey"], "apps": app_ids, "region": region}

    def openapi(self):
        if self._openapi is None:
            n = next(iter(self.nodes.values()))[0]
            self._openapi = n.request("GET", "/v1/openapi.json").json()
        return self._openapi


def testdata(name):
    """The bytes of a file of tests/data."""
    with open(os.path.join(TESTDATA, name), "rb") as f:
        return f.read()


def accuracy(got, truth):
    """Character accuracy of got against truth, white space runs counted as one space."""
    import Levenshtein
    g, t = " ".join(got.split()), " ".join(truth.split())
    return 1.0 - Levenshtein.distance(g, t) / max(1, len(t))


def tenant(lic, app=None):
    return {"X-License-Id": lic["licenseId"], "X-App-Id": app or lic["apps"][0]}


def admin(lic, key=None):
    return {"X-License-Id": lic["licenseId"], "Authorization": "Bearer " + (key or lic["adminKey"])}


# --- npm test tools (pinned in a package.json + package-lock.json under tests/) ---

def npm_ci(folder, package):
    """Installs the folder's locked npm packages unless `package` is there already."""
    if os.path.isdir(os.path.join(folder, "node_modules", package)):
        return
    npm = shutil.which("npm")
    assert npm, "npm is not installed (Node 20 and npm are needed for the browser and OpenAPI tests)"
    p = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, f"npm ci failed:\n{p.stdout}\n{p.stderr}"


# --- waiting for a job ---

def job_updates(node, job_id, headers, timeout):
    """Yields the job object of GET /v1/jobs/{id} about every 50 ms until `timeout` seconds have passed.

    While the region database cannot be reached the API answers 503 Unavailable with Retry-After: that is a
    legitimate answer, skipped rather than read as a job. Any other answer that is not 200 fails the test."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = node.request("GET", f"/v1/jobs/{job_id}", headers=headers)
        if r.status == 503 and r.json().get("errorCode") == "Unavailable":
            time.sleep(0.1)
            continue
        assert r.status == 200, r
        yield r.json()
        time.sleep(0.05)


def wait_job_until(node, job_id, headers, until, timeout=120, what="the awaited state"):
    """The first job object (see job_updates) for which until(job) holds; fails after `timeout` seconds."""
    last = None
    for job in job_updates(node, job_id, headers, timeout):
        last = job
        if until(job):
            return job
    raise AssertionError(f"job {job_id} not in {what} within {timeout}s; last seen: {last}")


# --- OpenAPI checking ---

def _to_jsonschema(node):
    """OpenAPI 3.0 schema objects -> JSON Schema (nullable becomes a null type)."""
    if isinstance(node, dict):
        out = {k: _to_jsonschema(v) for k, v in node.items() if k not in ("nullable", "example")}
        if node.get("nullable"):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = out["enum"] + [None]
            if "$ref" in out or "allOf" in out:
                out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_to_jsonschema(v) for v in node]
    return node


def check_openapi(stack, method, template, resp, doc=None):
    """Asserts that resp is described by the served OpenAPI document (or by `doc`, another surface's): status
    listed, JSON body valid."""
    import jsonschema
    doc = doc or stack.openapi()
    op = doc["paths"].get(template, {}).get(method.lower())
    assert op is not None, f"{method} {template} missing from openapi.json"
    r = op["responses"].get(str(resp.status)) or op["responses"].get("default")
    assert r is not None, f"{method} {template}: status {resp.status} not documented"
    if "$ref" in r:
        r = doc["components"]["responses"][r["$ref"].split("/")[-1]]
    content = r.get("content", {})
    ctype = (resp.header("content-type") or "").split(";")[0].strip()
    if resp.status == 204 or not content:
        return
    assert ctype in content, f"{method} {template} {resp.status}: content type {ctype} not documented"
    if ctype != "application/json":
        return
    root = _to_jsonschema(copy.deepcopy(doc))
    schema = dict(_to_jsonschema(content[ctype]["schema"]))
    schema["components"] = root["components"]
    jsonschema.validate(resp.json(), schema)
    for h in r.get("headers", {}):
        if h.lower().startswith(("ratelimit", "x-ratelimit")) and resp.status < 400:
            assert resp.header(h) is not None, f"{method} {template}: header {h} documented but missing"


def check_openapi_request(stack, method, template, body):
    """Asserts that a JSON request body the API accepted is valid for the served OpenAPI document."""
    import jsonschema
    doc = stack.openapi()
    op = doc["paths"].get(template, {}).get(method.lower())
    assert op is not None, f"{method} {template} missing from openapi.json"
    root = _to_jsonschema(copy.deepcopy(doc))
    schema = dict(_to_jsonschema(op["requestBody"]["content"]["application/json"]["schema"]))
    schema["components"] = root["components"]
    jsonschema.validate(body, schema)


# --- a tiny test runner with TAP-like output and the closing 'N passed, N failed' line ---

def run(tests, stack_factory):
    stack = None
    passed = failed = 0
    try:
        stack = stack_factory()
        for t in tests:
            name = t.__name__
            t0 = time.time()
            try:
                t(stack)
                passed += 1
                print(f"ok - {name} ({time.time() - t0:.1f}s)", flush=True)
            except Exception:
                failed += 1
                print(f"not ok - {name}", flush=True)
                traceback.print_exc()
                for nodes in stack.nodes.values():
                    for n in nodes:
                        print(f"# --- {n.name} log tail ---\n{n.tail(1500)}")
    except Exception:
        failed += 1
        traceback.print_exc()
        if stack:
            for nodes in stack.nodes.values():
                for n in nodes:
                    print(f"# --- {n.name} log tail ---\n{n.tail(3000)}")
    finally:
        if stack:
            unclean = stack.stop()
            if unclean:
                failed += 1
                print("not ok - every gateway drained and exited 0 on SIGTERM")
                for u in unclean:
                    print("# " + u.replace("\n", "\n# "))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)
