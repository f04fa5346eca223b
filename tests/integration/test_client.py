"""`ocrgate ocr`, the command-line client, against real gateways over real TLS (the stack's certificate with
--cacert), a real PostgreSQL and real tesseract: region discovery, several files, every format, waiting for the
quota window, a database outage mid-job, exit codes, the idempotency key, and its progress display in a real
terminal (a tmux pane)."""
import json
import os
import re
import shutil
import subprocess
import time
import uuid

from harness import BIN, TESTDATA, accuracy, Stack, free_port, run, tenant

L = {}


def truth(name):
    with open(os.path.join(TESTDATA, name), encoding="utf-8") as f:
        return f.read()


def workdir(st, name):
    d = os.path.join(st.dir, name)
    os.makedirs(d, exist_ok=True)
    return d


def copy_in(d, name, as_name=None):
    out = os.path.join(d, as_name or name)
    shutil.copyfile(os.path.join(TESTDATA, name), out)
    return out


def multipage(d, name, copies):
    out = os.path.join(d, f"{os.path.splitext(name)[0]}-{copies}.tif")
    subprocess.run(["tiffcp"] + [os.path.join(TESTDATA, name)] * copies + [out], check=True, capture_output=True)
    return out


def client_cmd(st, lic, files, *args, endpoint=None, app=None):
    return [BIN, "ocr", "--endpoint", endpoint or st.node(lic["region"]).url, "--cacert", st.cert,
            "--license", lic["licenseId"], "--app", app or lic["apps"][0]] + list(args) + list(files)


def client(st, lic, files, *args, endpoint=None, app=None, timeout=600):
    """Runs the client to the end; returns (exit code, parsed --json output or None, stderr)."""
    p = subprocess.run(client_cmd(st, lic, files, *args, endpoint=endpoint, app=app), capture_output=True,
                       text=True, timeout=timeout)
    out = json.loads(p.stdout) if "--json" in args and p.stdout.strip() else None
    return p.returncode, out, p.stderr


def jobs_of(st, lic, app=None):
    r = st.node(lic["region"]).request("GET", "/v1/jobs?limit=100", headers=tenant(lic, app))
    assert r.status == 200, r
    return r.json()["jobs"]


def test_discovery_from_the_wrong_region(st):
    lic = L["us"]
    d = workdir(st, "discovery")
    f = copy_in(d, "phototest.tif")
    rc, out, err = client(st, lic, [f], "--json", endpoint=st.node("EU").url)
    assert rc == 0, (rc, out, err)
    assert out["endpoint"] == st.node("US").url and out["error"] is None and out["exitCode"] == 0, out
    (res,) = out["files"]
    assert res["status"] == "completed" and res["exitCode"] == 0 and res["error"] is None, res
    assert res["outputs"] == {"text": os.path.join(d, "phototest.txt")}, res
    assert res["jobId"] in [j["jobId"] for j in jobs_of(st, lic)]
    with open(os.path.join(d, "phototest.txt"), encoding="utf-8") as fh:
        assert accuracy(fh.read(), truth("phototest.txt")) > 0.95
    assert err == "", err  # not a terminal: quiet


def test_every_format(st):
    lic = L["us"]
    d = workdir(st, "formats")
    out_dir = os.path.join(d, "out") + "/"
    f = copy_in(d, "phototest.tif", "page one.tif")
    formats = ["text", "json", "hocr", "pdf", "tsv", "alto"]
    args = [a for fmt in formats for a in ("--format", fmt)]
    rc, out, err = client(st, lic, [f], "-o", out_dir, "--json", *args)
    assert rc == 0, (rc, out, err)
    written = out["files"][0]["outputs"]
    names = {"text": "page one.txt", "json": "page one.json", "hocr": "page one.hocr", "pdf": "page one.pdf",
             "tsv": "page one.tsv", "alto": "page one.xml"}
    assert written == {k: out_dir + v for k, v in names.items()}, written
    for fmt, path in written.items():
        assert os.path.getsize(path) > 0, fmt
    text = open(written["text"], encoding="utf-8").read()
    assert accuracy(text, truth("phototest.txt")) > 0.95, text
    words = [w["text"] for p in json.load(open(written["json"]))["pages"] for w in p["words"]]
    assert accuracy(" ".join(words), truth("phototest.txt")) > 0.9
    assert open(written["pdf"], "rb").read(5) == b"%PDF-"
    assert "ocr_page" in open(written["hocr"], encoding="utf-8").read()
    assert "<alto" in open(written["alto"], encoding="utf-8").read()
    assert open(written["tsv"], encoding="utf-8").readline().startswith("level\t")
    # The job was asked for exactly these outputs.
    job = [j for j in jobs_of(st, lic) if j["jobId"] == out["files"][0]["jobId"]][0]
    assert job["options"]["outputs"] == formats and job["document"]["name"] == "page one.tif", job


