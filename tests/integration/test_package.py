"""The Debian package, installed into this machine as an operator would: `ops/package`, `apt-get install`, its
files, conffiles, user and units (`systemd-analyze verify` and `security`); the installed binary run as the
ocrgate user with /etc/ocrgate/ocrgate.conf pointed at the test PostgreSQL, answering /v1/health over TLS;
SIGHUP with a renewed certificate (new connections see it, an open keep-alive connection survives), with a
bad one (refused, the old one still served) and after the access log was moved away; then `apt-get purge`.

Needs root (it installs a package): skips, saying so, otherwise. There is no running systemd here, so the
runtime part starts the binary directly, as the unit would. One run at a time per machine (a lock), since the
package is installed system-wide.
"""
import fcntl
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

from harness import BIN, SRC, Node, Stack, run

ETC = "/etc/ocrgate"
TLS_DIR = os.path.join(ETC, "tls")
INSTALLED = "/usr/bin/ocrgate"
LOGDIR = "/var/log/ocrgate"
UNITS = ["ocrgate.service", "ocrgate@.service"]
S = {}


def sh(*args, check=True, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}): {p.stdout}{p.stderr}")
    return p


def apt(*args):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return sh("apt-get", "-y", "-qq", "-o", "DPkg::Lock::Timeout=900", *args, env=env)


def installed():
    p = sh("dpkg-query", "-W", "-f=${Status}", "ocrgate", check=False)
    return p.returncode == 0 and "installed" in p.stdout and "not-installed" not in p.stdout


def purge():
    if installed() or os.path.exists(os.path.join(ETC, "ocrgate.conf")):
        apt("purge", "ocrgate")


def make_cert(name, key=None):
    """A certificate for localhost in TLS_DIR/<name>.pem with its key (new unless `key` is given)."""
    cert = os.path.join(S["st"].dir, f"{name}.pem")
    keyfile = key or os.path.join(S["st"].dir, f"{name}.key")
    args = ["openssl", "req", "-x509", "-days", "30", "-subj", f"/CN=localhost/O={name}", "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1", "-out", cert]
    args += ["-key", key] if key else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                                       keyfile]
    sh(*args)
    return cert, keyfile


def install_pair(cert, key):
    """Puts a pair where the packaged config expects it, readable by the service's group only."""
    for src, dst in ((cert, "cert.pem"), (key, "key.pem")):
        tmp = os.path.join(TLS_DIR, f".{dst}.new")
        shutil.copyfile(src, tmp)
        shutil.chown(tmp, "root", "ocrgate")
        os.chmod(tmp, 0o640)
        os.replace(tmp, os.path.join(TLS_DIR, dst))


def der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def ctx_trusting(*certs):
    ctx = ssl.create_default_context()
    for c in certs:
        ctx.load_verify_locations(cafile=c)
    return ctx


