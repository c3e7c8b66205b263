"""Web UI benchmark: `pulk server`'s pages over 100,000 runs in one experiment and a run with
100,000 points of one metric, beside what MLflow's UI asks its server for the same views (its runs
table is `ajax-api/2.0/mlflow/runs/search`, its charts `metrics/get-history-bulk-interval`, or the
whole history), in one run. Pulk's time is server-side (the Server-Timing header of the page) and
end to end (request to last byte); pages are also loaded in headless Chromium when one is given.

usage: webui_bench.py PULK_BINARY MLFLOW_BINARY [--pulk-runs 100000] [--mlflow-runs 1000] [--points 100000] [--reps 20] [--chromium PATH]"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracking_bench import Client, fill, free_port, start, stop  # noqa: E402


def timed(c, method, path, body=None, reps=20):
    """Median and p95 of end-to-end time, the median Server-Timing render time, the body size."""
    wall, server, size, last = [], [], 0, b""
    for _ in range(reps):
        data = json.dumps(body).encode() if body is not None else None
        t0 = time.perf_counter()
        c.conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        r = c.conn.getresponse()
        last = r.read()
        wall.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise RuntimeError(f"{path}: {r.status} {last[:300]!r}")
        m = re.search(r"dur=([0-9.]+)", r.getheader("Server-Timing") or "")
        if m:
            server.append(float(m.group(1)))
        size = len(last)
    wall.sort()
    return {"median_ms": round(statistics.median(wall), 2), "p95_ms": round(wall[int(0.95 * (len(wall) - 1))], 2),
            "server_ms": round(statistics.median(server), 2) if server else None, "bytes": size}, last


def log_points(c, run_id, points):
    now = int(time.time() * 1000)
    for lo in range(0, points, 1000):
        c.post("runs/log-batch", {"run_id": run_id, "metrics": [
            {"key": "loss", "value": 1.0 / (s + 1) + (0.5 if s % 9973 == 0 else 0), "timestamp": now + s, "step": s} for s in range(lo, min(points, lo + 1000))]})


def seed(name, port, runs, points):
    """One experiment filled with `runs` runs, and a run with `points` points of one metric."""
    c = Client(port)
    exp = c.post("experiments/create", {"name": "scale"})["experiment_id"]
    t = fill(port, exp, 0, runs)
    print(f"{name}: {runs:,} runs logged in {t:.0f} s", file=sys.stderr, flush=True)
    big = c.post("runs/create", {"experiment_id": exp, "run_name": "100k points"})["run"]["info"]["run_id"]
    log_points(c, big, points)
    return c, exp, big


def browser(chromium, urls):
    if not chromium:
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, os.path.join(here, "..", "Tests", "oracle", "browser_check.py"), "--chromium", chromium,
                          "--out", tempfile.mkdtemp(prefix="pulk-webui-shots-")] + urls, capture_output=True, text=True)
    try:
        return [{"url": r["url"], "load_ms": r["load_ms"], "problems": r["problems"]} for r in json.loads(out.stdout)]
    except ValueError:
        return [{"error": out.stderr[-500:]}]


def pulk(binary, work, runs, points, reps, chromium):
    port = free_port()
    proc, _ = start([binary, "server", "--workspace", f"{work}/pulk", "--port", str(port)], port, f"{work}/pulk.log")
    try:
        c, exp, big = seed("pulk", port, runs, points)
        out = {}
        base = f"/ui/experiments/{exp}"
        out["runs_page"], first = timed(c, "GET", base, reps=reps)
        token = re.search(rb'rel="next" href="[^"]*page_token=([^"&]+)', first)
        out["runs_page_2"], _ = timed(c, "GET", base + "?page_token=" + token.group(1).decode(), reps=reps) if token else ({}, b"")
        q = urllib.parse.urlencode({"order": "metrics.`loss` DESC"})
        out["runs_page_by_metric"], _ = timed(c, "GET", f"{base}?{q}", reps=reps)
        q = urllib.parse.urlencode({"filter": "metrics.loss > 0.5 and params.p1 = 'v1_3'", "order": "metrics.`loss` DESC"})
        out["runs_page_filtered"], _ = timed(c, "GET", f"{base}?{q}", reps=reps)
        out["run_page_100k_points"], page = timed(c, "GET", f"/ui/runs/{big}", reps=reps)
        m = re.search(rb"(\d+) points, drawn as (\d+)", page)
        out["points_drawn"] = int(m.group(2)) if m else None
        out["browser"] = browser(chromium, [f"http://127.0.0.1:{port}{base}", f"http://127.0.0.1:{port}/ui/runs/{big}"])
        return out
    finally:
        stop(proc)


def mlflow(binary, work, runs, points, reps):
    port = free_port()
    proc, _ = start([binary, "server", "--backend-store-uri", f"sqlite:///{work}/mlflow.db", "--artifacts-destination", f"{work}/mlflow-artifacts",
                     "--host", "127.0.0.1", "--port", str(port), "--workers", "4"], port, f"{work}/mlflow.log")
    try:
        c, exp, big = seed("mlflow", port, runs, points)
        out = {}
        # What its runs table asks for (100 runs a page, newest first) and its charts' requests.
        out["runs_search_100"], _ = timed(c, "POST", "/ajax-api/2.0/mlflow/runs/search",
                                          {"experiment_ids": [exp], "max_results": 100, "order_by": ["attributes.start_time DESC"]}, reps=reps)
        out["runs_search_100_by_metric"], _ = timed(c, "POST", "/ajax-api/2.0/mlflow/runs/search",
                                                    {"experiment_ids": [exp], "max_results": 100, "order_by": ["metrics.`loss` DESC"]}, reps=reps)
        out["history_full"], _ = timed(c, "GET", f"/ajax-api/2.0/mlflow/metrics/get-history?run_id={big}&metric_key=loss&max_results=100000", reps=max(3, reps // 4))
        try:
            out["history_bulk_interval"], _ = timed(c, "GET", f"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={big}&metric_key=loss&max_results=320", reps=reps)
        except RuntimeError as e:
            out["history_bulk_interval"] = {"error": str(e)[:200]}
        return out
    finally:
        stop(proc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pulk")
    ap.add_argument("mlflow")
    ap.add_argument("--pulk-runs", type=int, default=100_000)
    ap.add_argument("--mlflow-runs", type=int, default=1000)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--chromium", default=shutil.which("chromium"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pulk-webui-bench-")
    try:
        m = mlflow(a.mlflow, work, a.mlflow_runs, a.points, a.reps)
        p = pulk(a.pulk, work, a.pulk_runs, a.points, a.reps, a.chromium)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [
        (f"runs page, newest first: Pulk HTML over {a.pulk_runs:,} runs (server ms) | MLflow runs/search 100 over {a.mlflow_runs:,}", p["runs_page"]["server_ms"], m["runs_search_100"]["median_ms"], "< 300 ms"),
        ("runs page end to end (ms, request to last byte)", p["runs_page"]["median_ms"], m["runs_search_100"]["median_ms"], ""),
        ("runs page 2 (keyset page token), server ms", p["runs_page_2"].get("server_ms"), m["runs_search_100"]["median_ms"], "< 300 ms"),
        ("runs page sorted by a metric, server ms | MLflow search ordered by the metric", p["runs_page_by_metric"]["server_ms"], m["runs_search_100_by_metric"]["median_ms"], "< 300 ms"),
        ("runs page filtered (metric and param) and sorted, server ms", p["runs_page_filtered"]["server_ms"], m["runs_search_100_by_metric"]["median_ms"], "< 300 ms"),
        (f"run with {a.points:,} points: Pulk page, server ms | MLflow full get-history ms", p["run_page_100k_points"]["server_ms"], m["history_full"]["median_ms"], ""),
        ("  bytes sent: Pulk page (whole HTML) | MLflow full history (JSON)", p["run_page_100k_points"]["bytes"], m["history_full"]["bytes"], ""),
        ("  points drawn: Pulk | MLflow full history", p["points_drawn"], a.points, "no browser freeze"),
    ]
    print(f"\n{'measure':<112} {'pulk':>10} {'mlflow':>10} {'pulk/mlflow':>12}  goal")
    for label, pv, mv, goal in rows:
        ratio = pv / mv if pv is not None and mv else float("nan")
        print(f"{label:<112} {pv!s:>10} {mv!s:>10} {ratio:>12.4g}  {goal}")
    if p.get("browser"):
        for b in p["browser"]:
            print(f"chromium load: {b}")
    print(json.dumps({"pulk": p, "mlflow": m}))


if __name__ == "__main__":
    main()