def test_several_files_at_once(st):
    lic = L["us"]
    d = workdir(st, "several")
    files = [copy_in(d, n) for n in ("phototest.tif", "8087_054.3B.tif", "eurotext.tif")]
    rc, out, err = client(st, lic, files, "--jobs", "2", "--json")
    assert rc == 0, (rc, out, err)
    res = out["files"]
    assert [r["file"] for r in res] == files
    assert len({r["jobId"] for r in res}) == 3, res
    assert all(r["status"] == "completed" for r in res), res
    for name in ("phototest", "8087_054.3B"):
        got = open(os.path.join(d, name + ".txt"), encoding="utf-8").read()
        assert accuracy(got, truth(name + ".txt")) > 0.9, name
    assert os.path.getsize(os.path.join(d, "eurotext.txt")) > 100


def test_idempotency_key(st):
    lic = L["us"]
    app = lic["apps"][1]  # an app of its own: its job list is this test's alone
    d = workdir(st, "idem")
    f = copy_in(d, "phototest.tif")
    rc1, out1, err1 = client(st, lic, [f], "--json", app=app)
    assert rc1 == 0, err1
    os.unlink(os.path.join(d, "phototest.txt"))
    # The same command again (a retry after a lost answer, say): the same job, nothing new created.
    rc2, out2, err2 = client(st, lic, [f], "--json", app=app)
    assert rc2 == 0, err2
    assert out1["files"][0]["jobId"] == out2["files"][0]["jobId"]
    assert len(jobs_of(st, lic, app)) == 1
    assert os.path.getsize(os.path.join(d, "phototest.txt")) > 0
    # Other options make another job.
    rc3, out3, _ = client(st, lic, [f], "--json", "--option", "deskew=true", app=app)
    assert rc3 == 0 and out3["files"][0]["jobId"] != out1["files"][0]["jobId"]
    assert len(jobs_of(st, lic, app)) == 2


def test_exit_codes(st):
    lic = L["us"]
    d = workdir(st, "codes")
    f = copy_in(d, "phototest.tif")
    bad = dict(lic, licenseId=str(uuid.uuid4()))
    rc, out, err = client(st, bad, [f], "--json", app=str(uuid.uuid4()))
    assert rc == 3 and "InvalidCredentials" in err, (rc, err)
    assert out["endpoint"] is None and out["files"] == [] and out["exitCode"] == 3, out
    assert out["error"]["errorCode"] == "InvalidCredentials", out
    for args in (["--format", "docx2"], ["--option", "deskew"], ["--jobs", "0"], ["--bogus"],
                 ["-o", os.path.join(d, "one.txt"), "--format", "text", "--format", "pdf"]):
        rc, _, err = client(st, lic, [f], *args)
        assert rc == 2 and "ocrgate ocr:" in err, (args, rc, err)
    png = copy_in(d, "phototest-rotated-L.png", "phototest.png")
    rc, _, err = client(st, lic, [f, png])
    assert rc == 2 and "would both write" in err, (rc, err)
    rc, _, err = client(st, lic, [])
    assert rc == 2 and "no input file" in err, err
    rc, _, err = client(st, lic, [os.path.join(d, "missing.tif")])
    assert rc == 2 and "missing.tif" in err, err
    # An option the API refuses: its message, and the usage code.
    rc, out, err = client(st, lic, [f], "--option", "noSuchOption=1", "--json")
    assert rc == 2 and "UnrecognizedInput" in err and out["files"][0]["error"]["errorCode"] == "UnrecognizedInput"
    # A document the API refuses (not an image): 415 and its message, exit 1.
    junk = os.path.join(d, "notes.tif")
    with open(junk, "w") as fh:
        fh.write("not an image at all\n")
    rc, _, err = client(st, lic, [junk])
    assert rc == 1 and "415" in err, (rc, err)
    # A file over the tier's byte limit: refused before the upload, nothing created.
    st.run_cli(["tier", "create", "--name", "small", "--hourly-quota", "1000", "--max-file-bytes", "20000"])
    small = st.seed_license("US", tier="small", apps=1, name="small")
    rc, out, err = client(st, small, [f], "--json")
    assert rc == 1 and "over the tier's limit of 20000 bytes" in err, (rc, err)
    assert out["files"][0]["error"]["errorCode"] == "PayloadTooLarge" and not jobs_of_no_count(st, small), out
    # No gateway at all: retried, then 5.
    rc, _, err = client(st, lic, [f], "--retry-for", "1.5", endpoint=f"https://localhost:{free_port()}")
    assert rc == 5 and "retrying" in err, (rc, err)
    rc = subprocess.run([BIN, "ocr", "--help"], capture_output=True, text=True)
    assert rc.returncode == 0 and "Exit status" in rc.stdout and "alto" in rc.stdout


