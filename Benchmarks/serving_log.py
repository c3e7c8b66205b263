#!/usr/bin/env python3
"""An endpoint of `pulk server` with the payload log off and at 100% sampling, alternately, under the serving
benchmark's wrk load (serving_ab.py: the MLflow anchor's 20,000 x 28 rows, 100 trees x 31 leaves, 1-row and 100-row
`dataframe_split` bodies on /endpoints/bench/invocations, wrk -t2 -c32). With the log on, every request's body and
answer go to the workspace's serving log (SQLite, written in batches off the request path, retention 10,000,000 so that every entry stays to be counted); the
entries that reached the log are counted after each run.

Usage: serving_log.py PULK [--rounds 3] [--duration 10]
Prints one line per run, then per body the median requests/s with the log on over off (goal: at least 0.90)."""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from serving_ab import measure, prepare  # noqa: E402
from serving_bench import pulk  # noqa: E402


def logged(ws: Path) -> int:
    db = sqlite3.connect(ws / "pulk.sqlite")
    try:
        return db.execute("SELECT count(*) FROM serving_log").fetchone()[0]
    finally:
        db.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pulk-serving-log-"))
    ws, luas = prepare(args.binary, work)
    for lua in luas.values():
        lua.write_text(lua.read_text().replace('wrk.path = "/invocations"', 'wrk.path = "/endpoints/bench/invocations"'))
    pulk(args.binary, ws, "endpoints", "create", "bench")
    pulk(args.binary, ws, "deploy", "bench", "--model", "bench@champion")
    results = []
    for k in range(args.rounds):
        for n in (1, 100):
            for sample in ("0", "1"):
                db = sqlite3.connect(ws / "pulk.sqlite")
                db.execute("DELETE FROM serving_log")
                db.commit()
                db.close()
                pulk(args.binary, ws, "endpoints", "set", "bench", "--log-sample", sample, "--log-retention", "10000000")
                m = measure(args.binary, ws, luas[n], n, args.duration, work, server_args=("server",))
                m.update(round=k + 1, log_sample=float(sample), logged=logged(ws))
                results.append(m)
                print(f"round {k + 1} {n:>3} rows, log {'on ' if sample == '1' else 'off'}: {m['req_per_s']:>9,.0f} req/s p99 {m['p99_ms']:.2f} ms, "
                      f"server {m['server_cpu_us_per_request']} µs/request, {m['non_2xx']} non-2xx, {m['logged']:,} of {m['requests']:,} in the log", flush=True)
                time.sleep(1)
    summary = {}
    for n in (1, 100):
        on = statistics.median(r["req_per_s"] for r in results if r["rows"] == n and r["log_sample"] == 1)
        off = statistics.median(r["req_per_s"] for r in results if r["rows"] == n and r["log_sample"] == 0)
        summary[f"{n}_rows"] = {"log_off_req_per_s": off, "log_on_req_per_s": on, "ratio_on_over_off": round(on / off, 3)}
        print(f"{n:>3} rows: log on {on:,.0f} req/s, off {off:,.0f} req/s: {on / off:.3f} (goal >= 0.90)", flush=True)
    print("RESULT " + json.dumps({"runs": results, "summary": summary}))


if __name__ == "__main__":
    main()
