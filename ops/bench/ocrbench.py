"""ops/bench/ocr's sections: OCR throughput and latency through the API, each beside a baseline measured in the
same run (the warm engine alone, bench_ocr_engine, for throughput and latency; the tesseract command line and
ocrmypdf for the older comparisons). The machine is expected to be shared and noisy: every ratio compares runs
made back to back, and the load average is printed with the figures."""
import concurrent.futures as cf
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

from httpbench import ROOT, start
from harness import TESTDATA, tenant

ENGINE_BIN = os.environ.get("BENCH_BIN", os.path.join(ROOT, "build", "engine", "bench_ocr_engine"))
ENV = dict(os.environ, OMP_THREAD_LIMIT="1")
OUTPUTS = "text,json,hocr"
# perf report's shared objects, grouped as the profile split prints them.
DSO_GROUPS = [("tesseract", r"libtesseract"), ("leptonica", r"liblept"), ("png+zlib", r"libpng|libz\."),
              ("libc+libm", r"libc\.|libm\.|libstdc"), ("kernel", r"kernel"), ("tls", r"libssl|libcrypto"),
              ("ocrgate", r"^ocrgate$|bench_ocr_engine")]


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def pages():
    """The three kinds of page: (label, path, content type). The line page is made from the 300-dpi scan."""
    tmp = tempfile.mkdtemp(prefix="ocrbench-")
    line = os.path.join(tmp, "line.png")
    subprocess.run([ENGINE_BIN, "--line-image", os.path.join(TESTDATA, "8087_054.3B.tif"), line], check=True)
    return tmp, [("line 2640x420 8 bpp", line, "image/png"),
                 ("phototest 640x480 1 bpp", os.path.join(TESTDATA, "phototest.tif"), "image/tiff"),
                 ("8087 2560x3300 1 bpp", os.path.join(TESTDATA, "8087_054.3B.tif"), "image/tiff")]