def test_quota_exhausted_waits_then_succeeds(st):
    # The EU node's clock (test_clock_offset_s) stands 30 s before the top of the hour: the window resets soon.
    node = st.node("EU")
    st.run_cli(["tier", "create", "--name", "q40", "--hourly-quota", "40"])
    lic = st.seed_license("EU", tier="q40", apps=1, name="quota")
    now = int(time.time())
    node.stop()
    node.extra["test_clock_offset_s"] = (3600 - now % 3600) - 30
    node.start()
    while (r := node.request("GET", "/v1/languages", headers=tenant(lic))).status == 200:
        pass
    assert r.status == 429 and int(r.header("retry-after")) >= 5, r
    d = workdir(st, "quota")
    f = copy_in(d, "phototest.tif")
    rc, out, err = client(st, lic, [f], "--json", "--max-wait", "0", endpoint=st.node("US").url)
    assert rc == 4 and out["files"][0]["error"]["errorCode"] == "QuotaExceeded", (rc, out, err)
    assert not jobs_of_no_count(st, lic)
    rc, out, err = client(st, lic, [f], "--json", endpoint=st.node("US").url)
    assert rc == 0, (rc, out, err)
    assert "429" in err and "waiting" in err, err
    assert out["files"][0]["status"] == "completed"
    got = open(os.path.join(d, "phototest.txt"), encoding="utf-8").read()
    assert accuracy(got, truth("phototest.txt")) > 0.95


def jobs_of_no_count(st, lic):
    """The license's jobs from its region database (the API would count the call)."""
    return st.psql(f"ocrgate_{lic['region'].lower()}", "SELECT job_id FROM jobs WHERE license_id = '%s'" % lic["licenseId"])


def test_database_outage_mid_job(st):
    lic = L["us"]
    d = workdir(st, "outage")
    f = multipage(d, "8087_054.3B.tif", 3)
    p = subprocess.Popen(client_cmd(st, lic, [f], "--json", app=lic["apps"][2]), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        node = st.node("US")
        deadline = time.time() + 120
        job = None
        while time.time() < deadline:
            jobs = jobs_of(st, lic, lic["apps"][2])
            if jobs and jobs[0]["pagesDone"] >= 1:
                job = jobs[0]
                break
            time.sleep(0.1)
        assert job is not None and job["status"] == "processing", job
        st.pg_stop()
        time.sleep(4)  # longer than the client's longest poll interval: it meets the outage
        assert node.request("GET", f"/v1/jobs/{job['jobId']}", headers=tenant(lic, lic["apps"][2])).status == 503
        st.pg_start()
        out, err = p.communicate(timeout=300)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, (p.returncode, out, err)
    assert "unavailable" in err and "retrying" in err, err
    res = json.loads(out)["files"][0]
    assert res["jobId"] == job["jobId"] and res["status"] == "completed" and res["pages"] == 3, res
    text = open(os.path.join(d, "8087_054.3B-3.txt"), encoding="utf-8").read()
    assert text.count("\f") == 2 and accuracy(text.split("\f")[2], truth("8087_054.3B.txt")) > 0.9


def test_progress_in_a_terminal(st):
    lic = L["us"]
    d = workdir(st, "tty")
    # Three pages of the larger scan: recognition lasts longer than the client's longest poll interval.
    f = multipage(d, "8087_054.3B.tif", 3)
    sock = f"ocrgate-client-{os.getpid()}"
    cmd = " ".join(f"'{a}'" for a in client_cmd(st, lic, [f], "--limit-rate", "100000"))
    script = os.path.join(d, "run.sh")
    with open(script, "w") as fh:
        fh.write(f"#!/bin/sh\n{cmd}\necho EXIT=$?\nsleep 600\n")
    os.chmod(script, 0o755)
    tmux = ["tmux", "-L", sock]
    subprocess.run(tmux + ["new-session", "-d", "-x", "200", "-y", "20", script], check=True)
    screens = []
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            screen = subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True, text=True).stdout
            screens.append(screen)
            if "EXIT=" in screen:
                break
            time.sleep(0.1)
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
    final = screens[-1]
    assert "EXIT=0" in final, final
    bar = re.compile(r"uploading \[(#*)(\.*)\] +(\d+)% [\d.]+ kB of [\d.]+ kB")
    mid_upload = [m for s in screens for m in bar.finditer(s) if 0 < int(m.group(3)) < 100 and m.group(1)]
    assert mid_upload, "no upload bar seen:\n" + "\n---\n".join(screens[:5])
    counter = re.compile(r"processing \[[#.]+\] pages (\d)/3")
    assert any(counter.search(s) for s in screens), "no page counter seen:\n" + "\n---\n".join(screens[-5:])
    assert re.search(r"^\.\.\..*tty/8087_054\.3B-3\.tif +completed \[#+\] pages 3/3, wrote .*8087_054\.3B-3\.txt",
                     final, re.M), final
    assert os.path.getsize(os.path.join(d, "8087_054.3B-3.txt")) > 0


def _start():
    st = Stack(nodes={"US": 1, "EU": 1}, node_cfg={"US": {"engine_workers": 2}}, name="client").start()
    # Polling for job states counts against the quota: the suite's license has plenty.
    L["us"] = st.seed_license("US", tier="polling", quota=1000000, apps=3, name="client")
    return st


if __name__ == "__main__":
    run([test_discovery_from_the_wrong_region, test_every_format, test_several_files_at_once, test_idempotency_key,
         test_exit_codes, test_quota_exhausted_waits_then_succeeds, test_database_outage_mid_job,
         test_progress_in_a_terminal], _start)
