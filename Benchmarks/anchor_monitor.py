#!/usr/bin/env python3
"""A monitor window over 1,000,000 logged requests (`pulk monitor run`, release build) beside what a team does
without Pulk: read the same serving log with Python, parse every request body into a pandas frame, and run
Evidently's DataDriftPreset on it (on EV_ROWS of them; the per-row ratio is printed).

Setup (not timed): the drift anchor's 20 float columns (anchor_drift.py: c0, c1, c2 and c14 shifted in the current
window) with a binary target; a logistic model trained on 100,000 reference rows, registered and deployed to the
endpoint `bench`; then ROWS one-row requests as `pulk serve` logs them (a `dataframe_split` body and the scoring
answer with classes and probabilities), spread over the last hour, written straight into the workspace's serving
log, and the true class of 10% of them as feedback.

Timed, Pulk: the whole `pulk monitor run bench-drift --json` command: the window's log read page by page, every body
parsed with the model's input schema, the model's predictions on both windows, every column's default test, the
realized performance from the feedback, the window stored and recorded as a tracking run with its HTML report.
Timed, Python: the same log rows read with sqlite3, each body json.loads'ed into one frame (all ROWS); then
Report([DataDriftPreset()]).run on EV_ROWS of them against the reference.
Usage: anchor_monitor.py PULK [ROWS] [EV_ROWS] [REPS]   (run with the Evidently venv's Python)"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drift_data import make_frame  # noqa: E402

warnings.filterwarnings("ignore")
pulk = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
ev_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
COLUMNS = [f"c{i}" for i in range(20)]


def run(*args):
    return subprocess.run([pulk, *args], check=True, capture_output=True, text=True).stdout


def with_target(frame, seed):
    rng = np.random.default_rng(seed)
    z = 0.8 * (frame["c3"] - frame["c3"].mean()) / frame["c3"].std() - 0.6 * (frame["c5"] - frame["c5"].mean()) / frame["c5"].std()
    frame["y"] = np.where(z + rng.normal(0, 1, len(frame)) > 0, "yes", "no")
    return frame


out = {"requests": rows, "evidently_rows": ev_rows, "columns": 20}
with tempfile.TemporaryDirectory() as tmp:
    ws = os.path.join(tmp, "ws")
    ref = with_target(make_frame(100_000, 1, False), 7)
    ref.to_csv(os.path.join(tmp, "ref.csv"), index=False)
    run("data", "add", os.path.join(tmp, "ref.csv"), "--name", "ref", "--workspace", ws)
    trained = json.loads(run("train", "--data", "ref", "--target", "y", "--model", "logistic", "--no-profile", "--workspace", ws, "--json"))
    run("models", "register", trained["run_id"], "--name", "bench", "--workspace", ws)
    run("endpoints", "create", "bench", "--log-sample", "1", "--log-retention", str(rows), "--workspace", ws)
    run("deploy", "bench", "--model", "bench:1", "--workspace", ws)

    # The current window as the serving log holds it.
    cur = with_target(make_frame(rows, 2, True), 8)
    values = cur[COLUMNS].to_numpy()
    now = int(time.time() * 1000)
    times = np.sort(now - 3_600_000 + np.random.default_rng(3).integers(0, 3_600_000 - 60_000, rows))
    db = sqlite3.connect(os.path.join(ws, "pulk.sqlite"))
    columns_json = json.dumps(COLUMNS)
    log, feedback = [], []
    for i in range(rows):
        rid = uuid.UUID(int=i + 1).hex
        body = '{"dataframe_split": {"columns": ' + columns_json + ', "data": [[' + ", ".join(f"{v:.6g}" for v in values[i]) + "]]}}"
        p = 0.35 + 0.3 * ((i * 2654435761) % 1000) / 1000
        label = "yes" if p >= 0.5 else "no"
        answer = f'{{"predictions": ["{label}"], "classes": ["no", "yes"], "probabilities": [[{1 - p:.4f}, {p:.4f}]], "request_id": "{rid}"}}'
        log.append(("bench", "bench-1", "bench", "1", int(times[i]), rid, 200, 900 + i % 400, 0, 1, body, answer))
        if i % 10 == 0:
            feedback.append(("bench", rid, 0, cur["y"].iat[i], int(times[i]) + 1000))
    db.executemany("INSERT INTO serving_log (endpoint, deployment, model, version, time, request_id, status, latency_us, shadow, rows_scored, input, output) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", log)
    db.executemany("INSERT INTO feedback (endpoint, request_id, row_index, truth, time) VALUES (?, ?, ?, ?, ?)", feedback)
    db.commit()
    db.close()
    del log, feedback
    run("monitor", "create", "bench-drift", "--endpoint", "bench", "--window", "2h", "--every", "1h", "--workspace", ws)

    times_pulk, window = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        window = json.loads(run("monitor", "run", "bench-drift", "--workspace", ws, "--json"))
        times_pulk.append(time.perf_counter() - t0)
    report = json.loads(window["report"])
    performance = json.loads(window["performance"])
    out["pulk_seconds"] = round(statistics.median(times_pulk), 3)
    out["pulk_all"] = [round(t, 3) for t in times_pulk]
    out["pulk_status"] = window["status"]
    out["pulk_rows"] = window["rows"]
    out["pulk_drifted"] = sorted(c["name"] for c in report["features"] if c["drifted"])
    out["pulk_realized_rows"] = performance.get("rows_with_truth")
    out["pulk_latency_p99_ms"] = performance.get("latency_p99_ms")

    # Python: the log read and parsed into a frame, then Evidently.
    from evidently import Report
    from evidently.presets import DataDriftPreset
    t0 = time.perf_counter()
    db = sqlite3.connect(os.path.join(ws, "pulk.sqlite"))
    bodies = db.execute("SELECT input FROM serving_log WHERE endpoint = 'bench' AND time >= ? AND time < ? AND status = 200 AND shadow = 0",
                        (now - 7_200_000, now + 1)).fetchall()
    data = [json.loads(b[0])["dataframe_split"]["data"][0] for b in bodies]
    frame = pd.DataFrame(data, columns=COLUMNS)
    t_read = time.perf_counter() - t0
    db.close()
    sample = frame.iloc[:ev_rows]
    t0 = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(current_data=sample, reference_data=ref[COLUMNS])
    snapshot.save_html(os.path.join(tmp, "evidently.html"))
    t_ev = time.perf_counter() - t0
    out["python_read_parse_seconds"] = round(t_read, 3)
    out["python_rows"] = len(frame)
    out["evidently_seconds"] = round(t_ev, 3)
    python_per_row = t_read / len(frame) + t_ev / len(sample)
    out["python_estimated_seconds_for_all"] = round(python_per_row * rows, 2)
    out["ratio_per_row"] = round((out["pulk_seconds"] / rows) / python_per_row, 4)
print(json.dumps(out))
print(f"pulk monitor run over {rows:,} logged requests: {out['pulk_seconds']} s (goal 2 s); "
      f"Python read+parse {out['python_read_parse_seconds']} s + Evidently {out['evidently_seconds']} s on {ev_rows:,} rows "
      f"(≈ {out['python_estimated_seconds_for_all']} s for all); Pulk per row = {out['ratio_per_row']}× Python+Evidently's", file=sys.stderr)
