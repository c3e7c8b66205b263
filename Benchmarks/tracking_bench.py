"""Tracking server benchmark: `pulk server` beside `mlflow server` (SQLite, proxied artifacts) in one
run, driven by the same plain HTTP client over one kept-alive loopback connection. Every request is
timed from sending it to receiving its last byte. Prints a table of Pulk / MLflow figures and one
JSON line.

usage: tracking_bench.py PULK_BINARY MLFLOW_BINARY [--pulk-runs 100000] [--mlflow-runs 1000] [--reps 5]"""
import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One kept-alive HTTP/1.1 connection."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(self, method, path, body=None, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        h = {"Content-Type": "application/json"} if raw is None else {"Content-Type": "application/octet-stream"}
        h.update(headers or {})
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed the idle connection (MLflow's workers do): reconnect once.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.conn.host, self.conn.port, timeout=600)
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
        out = r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {path}: {r.status} {out[:300]!r}")
        return out

    def post(self, path, body):
        return json.loads(self.call("POST", "/api/2.0/mlflow/" + path, body) or b"{}")


def rss_kb(pid):
    """Resident memory of a process and its children (MLflow runs gunicorn/uvicorn workers)."""
    total = 0
    pids = [str(pid)]
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
        pids += out
        for p in list(out):
            pids += subprocess.run(["ps", "-o", "pid=", "--ppid", p], capture_output=True, text=True).stdout.split()
    except OSError:
        pass
    for p in set(pids):
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def start(cmd, port, log):
    proc = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 180:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return proc, time.perf_counter() - t0
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start: {open(log).read()[-2000:]}")


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except Exception:
        os.killpg(proc.pid, signal.SIGKILL)


def fill(port, exp, start_index, count, threads=2):
    """Runs as the anchor's fill: create, log_batch(10 params, 1 metric, 1 tag), terminate."""
    now = int(time.time() * 1000)

    def work(lo, hi):
        c = Client(port)
        for r in range(lo, hi):
            rid = c.post("runs/create", {"experiment_id": exp, "start_time": now + r})["run"]["info"]["run_id"]
            c.post("runs/log-batch", {"run_id": rid, "params": [{"key": f"p{k}", "value": f"v{k}_{r % 13}"} for k in range(10)],
                                      "metrics": [{"key": "loss", "value": (r % 100) / 100.0, "timestamp": now, "step": 99}],
                                      "tags": [{"key": "fill", "value": "1"}]})
            c.post("runs/update", {"run_id": rid, "status": "FINISHED", "end_time": now + r})
    step = (count + threads - 1) // threads
    ts = [threading.Thread(target=work, args=(start_index + i * step, start_index + min(count, (i + 1) * step))) for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - t0


def drive(name, port, pid, runs, reps, log_metric_calls, batches):
    c = Client(port)
    out = {"idle_rss_mb": round(rss_kb(pid) / 1024, 1)}
    exp = c.post("experiments/create", {"name": "bench"})["experiment_id"]
    rid = c.post("runs/create", {"experiment_id": exp})["run"]["info"]["run_id"]
    # 1. single log-metric requests
    lat = []
    now = int(time.time() * 1000)
    for step in range(log_metric_calls):
        t = time.perf_counter_ns()
        c.post("runs/log-metric", {"run_id": rid, "key": "loss", "value": 1.0 / (1 + step), "timestamp": now, "step": step})
        lat.append((time.perf_counter_ns() - t) / 1e6)
    lat.sort()
    out["log_metric"] = {"n": len(lat), "median_ms": round(statistics.median(lat), 3), "p99_ms": round(lat[int(0.99 * (len(lat) - 1))], 3)}
    print(f"  {name}: log-metric median {out['log_metric']['median_ms']} ms", file=sys.stderr, flush=True)
    # 2. log-batch: 1000 metrics a batch (10 keys x 100 steps), as the anchor
    rid = c.post("runs/create", {"experiment_id": exp})["run"]["info"]["run_id"]
    times = []
    for b in range(batches):
        body = json.dumps({"run_id": rid, "metrics": [{"key": f"bm{k}", "value": float(b * 100 + s), "timestamp": now, "step": b * 100 + s}
                                                      for k in range(10) for s in range(100)]}).encode()
        t = time.perf_counter()
        c.call("POST", "/api/2.0/mlflow/runs/log-batch", raw=body, headers={"Content-Type": "application/json"})
        times.append(time.perf_counter() - t)
    out["log_batch"] = {"batches": batches, "metrics_per_s": round(batches * 1000 / sum(times)), "batch_median_ms": round(statistics.median(times) * 1000, 2)}
    print(f"  {name}: log-batch {out['log_batch']['metrics_per_s']} metrics/s", file=sys.stderr, flush=True)
    # 3. search over `runs` runs
    fill_s = fill(port, exp, 0, runs)
    out["fill"] = {"runs": runs, "seconds": round(fill_s, 1)}
    print(f"  {name}: filled {runs} runs in {fill_s:.1f} s", file=sys.stderr, flush=True)
    queries = {
        "metric_filter_order": {"filter": "metrics.loss < 0.5", "order_by": ["metrics.loss ASC"]},
        "param_filter_order": {"filter": "params.p3 = 'v3_7'", "order_by": ["metrics.loss ASC"]},
        "all_newest": {"filter": "", "order_by": []},
    }
    out["search_runs"] = {}
    for q, spec in queries.items():
        for max_results in (100, 1000):
            times, n = [], 0
            for _ in range(reps):
                # Timed to the response's last byte (as wrk would); parsing it is the client's cost.
                t = time.perf_counter()
                raw = c.call("POST", "/api/2.0/mlflow/runs/search", {"experiment_ids": [exp], "max_results": max_results, **spec})
                times.append(time.perf_counter() - t)
                n = len(json.loads(raw).get("runs", []))
            out["search_runs"][f"{q}_{max_results}"] = {"returned": n, "median_ms": round(statistics.median(times) * 1000, 2)}
    print(f"  {name}: search {out['search_runs']}", file=sys.stderr, flush=True)
    # 4. a 10 MiB artifact up and down through the proxy
    blob = os.urandom(10 << 20)
    up, down = [], []
    # Disk timings on this shared machine swing widely: more repetitions than the other phases.
    for i in range(max(11, reps)):
        path = f"/api/2.0/mlflow-artifacts/artifacts/{exp}/{rid}/artifacts/rep{i}/blob.bin"
        t = time.perf_counter()
        c.call("PUT", path, raw=blob)
        up.append(time.perf_counter() - t)
        t = time.perf_counter()
        got = c.call("GET", path)
        down.append(time.perf_counter() - t)
        assert len(got) == len(blob)
    out["artifact_10mb"] = {"upload_mb_per_s": round(10 / statistics.median(up), 1), "download_mb_per_s": round(10 / statistics.median(down), 1)}
    out["rss_after_mb"] = round(rss_kb(pid) / 1024, 1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pulk")
    ap.add_argument("mlflow")
    ap.add_argument("--pulk-runs", type=int, default=100_000)
    ap.add_argument("--mlflow-runs", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pulk-tracking-bench-")
    results = {}
    try:
        port = free_port()
        proc, up_s = start([a.mlflow, "server", "--backend-store-uri", f"sqlite:///{work}/mlflow.db", "--artifacts-destination", f"{work}/mlflow-artifacts",
                            "--host", "127.0.0.1", "--port", str(port), "--workers", "4"], port, f"{work}/mlflow.log")
        try:
            print(f"mlflow server up in {up_s:.1f} s", file=sys.stderr, flush=True)
            results["mlflow"] = drive("mlflow", port, proc.pid, a.mlflow_runs, a.reps, log_metric_calls=300, batches=20)
        finally:
            stop(proc)
        port = free_port()
        proc, up_s = start([a.pulk, "server", "--workspace", f"{work}/pulk", "--port", str(port)], port, f"{work}/pulk.log")
        try:
            print(f"pulk server up in {up_s:.2f} s", file=sys.stderr, flush=True)
            results["pulk"] = drive("pulk", port, proc.pid, a.pulk_runs, a.reps, log_metric_calls=3000, batches=200)
        finally:
            stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    p, m = results["pulk"], results["mlflow"]
    rows = [
        ("log-metric median (ms), 1 kept-alive connection", p["log_metric"]["median_ms"], m["log_metric"]["median_ms"], "<= 1 ms"),
        ("log-metric p99 (ms)", p["log_metric"]["p99_ms"], m["log_metric"]["p99_ms"], ""),
        ("log-batch metrics/s (1000 a batch)", p["log_batch"]["metrics_per_s"], m["log_batch"]["metrics_per_s"], ">= 100x MLflow"),
    ]
    for q in ("metric_filter_order", "param_filter_order", "all_newest"):
        for n in (100, 1000):
            k = f"{q}_{n}"
            rows.append((f"search_runs {q}, max_results {n} (ms): Pulk over {a.pulk_runs:,} runs, MLflow over {a.mlflow_runs:,}",
                         p["search_runs"][k]["median_ms"], m["search_runs"][k]["median_ms"], "<= 50 ms" if q == "metric_filter_order" else ""))
    rows += [
        ("artifact 10 MiB upload (MB/s)", p["artifact_10mb"]["upload_mb_per_s"], m["artifact_10mb"]["upload_mb_per_s"], ">= 2x MLflow"),
        ("artifact 10 MiB download (MB/s)", p["artifact_10mb"]["download_mb_per_s"], m["artifact_10mb"]["download_mb_per_s"], ">= 2x MLflow"),
        ("server RSS idle (MB)", p["idle_rss_mb"], m["idle_rss_mb"], "< 100 MB"),
        ("server RSS after the run (MB)", p["rss_after_mb"], m["rss_after_mb"], ""),
    ]
    print(f"\n{'measure':<100} {'pulk':>10} {'mlflow':>10} {'pulk/mlflow':>12}  goal")
    for label, pv, mv, goal in rows:
        ratio = pv / mv if mv else float("nan")
        print(f"{label:<100} {pv:>10} {mv:>10} {ratio:>12.4g}  {goal}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