def served_cert(port, ctx):
    with socket.create_connection(("localhost", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.getpeercert(binary_form=True)


class InstalledNode(Node):
    """The packaged binary with the packaged config file, run as the ocrgate user."""

    def __init__(self, stack):
        super().__init__(stack, "US", 1, {
            "regions_file": os.path.join(ETC, "regions.conf"),
            "tls_cert_file": os.path.join(TLS_DIR, "cert.pem"), "tls_key_file": os.path.join(TLS_DIR, "key.pem"),
            "access_log": os.path.join(LOGDIR, "access.log"), "node_id": "installed"})
        self.config = os.path.join(ETC, "ocrgate.conf")
        self.name = "installed"

    def start(self, wait=True):
        self.write_config()
        logf = open(self.log, "ab")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        self.proc = subprocess.Popen([INSTALLED, "serve", "--config", self.config], stdout=logf, stderr=logf,
                                     user="ocrgate", group="ocrgate", extra_groups=[], env=env, cwd="/")
        if wait:
            self.wait_healthy()

    def wait_log(self, text, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.tail(20000):
                return
            assert self.proc.poll() is None, f"node exited: {self.tail()}"
            time.sleep(0.05)
        raise AssertionError(f"no log line {text!r}: {self.tail()}")


def test_package_contents(st):
    deb = S["deb"]
    assert re.fullmatch(r"ocrgate_\d+\.\d+\.\d+_[a-z0-9]+\.deb", os.path.basename(deb)), deb
    depends = sh("dpkg-deb", "-f", deb, "Depends").stdout
    for want in ("tesseract-ocr-eng", "tesseract-ocr-osd", "libh2o-evloop", "libpq5", "libtesseract5", "libssl3",
                 "libqpdf29"):
        assert want in depends, f"Depends lacks {want}: {depends}"
    for path in (INSTALLED, os.path.join(ETC, "ocrgate.conf"), os.path.join(ETC, "regions.conf"),
                 "/etc/logrotate.d/ocrgate", "/lib/systemd/system/ocrgate.service",
                 "/lib/systemd/system/ocrgate@.service"):
        assert os.path.isfile(path), f"{path} not installed"
    conffiles = sh("dpkg-query", "-W", "-f=${Conffiles}", "ocrgate").stdout
    for c in ("/etc/ocrgate/ocrgate.conf", "/etc/ocrgate/regions.conf", "/etc/logrotate.d/ocrgate"):
        assert c in conffiles, f"{c} is not a conffile: {conffiles}"
    # The packaged config is the example generated from the config table: every key, commented out.
    conf = S["packaged_conf"]
    with open(os.path.join(SRC, "config", "ocrgate.example.conf")) as f:
        assert conf == f.read(), "the packaged ocrgate.conf is not config/ocrgate.example.conf"
    keys = [ln.split()[0] for ln in sh(BIN, "serve", "--help").stdout.splitlines() if ln.startswith("  ")]
    assert len(keys) > 20, keys
    for k in keys:
        assert re.search(rf"^#{k} = ", conf, re.M), f"key {k} missing from the packaged config"
    assert not [ln for ln in conf.splitlines() if ln.strip() and not ln.startswith("#")], "only comments"
    v = sh(INSTALLED, "version").stdout
    assert v == sh(BIN, "version").stdout and v.startswith("ocrgate "), v


def test_system_user(st):
    ent = sh("getent", "passwd", "ocrgate").stdout.strip().split(":")
    assert int(ent[2]) < 1000 and ent[6] in ("/usr/sbin/nologin", "/bin/false"), ent
    assert sh("getent", "group", "ocrgate").returncode == 0
    s = os.stat(TLS_DIR)
    assert s.st_uid == 0 and s.st_gid == int(ent[3]) and s.st_mode & 0o777 == 0o750, oct(s.st_mode)


def test_units_verify_and_are_hardened(st):
    for unit in ("ocrgate.service", "ocrgate@eu.service"):
        p = sh("systemd-analyze", "verify", unit, check=False)
        assert p.returncode == 0 and "ocrgate" not in p.stderr, f"{unit}: {p.stdout}{p.stderr}"
    for unit in UNITS:
        out = sh("systemd-analyze", "security", "--offline=yes", f"/lib/systemd/system/{unit}").stdout
        m = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", out)
        assert m and m.group(2) in ("SAFE", "OK"), f"{unit}: {out[-300:]}"
        print(f"# {unit}: exposure {m.group(1)} {m.group(2)}")
        with open(f"/lib/systemd/system/{unit}") as f:
            text = f.read()
        for want in ("User=ocrgate", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                     "PrivateTmp=yes", "PrivateDevices=yes", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
                     "CapabilityBoundingSet=", "ExecReload=/bin/kill -HUP $MAINPID"):
            assert want in text, f"{unit} lacks {want}"
    with open("/lib/systemd/system/ocrgate@.service") as f:
        assert "--config /etc/ocrgate/%i.conf" in f.read()
    if shutil.which("logrotate"):
        p = sh("logrotate", "--debug", "/etc/logrotate.d/ocrgate", check=False)
        assert p.returncode == 0 and "error" not in p.stderr.lower(), p.stderr


def test_installed_binary_serves_health_as_ocrgate(st):
    node = S["node"]
    r = node.request("GET", "/v1/health")
    assert r.status == 200, r
    with open(f"/proc/{node.proc.pid}/status") as f:
        uid = re.search(r"^Uid:\s+(\d+)", f.read(), re.M).group(1)
    assert int(uid) == int(sh("id", "-u", "ocrgate").stdout), "runs as the ocrgate user"
    assert os.readlink(f"/proc/{node.proc.pid}/exe") == INSTALLED
    p = subprocess.run([INSTALLED, "check", "--config", node.config], capture_output=True, text=True,
                       user="ocrgate", group="ocrgate", extra_groups=[], cwd="/")
    assert p.returncode == 0 and "all checks passed" in p.stdout, p.stdout + p.stderr


def test_sighup_renews_the_certificate(st):
    node = S["node"]
    old_cert = S["cert1"]
    keep = node.connect()
    assert node.request("GET", "/v1/health", conn=keep).status == 200
    # logrotate moves the log away, then signals.
    os.replace(os.path.join(LOGDIR, "access.log"), os.path.join(LOGDIR, "access.log.1"))
    new_cert, new_key = make_cert("second")
    install_pair(new_cert, new_key)
    node.proc.send_signal(signal.SIGHUP)
    node.wait_log("SIGHUP: TLS certificate")
    both = ctx_trusting(old_cert, new_cert)
    assert served_cert(node.https_port, both) == der(new_cert), "a new connection gets the new certificate"
    r = node.request("GET", "/v1/health", conn=keep)
    assert r.status == 200, "the keep-alive connection made before SIGHUP survives"
    assert keep.sock.getpeercert(binary_form=True) == der(old_cert), "and still speaks with the old certificate"
    keep.close()
    with open(os.path.join(LOGDIR, "access.log")) as f:
        assert '"/v1/health"' in f.read(), "the access log was reopened"
    S["cert2"] = new_cert


def test_sighup_refuses_a_bad_certificate(st):
    node = S["node"]
    good = S["cert2"]
    # A renewal gone wrong: the new certificate with a key of its own, but the old key left in place.
    bad_cert, _ = make_cert("third")
    install_pair(bad_cert, os.path.join(TLS_DIR, "key.pem"))
    node.proc.send_signal(signal.SIGHUP)
    node.wait_log("new TLS certificate refused, the previous one stays in use")
    assert "does not match" in node.tail(), node.tail()
    assert served_cert(node.https_port, ctx_trusting(good, bad_cert)) == der(good), "the old pair is still served"
    assert node.request("GET", "/v1/health").status == 200


def test_drain_and_purge(st):
    node = S["node"]
    assert node.stop() == 0, node.tail()
    st.nodes["US"].remove(node)
    purge()
    assert not installed()
    for gone in (INSTALLED, os.path.join(ETC, "ocrgate.conf"), os.path.join(ETC, "regions.conf"),
                 "/etc/logrotate.d/ocrgate", "/lib/systemd/system/ocrgate.service", LOGDIR):
        assert not os.path.exists(gone), f"{gone} left after purge"
    assert os.path.exists(os.path.join(TLS_DIR, "key.pem")), "the operator's key is not the package's to delete"


def stack():
    S["deb"] = sh(os.path.join(SRC, "ops", "package")).stdout.strip().splitlines()[-1]
    purge()
    apt("install", S["deb"])
    with open(os.path.join(ETC, "ocrgate.conf")) as f:
        S["packaged_conf"] = f.read()  # before the runtime part points it at the test database
    st = Stack(nodes={"US": 1}, name="package").start()
    S["st"] = st
    # What the unit's LogsDirectory= would make.
    os.makedirs(LOGDIR, exist_ok=True)
    shutil.chown(LOGDIR, "ocrgate", "ocrgate")
    os.chmod(LOGDIR, 0o750)
    cert, key = make_cert("first")
    install_pair(cert, key)
    S["cert1"] = cert
    node = InstalledNode(st)
    with open(os.path.join(ETC, "regions.conf"), "w") as f:
        f.write(f"US {node.url}\n")
    st.nodes["US"].append(node)
    # Requests through the harness trust its certificate and the one the installed node serves.
    st.ssl_context = lambda: ctx_trusting(st.cert, S.get("cert2") or cert)
    node.start()
    S["node"] = node
    return st


def main():
    if os.geteuid() != 0:
        print("# skipped: installing the package needs root (CI runs this suite as root)")
        print("0 passed, 0 failed (skipped)")
        sys.exit(0)
    os.makedirs("/run/lock", exist_ok=True)
    with open("/run/lock/ocrgate-package-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            run([test_package_contents, test_system_user, test_units_verify_and_are_hardened,
                 test_installed_binary_serves_health_as_ocrgate, test_sighup_renews_the_certificate,
                 test_sighup_refuses_a_bad_certificate, test_drain_and_purge], stack)
        finally:
            try:
                purge()
            finally:
                shutil.rmtree(TLS_DIR, ignore_errors=True)
                if os.path.isdir(ETC) and not os.listdir(ETC):
                    os.rmdir(ETC)


if __name__ == "__main__":
    main()
