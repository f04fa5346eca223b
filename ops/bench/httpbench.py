"""Shared driver of the HTTP benchmarks: starts a private PostgreSQL and one gateway node (the same harness the
integration tests use), seeds a license with an effectively unlimited tier, and runs wrk against endpoints in
the same run so that ratios compare like with like. Prints requests/s and latency percentiles per endpoint."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("OCRGATE_BIN", os.path.join(ROOT, "build", "ocrgate"))
os.environ.setdefault("OCRGATE_SRC", ROOT)

from harness import Stack  # noqa: E402

LUA = """
wrk.headers["X-License-Id"] = "%s"
wrk.headers["X-App-Id"] = "%s"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.1f %%.1f %%.1f\\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
"""


def start(node_cfg=None):
    cfg = {"access_log": "''", "log_level": "warn", "engine_workers": 1, "auth_cache_ttl_s": 3600}
    cfg.update(node_cfg or {})
    st = Stack(nodes={"US": 1}, node_cfg={"US": cfg}, name="bench").start()
    st.run_cli(["tier", "create", "--name", "bench", "--hourly-quota", "2000000000"])
    lic = st.seed_license("US", tier="bench", apps=1, name="bench")
    return st, lic


def wrk(st, lic, path, seconds=8, conns=64, threads=2):
    lua = os.path.join(st.dir, "bench.lua")
    with open(lua, "w") as f:
        f.write(LUA % (lic["licenseId"], lic["apps"][0]))
    url = st.node("US").url + path
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "-s", lua, url],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    n, errors, p50, p99, dur = int(m[1]), int(m[2]), float(m[3]), float(m[4]), float(m[5])
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"path": path, "rps": n / (dur / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "errors": errors + (int(non2xx[1]) if non2xx else 0), "requests": n}


def report(rows, base):
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}")
    for r in rows:
        print(f"{r['label']:<28}{r['rps']:>10.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['errors']:>8}"
              f"{r['rps'] / base['rps']:>8.2f}")


def compare(st, lic, endpoints, seconds, conns, rounds=3):
    """Runs every endpoint `rounds` times, interleaved (so that machine noise hits all alike), and keeps each
    endpoint's median round by req/s."""
    for path, _ in endpoints:
        wrk(st, lic, path, 1, conns)  # warm every loop thread's caches
    runs = {path: [] for path, _ in endpoints}
    for _ in range(rounds):
        for path, _ in endpoints:
            runs[path].append(wrk(st, lic, path, seconds, conns))
    rows = []
    for path, label in endpoints:
        rs = sorted(runs[path], key=lambda r: r["rps"])
        rows.append(dict(rs[len(rs) // 2], label=label, all=[round(r["rps"]) for r in runs[path]]))
    return rows


def report_rounds(rows):
    report(rows, rows[0])
    for r in rows:
        print(f"  {r['label']}: rounds {r['all']} req/s")
