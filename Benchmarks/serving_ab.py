#!/usr/bin/env python3
"""`pulk serve` alone, two or more binaries alternately, under the serving benchmark's wrk load.

This machine's speed moves 20-40% within minutes, so a change is judged by binaries run back to back
in turns, not by runs an hour apart. Each round serves the benchmark's model (serving_bench.py: the
MLflow anchor's 20,000 x 28 rows, 100 trees x 31 leaves) with each binary in turn and measures, per
body (1 row and 100 rows, `dataframe_split` on /invocations): requests/s, p99, and the server's and
wrk's CPU time per request (from /proc), which moves less with the host than requests/s does.

Usage: serving_ab.py PULK_A PULK_B [...] [--rounds 3] [--duration 10]
The first binary trains and registers the model. Prints one line per measure and a JSON line.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent / "shared" / "bench" / "anchors"))
from common import free_port, start_server, stop_server, wait_http  # noqa: E402
from mlflow_serve import LUA_TEMPLATE, make_body  # noqa: E402
from serving_bench import data, pulk  # noqa: E402

TICKS = 100  # /proc/PID/stat clock ticks per second (USER_HZ)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure(binary: str, ws: Path, lua: Path, rows: int, duration: int, work: Path, server_args: tuple = ()) -> dict:
    """wrk against `pulk serve bench@champion`, or against `pulk SERVER_ARGS…` when given (its /health answers when up)."""
    port = free_port()
    command = [binary, *server_args] if server_args else [binary, "serve", "bench@champion", "--log-level", "notice"]
    proc = start_server([*command, "--port", str(port), "--workspace", str(ws)], work / "serve.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/{'health' if server_args else 'ready'}", proc=proc)
        before = cpu_seconds(proc.pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(["wrk", "-t2", "-c32", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(lua),
                              f"http://127.0.0.1:{port}"], capture_output=True, text=True, timeout=duration + 60).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server = cpu_seconds(proc.pid) - before
        if server_args:
            time.sleep(2)  # a server's background work (its serving log's last batch)
    finally:
        stop_server(proc)
    r = json.loads(next(x for x in out.splitlines() if x.startswith("WRKJSON "))[len("WRKJSON "):])
    requests = max(r["requests"], 1)
    wrk_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return {"binary": binary, "rows": rows, "requests": r["requests"], "req_per_s": round(r["requests"] / (r["duration_us"] / 1e6), 1),
            "rows_per_s": round(r["requests"] / (r["duration_us"] / 1e6) * rows), "p99_ms": r["lat_p99_us"] / 1000,
            "non_2xx": r["err_status"], "server_cpu_us_per_request": round(server / requests * 1e6, 1),
            "wrk_cores": round(wrk_cpu / duration, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("binaries", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pulk-serving-ab-"))
    ws, luas = prepare(args.binaries[0], work)
    results = []
    for k in range(args.rounds):
        for binary in args.binaries:
            for n in (1, 100):
                m = measure(binary, ws, luas[n], n, args.duration, work)
                m["round"] = k + 1
                results.append(m)
                print(f"round {k + 1} {binary} {n:>3} rows: {m['req_per_s']:>9,.0f} req/s {m['rows_per_s']:>10,} rows/s "
                      f"p99 {m['p99_ms']:.2f} ms, server {m['server_cpu_us_per_request']} µs/request, wrk {m['wrk_cores']} cores", flush=True)
                time.sleep(1)
    print("RESULT " + json.dumps(results))


def prepare(first: str, work: Path) -> tuple:
    """The benchmark's model trained with `first`, registered as bench@champion in WORK/ws; the wrk scripts of the
    1-row and 100-row bodies."""
    ws = work / "ws"
    df, y = data(20_000)
    train = df.copy()
    train["target"] = y
    train.to_csv(work / "train.csv", index=False)
    pulk(first, ws, "data", "add", str(work / "train.csv"), "--name", "bench")
    trained = json.loads(pulk(first, ws, "train", "--data", "bench", "--target", "target", "--model", "gbdt", "--test-size", "0.01",
                              "--param", "num_leaves=31", "--param", "learning_rate=0.1", "--param", "num_iterations=100",
                              "--no-profile", "--out", str(work / "bench.pulk"), "--json"))
    pulk(first, ws, "models", "register", trained["run_id"], "--name", "bench")
    pulk(first, ws, "models", "alias", "bench@champion", "1")
    luas = {}
    for n in (1, 100):
        luas[n] = work / f"post_{n}.lua"
        luas[n].write_text(LUA_TEMPLATE.replace("%BODY%", make_body(df, n)))
    return ws, luas


if __name__ == "__main__":
    main()
