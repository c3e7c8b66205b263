#!/usr/bin/env python3
"""A drift report by Pulk beside Evidently's DataDriftPreset, in one run (the anchor of ../shared/bench/anchors/drift.py:
20 float columns, c0 mean +0.2 sd, c1 mean +0.5 sd, c2 sd x1.5, c14 x1.2, the other 16 unchanged).
Pulk: `pulk drift --reference ref --current cur --html FILE --json` (release build) on ROWS x 20 registered versions of a
workspace (registering them is not timed), the whole command: loading both versions, every column's default test
(normed Wasserstein above 1,000 reference rows), the HTML report written. Evidently: Report([DataDriftPreset()]).run on
EV_ROWS x 20 frames already in memory, then save_html. Prints the seconds, the drifted columns of each and the ratio per row.
Usage: anchor_drift.py PULK [ROWS] [EV_ROWS] [REPS]   (run with the Evidently venv's Python)"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drift_data import make_frame  # noqa: E402

warnings.filterwarnings("ignore")
pulk = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
ev_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
SHIFTED = ["c0", "c1", "c2", "c14"]


out = {"rows": rows, "evidently_rows": ev_rows, "columns": 20, "shifted": SHIFTED}
with tempfile.TemporaryDirectory() as tmp:
    ws = os.path.join(tmp, "ws")
    for name, seed, shift in [("ref", 1, False), ("cur", 2, True)]:
        path = os.path.join(tmp, name + ".csv")
        make_frame(rows, seed, shift).to_csv(path, index=False)
        subprocess.run([pulk, "data", "add", path, "--name", name, "--workspace", ws], check=True, capture_output=True)
        os.remove(path)
    html = os.path.join(tmp, "drift.html")
    times, report = [], None
    for _ in range(reps):
        start = time.perf_counter()
        p = subprocess.run([pulk, "drift", "--reference", "ref", "--current", "cur", "--html", html, "--json", "--workspace", ws],
                           check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        report = json.loads(p.stdout)
    out["pulk_s"] = [round(t, 3) for t in times]
    out["pulk_median_s"] = round(statistics.median(times), 3)
    out["pulk_drifted"] = sorted(f["name"] for f in report["features"] if f["drifted"])
    out["pulk_methods"] = sorted({f["method"] for f in report["features"]})
    out["pulk_html_bytes"] = os.path.getsize(html)

from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

ref, cur = make_frame(ev_rows, 1, False), make_frame(ev_rows, 2, True)
times = []
with tempfile.TemporaryDirectory() as tmp:
    for _ in range(reps):
        start = time.perf_counter()
        snap = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
        snap.save_html(os.path.join(tmp, "e.html"))
        times.append(time.perf_counter() - start)
drifted = []
for m in snap.dict().get("metrics", []):
    cfg = m.get("config", {})
    if str(cfg.get("type", "")).endswith("ValueDrift") and float(m["value"]) >= float(cfg.get("threshold", 0.1)):
        drifted.append(cfg.get("column"))
out["evidently_s"] = [round(t, 3) for t in times]
out["evidently_median_s"] = round(statistics.median(times), 3)
out["evidently_drifted"] = sorted(drifted)
per_row_pulk = out["pulk_median_s"] / rows
per_row_ev = out["evidently_median_s"] / ev_rows
out["per_row_ratio_pulk_over_evidently"] = round(per_row_pulk / per_row_ev, 4)
out["goal_1s_met"] = out["pulk_median_s"] <= 1.0
print(f"Pulk: {rows:,} x 20 against {rows:,} rows, HTML written: {out['pulk_median_s']} s (runs {out['pulk_s']}); drifted {out['pulk_drifted']}", file=sys.stderr)
print(f"Evidently DataDriftPreset: {ev_rows:,} x 20, HTML written: {out['evidently_median_s']} s (runs {out['evidently_s']}); drifted {out['evidently_drifted']}", file=sys.stderr)
print(f"per row, Pulk / Evidently: {out['per_row_ratio_pulk_over_evidently']}", file=sys.stderr)
print(json.dumps(out))