class Profiler:
    """perf record of a process (or of a command) at a low rate, then the share of each DSO group. Optional: a
    machine without perf, or a user who may not trace, gets no split."""
    enabled = shutil.which("perf") is not None and os.geteuid() == 0

    def __init__(self, tmp, name):
        self.out = os.path.join(tmp, f"{name}.perf")
        self.proc = None

    def attach(self, pid):
        if self.enabled:
            self.proc = subprocess.Popen(["perf", "record", "-q", "-F", "299", "-p", str(pid), "-o", self.out],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.3)  # perf needs a moment before it samples

    def wrap(self, cmd):
        return ["perf", "record", "-q", "-F", "299", "-o", self.out, "--"] + cmd if self.enabled else cmd

    def detach(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait()

    def split(self):
        if not self.enabled or not os.path.exists(self.out):
            return None
        rep = subprocess.run(["perf", "report", "-i", self.out, "--sort", "dso", "--stdio", "-q"],
                             capture_output=True, text=True).stdout
        shares = {g: 0.0 for g, _ in DSO_GROUPS}
        shares["other"] = 0.0
        for line in rep.splitlines():
            m = re.match(r"\s*([\d.]+)%\s+(\S+)", line)
            if not m:
                continue
            group = next((g for g, rx in DSO_GROUPS if re.search(rx, m[2])), "other")
            shares[group] += float(m[1])
        return shares


def fmt_split(shares):
    if shares is None:
        return "(no profile: perf missing or not root)"
    return ", ".join(f"{g} {v:.0f}%" for g, v in shares.items() if v >= 0.5)


def engine(path, n, threads, prof=None, page_path=False):
    """The warm engine alone on `threads` recognizers (1 or 2): n recognitions of the page, decoded once; with
    page_path, n pages the way a job worker runs them (decoded from the document's bytes each time, recognized,
    page image made). Returns bench_ocr_engine's figures (capi1_ms_per_page, capi2_pages_per_s, ...)."""
    cmd = [ENGINE_BIN, path, str(n), str(threads)]
    env = dict(ENV, OCRGATE_BENCH_PAGE_PATH="1" if page_path else "0")
    out = subprocess.run(prof.wrap(cmd) if prof else cmd, env=env, check=True, capture_output=True,
                         text=True).stdout
    return {k: float(v) for k, v in re.findall(r"^(\w+)=([\d.]+)$", out, re.M)}


def cpu_seconds(pids):
    """User + system CPU seconds of the processes (and their threads), as /proc says now."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


def postgres_pids(st):
    """The bench cluster's postmaster and its children (backends, writers)."""
    with open(os.path.join(st.pgdir, "data", "postmaster.pid")) as f:
        master = f.readline().strip()
    kids = [master]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[1] == master:
                        kids.append(d)
            except OSError:
                pass
    return kids


class Api:
    """One gateway node with `workers` engine workers, a tenant, and the calls the sections make."""

    def __init__(self, workers):
        self.st, self.lic = start({"engine_workers": workers})
        self.node = self.st.node("US")
        self.db = "ocrgate_us"
        self.docs = {}

    def stop(self):
        self.st.stop()

    def doc(self, path):
        """The bytes of the document at path, read once."""
        if path not in self.docs:
            with open(path, "rb") as f:
                self.docs[path] = f.read()
        return self.docs[path]

    def submit(self, path, ctype, outputs=OUTPUTS):
        r = self.node.request("POST", f"/v1/jobs?outputs={outputs}",
                              headers=dict(tenant(self.lic), **{"Content-Type": ctype}), body=self.doc(path))
        assert r.status == 201, r
        return r.json()["jobId"]

    def job(self, jid, conn=None):
        return self.node.request("GET", f"/v1/jobs/{jid}", headers=tenant(self.lic), conn=conn).json()

    def wait_all(self, ids, poll=0.05):
        """Jobs run in submission order: waits for each in turn, polling gently so that the client does not
        take CPU from the workers."""
        conn = self.node.connect()
        for jid in ids:
            while True:
                j = self.job(jid, conn)
                if j["status"] in ("completed", "failed", "canceled"):
                    assert j["status"] == "completed", j
                    break
                time.sleep(poll)
        conn.close()

    def engine_ms(self, jid):
        return self.node.request("GET", f"/v1/jobs/{jid}/pages", headers=tenant(self.lic)).json()["items"][0][
            "engineMs"]


def throughput(api, kinds, counts, rounds, tmp):
    """Per kind of page: the warm engine on 2 recognizers, then the API with 2 workers on as many one-page jobs,
    back to back; the ratio of pages/s is the target of the section (>= 0.9). CPU seconds per page are printed
    beside (the engine's recognitions; the gateway process and the PostgreSQL cluster for the API) with their
    ratio, which other load on the machine disturbs far less than wall time."""
    print(f"\nthroughput: one-page jobs, outputs {OUTPUTS}, 2 engine workers vs the warm engine on 2 threads "
          f"(bench_ocr_engine: decoded once, same outputs); page path: the engine on 2 threads running each page "
          f"as a job worker does (decoded from the document's bytes, recognized, page image), no service around it")
    print(f"{'page':<26}{'jobs':>5}{'engine p/s':>11}{'path p/s':>9}{'API p/s':>9}{'ratio':>7}{'engine CPU':>12}"
          f"{'path CPU':>10}{'gateway':>9}{'pg':>7}{'ratio':>7}   load")
    pg = postgres_pids(api.st)
    splits = []
    for rnd in range(rounds):
        for (label, path, ctype), n in zip(kinds, counts):
            eprof = Profiler(tmp, f"engine-{rnd}-{len(splits)}")
            ef = engine(path, n, 2, eprof)
            eng = ef["capi2_pages_per_s"]
            pf = engine(path, n, 2, page_path=True)
            aprof = Profiler(tmp, f"api-{rnd}-{len(splits)}")
            aprof.attach(api.node.proc.pid)
            gw0, pg0, t0 = cpu_seconds([api.node.proc.pid]), cpu_seconds(pg), time.time()
            ids = [api.submit(path, ctype) for _ in range(n)]
            api.wait_all(ids)
            dt = time.time() - t0
            gw1, pg1 = cpu_seconds([api.node.proc.pid]), cpu_seconds(pg)
            aprof.detach()
            pps = n / dt
            ecpu, gcpu, pcpu = ef["capi2_cpu_s_per_page"], (gw1 - gw0) / n, (pg1 - pg0) / n
            print(f"{label:<26}{n:>5}{eng:>11.2f}{pf['capi2_pages_per_s']:>9.2f}{pps:>9.2f}{pps / eng:>7.2f}"
                  f"{ecpu:>12.3f}{pf['capi2_cpu_s_per_page']:>10.3f}{gcpu:>9.3f}{pcpu:>7.3f}"
                  f"{ecpu / (gcpu + pcpu):>7.2f}   {load_average()}", flush=True)
            splits.append((label, eprof.split(), aprof.split()))
    print("(CPU columns: seconds per page)\nCPU profile split (perf, share of the process's samples):")
    for label, e, a in splits:
        print(f"  {label}: engine alone: {fmt_split(e)}")
        print(f"  {label}: API node:     {fmt_split(a)}")


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def probe(api, jid, seconds, rate, until=None):
    """GET /v1/jobs/{jid} `rate` times a second on one keep-alive connection (as a client polling a job does),
    for `seconds` or while until(job) holds; returns the latencies in ms."""
    conn = api.node.connect()
    lat, deadline, nxt = [], time.time() + seconds, time.perf_counter()
    while time.time() < deadline:
        t = time.perf_counter()
        j = api.job(jid, conn)
        lat.append((time.perf_counter() - t) * 1000)
        if until is not None and not until(j):
            break
        nxt += 1 / rate
        time.sleep(max(0, nxt - time.perf_counter()))
    conn.close()
    return lat


def one_job(api, path, ctype, conn, wait):
    """One job of the page, timed from the client's side; wait "poll": POST /v1/jobs, then GET /v1/jobs/{id}
    every 2 ms until it is final; "sync": POST /processing/ocr, which answers once the job is finished (woken by
    the final-state notification: no request meanwhile). Returns (latency ms, job id)."""
    t = time.perf_counter()
    if wait == "sync":
        r = api.node.request("POST", f"/processing/ocr?outputs={OUTPUTS}", body=api.doc(path), conn=conn,
                             headers=dict(tenant(api.lic), **{"Content-Type": ctype}), timeout=120)
        assert r.status == 201, r
        jid = r.json()["processing_id"]
    else:
        jid = api.submit(path, ctype)
        while api.job(jid, conn)["status"] not in ("completed", "failed"):
            time.sleep(0.002)
    return (time.perf_counter() - t) * 1000, jid


def latency(api, kinds, runs, busy_jobs):
    """Single-page latency against the recognition alone, and the event loops' answer time while every worker
    is busy against the same probe on an idle node. Each page is waited for in both ways, alternately: a client
    polling every 2 ms (500 requests a second, each of which costs the client, a loop thread and a PostgreSQL
    backend CPU on this 2-core machine, at the expense of the recognition, which runs niced: its engineMs
    grows) and the synchronous call, which sends nothing while it waits."""
    print(f"\nlatency: one job at a time, submit to completed, {runs} runs per page and way of waiting (poll: GET "
          f"every 2 ms; sync: POST /processing/ocr), alternately; server ms: the job row's created_at to finished_at "
          f"(the database's clock: the service alone, without the client's POST and polls), claim ms: created_at "
          f"to started_at")
    print(f"{'page':<26}{'wait':>5}{'latency ms':>12}{'engineMs':>10}{'overhead':>10}{'server ms':>11}{'overhead':>10}"
          f"{'claim ms':>10}{'warm engine ms':>16}   load")
    for label, path, ctype in kinds[:2]:
        warm = engine(path, runs, 1)["capi1_ms_per_page"]
        rows = {w: ([], [], [], []) for w in ("poll", "sync")}
        conn = api.node.connect()
        for _ in range(runs):
            for wait, (lat, eng, srv, claim) in rows.items():
                ms, jid = one_job(api, path, ctype, conn, wait)
                lat.append(ms)
                eng.append(api.engine_ms(jid))
                row = api.st.psql(api.db, "SELECT extract(epoch FROM finished_at - created_at) * 1000, extract(epoch"
                                  f" FROM started_at - created_at) * 1000 FROM jobs WHERE job_id = '{jid}'")
                srv.append(float(row.split("|")[0]))
                claim.append(float(row.split("|")[1]))
        conn.close()
        for wait, (lat, eng, srv, claim) in rows.items():
            ml, me, ms = statistics.median(lat), statistics.median(eng), statistics.median(srv)
            print(f"{label:<26}{wait:>5}{ml:>12.0f}{me:>10.0f}{ml - me:>10.0f}{ms:>11.0f}{ms - me:>10.0f}"
                  f"{statistics.median(claim):>10.1f}{warm:>16.0f}   {load_average()}", flush=True)

    label, path, ctype = kinds[2]
    idle_job = api.submit(kinds[1][1], kinds[1][2])
    api.wait_all([idle_job])
    idle = probe(api, idle_job, 8, 40)
    ids = [api.submit(path, ctype) for _ in range(busy_jobs)]
    time.sleep(0.5)  # both workers have claimed a page
    busy = probe(api, ids[-1], 600, 40, until=lambda j: j["status"] == "scheduled")
    api.wait_all(ids)
    print(f"GET /v1/jobs/{{id}} at 40/s on one connection: idle node p50 {percentile(idle, 50):.1f} ms, p99 "
          f"{percentile(idle, 99):.1f} ms ({len(idle)} requests); every worker busy ({busy_jobs} x {label} "
          f"queued) p50 {percentile(busy, 50):.1f} ms, p99 {percentile(busy, 99):.1f} ms, max {max(busy):.1f} ms "
          f"({len(busy)} requests), ratio of p99s {percentile(busy, 99) / percentile(idle, 99):.2f}   "
          f"load {load_average()}")


STMT_RX = re.compile(r"^\S+ (\d\d:\d\d:\d\d\.\d+) \S+ \[(\d+)\] LOG:  duration: ([\d.]+) ms  "
                     r"(?:(parse|bind|execute) [^:]*|statement): (.*)$")


def statement_names():
    """sql/db.c's statements as (leading SQL text, name), longest first: the worker's statements are unnamed
    in the server's log, so they are told apart by their text."""
    with open(os.path.join(ROOT, "sql", "db.c")) as f:
        src = f.read()
    out = []
    for m in re.finditer(r'\{"(\w+)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', src):
        sql = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m[2])).replace('\\"', '"')
        if len(sql) >= 12:
            out.append((sql, m[1]))
    return sorted(out, key=lambda x: -len(x[0]))


