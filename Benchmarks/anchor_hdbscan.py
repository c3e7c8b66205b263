#!/usr/bin/env python3
"""HDBSCAN beside scikit-learn's, in one run: the first ROWS rows of the 28 feature columns of a CSV
(the 1M-row synthetic set of ../shared/bench), min_cluster_size M. Pulk: `pulk train --model hdbscan
--no-track` (release build), the whole command (reading, standardising, clustering, the clustering
metrics on a 5,000-row sample). scikit-learn: StandardScaler then HDBSCAN(min_cluster_size=M) with
its default algorithm (a k-d tree) and with algorithm="brute" (Pulk's method), data already in memory.
Prints the times, the ratios and how alike the labels are (adjusted Rand index, noise shares).
Usage: anchor_hdbscan.py PULK FILE|blobs [ROWS] [M]   (blobs: 8 Gaussian blobs of different spreads, make_blobs seed 0)"""
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.cluster import HDBSCAN  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

pulk, path = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
m = int(sys.argv[4]) if len(sys.argv) > 4 else 50
if path == "blobs":  # clusters of different spreads, so that the labels say something
    from sklearn.datasets import make_blobs
    points, _ = make_blobs(n_samples=rows, n_features=28, centers=8, cluster_std=[0.5, 1, 1.5, 2, 1, 0.7, 1.2, 2.5], random_state=0)
    frame = pd.DataFrame(points, columns=[f"f{i}" for i in range(28)])
else:
    frame = pd.read_csv(path, nrows=rows).iloc[:, :28]
with tempfile.TemporaryDirectory() as tmp:
    csv = os.path.join(tmp, "rows.csv")
    frame.to_csv(csv, index=False)
    model, out = os.path.join(tmp, "h.pulk"), os.path.join(tmp, "labels.csv")
    start = time.perf_counter()
    subprocess.run([pulk, "train", "--data", csv, "--model", "hdbscan", "--param", f"min_cluster_size={m}", "--no-track",
                    "--out", model, "--json"], check=True, capture_output=True, cwd=tmp)
    pulk_s = time.perf_counter() - start
    subprocess.run([pulk, "predict", "--model", model, "--data", csv, "--out", out], check=True, capture_output=True, cwd=tmp)
    ours = pd.read_csv(out)["prediction"].to_numpy()
X = StandardScaler().fit_transform(frame.to_numpy(float))
timings, labels = {}, {}
for algorithm in ["auto", "brute"]:
    start = time.perf_counter()
    labels[algorithm] = HDBSCAN(min_cluster_size=m, algorithm=algorithm, copy=True).fit(X).labels_
    timings[algorithm] = time.perf_counter() - start
theirs = labels["brute"]
print(json.dumps({"benchmark": "hdbscan", "rows": rows, "min_cluster_size": m, "pulk_s": pulk_s, "sklearn_auto_s": timings["auto"],
                  "sklearn_brute_s": timings["brute"], "ari": adjusted_rand_score(theirs, ours),
                  "clusters": [int(ours.max() + 1), int(theirs.max() + 1)], "noise_share": [float((ours < 0).mean()), float((theirs < 0).mean())]}))
print(f"HDBSCAN, {rows:,} x 28, min_cluster_size {m}: pulk {pulk_s:.2f} s (whole command), scikit-learn {timings['auto']:.2f} s (auto), "
      f"{timings['brute']:.2f} s (brute): {timings['auto'] / pulk_s:.2f}x / {timings['brute'] / pulk_s:.2f}x as fast; "
      f"labels alike: ARI {adjusted_rand_score(theirs, ours):.4f}, clusters {ours.max() + 1} vs {theirs.max() + 1}, "
      f"noise {100 * (ours < 0).mean():.1f}% vs {100 * (theirs < 0).mean():.1f}%")
