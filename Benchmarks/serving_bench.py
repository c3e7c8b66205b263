#!/usr/bin/env python3
"""Serving benchmark: `pulk serve` beside `mlflow models serve` under the same wrk load, one run.

  1. The anchor: ../shared/bench/anchors/mlflow_serve.py (LightGBM, 20,000 x 28, 100 trees x 31 leaves,
     make_classification seed 7; wrk -t2 -c32 on POST /invocations with 1-row and 100-row dataframe_split bodies).
  2. Pulk: the same data and the same GBDT settings through `pulk train`, registered, served by
     `pulk serve MODEL@ALIAS` (release), the same wrk command and bodies.
  3. A traffic switch under load: `pulk server` with an endpoint of two deployments, wrk on it while
     `pulk endpoints traffic` flips blue/green every half second; every non-2xx and socket error counted.
  4. Batch scoring: a registered 1,000,000-row dataset through `pulk score`, beside LightGBM's
     Booster.predict on the same rows (in memory, no CSV written) for reference.

Usage: serving_bench.py PULK VENV_PYTHON [--duration 20] [--batch-rows 1000000] [--workers 1,2]
Prints a table of Pulk / MLflow figures and a final JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "bench" / "anchors"
sys.path.insert(0, str(SHARED))
from common import free_port, start_server, stop_server, wait_http  # noqa: E402
from mlflow_serve import LUA_TEMPLATE, N_FEATURES, make_body, run_wrk  # noqa: E402

os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"


def pulk(binary: str, ws: Path, *args: str) -> str:
    out = subprocess.run([binary, *args, "--workspace", str(ws)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"pulk {' '.join(args)}: {out.stderr}")
    return out.stdout


def data(rows: int, seed: int = 7):
    import pandas as pd
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=rows, n_features=N_FEATURES, n_informative=18, random_state=seed)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(N_FEATURES)])
    return df, y


def wrk_both(url: str, work: Path, bodies: dict, duration: int, path: str = "/invocations") -> dict:
    out = {}
    for n, body in bodies.items():
        lua = work / f"post_{n}.lua"
        lua.write_text(LUA_TEMPLATE.replace("%BODY%", body).replace('wrk.path = "/invocations"', f'wrk.path = "{path}"'))
        r = run_wrk(url, lua, duration, 2, 32)
        r["rows_per_s"] = round(r["rps"] * n, 1)
        out[n] = r
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pulk")
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--batch-rows", type=int, default=1_000_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--skip-mlflow", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pulk-serving-bench-"))
    ws = work / "ws"
    result: dict = {}

    # 1. MLflow's anchor, in this run.
    if not args.skip_mlflow:
        anchor = subprocess.run([sys.executable, str(SHARED / "mlflow_serve.py"), "--workers", args.workers, "--reps", "1",
                                 "--duration", str(args.duration)], capture_output=True, text=True)
        if anchor.returncode != 0:
            raise RuntimeError(anchor.stderr[-3000:])
        result["mlflow"] = json.loads(anchor.stdout.strip().splitlines()[-1])

    # 2. Pulk on the same data and model settings.
    df, y = data(20_000)
    train = df.copy()
    train["target"] = y
    train.to_csv(work / "train.csv", index=False)
    pulk(args.pulk, ws, "data", "add", str(work / "train.csv"), "--name", "bench")
    trained = json.loads(pulk(args.pulk, ws, "train", "--data", "bench", "--target", "target", "--model", "gbdt", "--test-size", "0.01",
                              "--param", "num_leaves=31", "--param", "learning_rate=0.1", "--param", "num_iterations=100",
                              "--no-profile", "--out", str(work / "bench.pulk"), "--json"))
    pulk(args.pulk, ws, "models", "register", trained["run_id"], "--name", "bench")
    pulk(args.pulk, ws, "models", "alias", "bench@champion", "1")
    bodies = {1: make_body(df, 1), 100: make_body(df, 100)}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for level in ["notice", "info"]:
        proc = start_server([args.pulk, "serve", "bench@champion", "--port", str(port), "--workspace", str(ws), "--log-level", level],
                     work / f"serve-{level}.log")
        try:
            wait_http(url + "/ready", proc=proc)
            req = urllib.request.Request(url + "/invocations", data=bodies[1].encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req) as r:
                sample = json.loads(r.read())
            result[f"pulk_{level}"] = {"sample_response": sample, **{f"rows_{n}": r for n, r in wrk_both(url, work, bodies, args.duration).items()}}
        finally:
            stop_server(proc)

    # 3. A traffic switch under load.
    pulk(args.pulk, ws, "endpoints", "create", "bench", "--max-concurrency", "1024")
    pulk(args.pulk, ws, "deploy", "bench", "--model", "bench@champion", "--deployment", "blue", "--traffic", "100")
    pulk(args.pulk, ws, "deploy", "bench", "--model", "bench:1", "--deployment", "green", "--traffic", "0")
    sport = free_port()
    server = start_server([args.pulk, "server", "--port", str(sport), "--workspace", str(ws)], work / "server.log")
    switches = 0
    try:
        wait_http(f"http://127.0.0.1:{sport}/endpoints/bench/ready", proc=server)
        lua = work / "switch.lua"
        lua.write_text(LUA_TEMPLATE.replace("%BODY%", bodies[1]).replace('wrk.path = "/invocations"', 'wrk.path = "/endpoints/bench/invocations"'))
        load = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{args.duration}s", "--timeout", "10s", "--latency", "-s", str(lua),
                                 f"http://127.0.0.1:{sport}"], stdout=subprocess.PIPE, text=True)
        end = time.time() + args.duration - 2
        time.sleep(1)
        while time.time() < end:
            split = ["blue=0", "green=100"] if switches % 2 == 0 else ["blue=100", "green=0"]
            pulk(args.pulk, ws, "endpoints", "traffic", "bench", *split)
            switches += 1
            time.sleep(0.5)
        out, _ = load.communicate()
        line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
        r = json.loads(line[len("WRKJSON "):])
        r["rps"] = round(r["requests"] / (r["duration_us"] / 1e6), 1)
        events = json.loads(pulk(args.pulk, ws, "endpoints", "show", "bench", "--json"))["events"]
        r["switches"] = switches
        r["traffic_events"] = sum(1 for e in events if e["kind"] == "traffic")
        r["non_2xx_and_errors"] = r["err_status"] + r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
        result["switch"] = r
    finally:
        stop_server(server)

    # 4. Batch scoring of a registered dataset.
    big, _ = data(args.batch_rows, seed=11)
    big.to_csv(work / "big.csv", index=False)
    pulk(args.pulk, ws, "data", "add", str(work / "big.csv"), "--name", "big")
    scored = []
    for _ in range(3):
        scored.append(json.loads(pulk(args.pulk, ws, "score", "--model", "bench@champion", "--data", "big", "--out", str(work / "scored.csv"),
                                      "--no-track", "--json")))
    best = max(scored, key=lambda s: s["rows_per_second"])
    # The CSV path, with the process's peak resident memory (VmHWM) against the file's size.
    proc = subprocess.Popen([args.pulk, "score", "--model", "bench@champion", "--data", str(work / "big.csv"), "--out", str(work / "scored2.csv"),
                             "--no-track", "--json", "--workspace", str(ws)], stdout=subprocess.PIPE, text=True)
    peak_kb = 0
    while proc.poll() is None:
        try:
            for line in open(f"/proc/{proc.pid}/status"):
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    csv_scored = json.loads(proc.stdout.read())
    csv_mb = (work / "big.csv").stat().st_size / 1e6
    import lightgbm as lgb
    booster = lgb.train(dict(objective="binary", num_leaves=31, learning_rate=0.1, num_threads=2, verbose=-1), lgb.Dataset(df, label=y), num_boost_round=100)
    t = time.perf_counter()
    booster.predict(big, num_threads=2)
    lgb_rate = args.batch_rows / (time.perf_counter() - t)
    result["batch"] = {"rows": args.batch_rows, "pulk_dataset_rows_per_s": round(best["rows_per_second"]),
                       "pulk_dataset_rows_per_s_all": [round(s["rows_per_second"]) for s in scored],
                       "pulk_csv_file_rows_per_s": round(csv_scored["rows_per_second"]),
                       "pulk_csv_peak_rss_mb": round(peak_kb / 1024, 1), "csv_file_mb": round(csv_mb, 1),
                       "lightgbm_predict_in_memory_rows_per_s": round(lgb_rate)}
    shutil.rmtree(work, ignore_errors=True)
    print("RESULT " + json.dumps(result), file=sys.stderr)

    # Table.
    def row(label, pulk_v, mlflow_v, unit):
        ratio = f"{pulk_v / mlflow_v:.1f}x" if mlflow_v else "-"
        print(f"| {label} | {pulk_v:,.0f} {unit} | {mlflow_v:,.0f} {unit} | {ratio} |")

    print("| measure | pulk | mlflow models serve (best of workers) | pulk / mlflow |")
    print("|---|---|---|---|")
    mlflow_best = {}
    for n in (1, 100):
        cands = [w[f"rows_{n}"] for w in result.get("mlflow", {}).get("by_workers", {}).values()]
        mlflow_best[n] = max(cands, key=lambda r: r["rps"]) if cands else {"rps": 0, "lat_p99_us": 0, "lat_p50_us": 0}
    for level in ["notice", "info"]:
        p = result[f"pulk_{level}"]
        tag = "request log off" if level == "notice" else "request log on"
        row(f"1-row req/s ({tag})", p["rows_1"]["rps"], mlflow_best[1]["rps"], "req/s")
        print(f"| 1-row p50 / p99 ({tag}) | {p['rows_1']['lat_p50_us'] / 1000:.2f} / {p['rows_1']['lat_p99_us'] / 1000:.2f} ms | "
              f"{mlflow_best[1]['lat_p50_us'] / 1000:.0f} / {mlflow_best[1]['lat_p99_us'] / 1000:.0f} ms | |")
        row(f"100-row rows/s ({tag})", p["rows_100"]["rows_per_s"], mlflow_best[100]["rps"] * 100, "rows/s")
    s = result["switch"]
    print(f"| traffic switch under load | {s['switches']} switches, {s['requests']:,} requests, {s['non_2xx_and_errors']} non-2xx/errors, {s['rps']:,.0f} req/s | | |")
    b = result["batch"]
    print(f"| batch scoring, 1M-row dataset | {b['pulk_dataset_rows_per_s']:,} rows/s (CSV file: {b['pulk_csv_file_rows_per_s']:,} rows/s, "
          f"peak RSS {b['pulk_csv_peak_rss_mb']} MB for a {b['csv_file_mb']} MB file) | "
          f"LightGBM predict in memory: {b['lightgbm_predict_in_memory_rows_per_s']:,} rows/s | |")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