def breakdown(api, path, ctype, runs=7):
    """Where one single-page job's time goes: PostgreSQL logs every statement of a few jobs (its end time, its
    backend, its duration), and the median job prints as a timeline from the POST: each statement (parse, bind
    and execute of it summed), the gap before it (the worker's own work, recognition among it, or a wait) and
    the database's time."""
    log = os.path.join(api.st.pgdir, "server.log")
    names = statement_names()
    api.st.psql("postgres", "ALTER SYSTEM SET log_min_duration_statement = 0")
    api.st.psql("postgres", "ALTER SYSTEM SET log_line_prefix = '%m [%p] '")
    api.st.psql("postgres", "ALTER SYSTEM SET log_parameter_max_length = 0")  # the page image is no log line
    api.st.psql("postgres", "SELECT pg_reload_conf()")
    time.sleep(0.5)
    conn = api.node.connect()
    jobs = []
    for _ in range(runs):
        start = os.path.getsize(log)
        t0 = time.time()
        jid = api.submit(path, ctype)
        polls = 0
        while api.job(jid, conn)["status"] not in ("completed", "failed"):
            polls += 1
            time.sleep(0.002)
        t1 = time.time()
        time.sleep(0.3)  # the log catches up
        with open(log) as f:
            f.seek(start)
            lines = f.read().splitlines()
        jobs.append((t1 - t0, t0, lines, api.engine_ms(jid), polls))
    conn.close()
    api.st.psql("postgres", "ALTER SYSTEM RESET log_min_duration_statement")
    api.st.psql("postgres", "ALTER SYSTEM RESET log_parameter_max_length")
    api.st.psql("postgres", "SELECT pg_reload_conf()")
    wall, t0, lines, eng, polls = sorted(jobs, key=lambda j: j[0])[len(jobs) // 2]
    day = time.strftime("%Y-%m-%d", time.gmtime(t0))
    print(f"\nbreakdown of one {os.path.basename(path)} job (median of {runs}, statement log on): submit to "
          f"completed seen {wall * 1000:.1f} ms, engineMs {eng}, {polls} polls   load {load_average()}")
    print(f"{'at ms':>8}{'gap ms':>8}{'db ms':>8}{'backend':>9}  statement")
    prev, db_total, acc = None, 0.0, {}
    polls_seen = 0
    for line in lines:
        m = STMT_RX.match(line)
        if not m:
            continue
        tm = time.mktime(time.strptime(f"{day} {m[1][:8]}", "%Y-%m-%d %H:%M:%S")) - time.timezone
        at = (tm + float("0" + m[1][8:]) - t0) * 1000
        dur, pid, phase, sql = float(m[3]), m[2], m[4], m[5]
        name = next((n for pre, n in names if sql.startswith(pre)), sql[:40])
        if phase in ("parse", "bind"):
            acc[pid] = acc.get(pid, 0.0) + dur
            continue
        dur += acc.pop(pid, 0.0)
        db_total += dur
        if name == "job_get":
            polls_seen += 1
            continue
        gap = 0.0 if prev is None else at - dur - prev
        print(f"{at:>8.1f}{gap:>8.1f}{dur:>8.2f}{pid:>9}  {name}")
        prev = at
    print(f"database time {db_total:.1f} ms of {wall * 1000:.1f} ms ({polls_seen} job_get polls among it)")


def cli(api, n_photo, n_big):
    """Pages/s through the API against the tesseract command line, 2 workers vs 2 processes."""
    files = [(os.path.join(TESTDATA, "phototest.tif"), "image/tiff")] * n_photo + \
        [(os.path.join(TESTDATA, "8087_054.3B.tif"), "image/tiff")] * n_big
    t0 = time.time()
    api.wait_all([api.submit(f, c) for f, c in files])
    api_pps = len(files) / (time.time() - t0)
    tmp = tempfile.mkdtemp()

    def one(i):
        subprocess.run(["tesseract", files[i][0], os.path.join(tmp, str(i)), "txt", "hocr"], env=ENV, check=True,
                       capture_output=True)
    t0 = time.time()
    with cf.ThreadPoolExecutor(2) as ex:
        list(ex.map(one, range(len(files))))
    cli_pps = len(files) / (time.time() - t0)
    shutil.rmtree(tmp)
    print(f"\nagainst the command line: {n_photo} x phototest.tif + {n_big} x 8087_054.3B.tif")
    print(f"{'':<44}{'pages/s':>10}{'ratio':>8}")
    print(f"{'tesseract CLI, 2 processes (txt+hocr)':<44}{cli_pps:>10.2f}{1.0:>8.2f}")
    print(f"{'ocrgate API, 2 workers (text+json+hocr)':<44}{api_pps:>10.2f}{api_pps / cli_pps:>8.2f}")


def pdf(api, m=10):
    """Searchable PDFs through the API against ocrmypdf, 2 workers vs 2 processes (when ocrmypdf is installed)."""
    if not shutil.which("ocrmypdf"):
        print("\nsearchable PDF: ocrmypdf not installed, skipped")
        return
    photo = os.path.join(TESTDATA, "phototest.tif")
    t0 = time.time()
    api.wait_all([api.submit(photo, "image/tiff", "pdf") for _ in range(m)])
    api_pdf = m / (time.time() - t0)
    tmp = tempfile.mkdtemp()

    def one(i):
        subprocess.run(["ocrmypdf", "--image-dpi", "200", "-l", "eng", photo, os.path.join(tmp, f"{i}.pdf")],
                       env=ENV, check=True, capture_output=True)
    t0 = time.time()
    with cf.ThreadPoolExecutor(2) as ex:
        list(ex.map(one, range(m)))
    ocrmypdf_pps = m / (time.time() - t0)
    shutil.rmtree(tmp)
    print(f"\nsearchable PDF, {m} x phototest: ocrmypdf (2 processes) {ocrmypdf_pps:.2f} pages/s, ocrgate API "
          f"{api_pdf:.2f} pages/s, ratio {api_pdf / ocrmypdf_pps:.2f}")


def rss(api):
    with open(f"/proc/{api.node.proc.pid}/status") as f:
        kb = [line for line in f if line.startswith("VmHWM")][0].split()[1]
    print(f"\ngateway peak RSS: {int(kb) / 1024:.0f} MiB")
