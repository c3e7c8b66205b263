"""Boosting parity table: `pulk train --model gbdt` against LightGBM with equal parameters.

usage: parity_boosting.py PULK DATASETS_DIR [--splits N]

Every row trains both on the same rows and scores the same held-out 25% (stratified for classes),
over N seeded splits (default 5); the table prints each side's mean, the ratio (Pulk / LightGBM for
losses, the difference for AUC and accuracy), the tolerance written beside the row and a verdict.
A dataset that is missing is printed as SKIPPED with the reason, never left out silently.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split

pulk, data_dir = sys.argv[1], sys.argv[2]
splits = int(sys.argv[sys.argv.index("--splits") + 1]) if "--splits" in sys.argv else 5
here = os.path.dirname(os.path.abspath(__file__))
oracle = os.path.join(here, "..", "Tests", "oracle", "lightgbm_parity.py")


def bundled(name):
    b = getattr(skd, "load_" + name)()
    f = pd.DataFrame(b.data, columns=[f"x{i}" for i in range(b.data.shape[1])])
    f["label"] = [f"c{v}" for v in b.target]
    return f


def csv(name, drop=()):
    path = os.path.join(data_dir, name + ".csv")
    if not os.path.exists(path):
        return None
    return pd.read_csv(path).drop(columns=list(drop))


def flights():
    f = csv("nycflights13_flights")
    if f is None:
        return None
    f = f[f.arr_delay.notna()].sample(n=40000, random_state=0)
    return pd.DataFrame({"carrier": f.carrier, "origin": f.origin, "dest": f.dest, "hour": f.hour, "distance": f.distance,
                         "delayed": np.where(f.arr_delay > 15, "yes", "no")})


# (name, frame loader, target, objective, metric, tolerance, kind): kind "ratio" compares Pulk / LightGBM
# against 1 + tolerance (losses), "diff" compares Pulk - LightGBM against -tolerance (scores).
rows = [
    ("digits", lambda: bundled("digits"), "label", "multiclass", "log_loss", 0.02, "ratio"),
    ("digits", lambda: bundled("digits"), "label", "multiclass", "accuracy", 0.005, "diff"),
    ("wine", lambda: bundled("wine"), "label", "multiclass", "log_loss", 0.02, "ratio"),
    ("iris", lambda: bundled("iris"), "label", "multiclass", "log_loss", 0.02, "ratio"),
    ("image_segment", lambda: csv("image_segment"), "category", "multiclass", "log_loss", 0.02, "ratio"),
    ("penguins", lambda: csv("penguins"), "species", "multiclass", "log_loss", 0.02, "ratio"),
    ("breast_cancer", lambda: csv("breast_cancer"), "target", "binary", "roc_auc", 0.003, "diff"),
    ("titanic", lambda: csv("titanic", drop=["name"]), "survived", "binary", "roc_auc", 0.003, "diff"),
    ("flights delayed > 15 min (categorical)", flights, "delayed", "binary", "roc_auc", 0.003, "diff"),
    ("diamonds", lambda: csv("diamonds"), "price", "regression", "rmse", 0.02, "ratio"),
    ("bikeshare_hourly", lambda: csv("bikeshare_hourly", drop=["casual", "registered"]), "bikers", "regression", "rmse", 0.02, "ratio"),
    ("hitters", lambda: csv("hitters"), "Salary", "regression", "rmse", 0.02, "ratio"),
]

print(f"{'dataset':40s} {'objective':11s} {'metric':9s} {'Pulk':>10s} {'LightGBM':>10s} {'ratio/diff':>10s} {'tolerance':>10s}  verdict")
failed = 0
cache = {}
with tempfile.TemporaryDirectory() as tmp:
    for name, load, target, objective, metric, tol, kind in rows:
        key = (name, objective)
        if key not in cache:
            frame = load()
            if frame is None:
                cache[key] = None
            else:
                frame = frame[frame[target].notna()]
                ours, theirs = [], []
                for seed in range(splits):
                    strat = frame[target] if objective != "regression" else None
                    tr, te = train_test_split(frame, test_size=0.25, random_state=seed, stratify=strat)
                    a, b = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
                    tr.to_csv(a, index=False)
                    te.to_csv(b, index=False)
                    theirs.append(json.loads(subprocess.check_output([sys.executable, oracle, a, b, target, objective],
                                                                     stderr=subprocess.DEVNULL)))
                    out = subprocess.check_output([pulk, "train", "--data", a, "--test-data", b, "--target", target, "--model", "gbdt",
                                                   "--param", f"objective={objective}", "--no-track", "--out", os.path.join(tmp, "m.pulk"),
                                                   "--json", "--workspace", os.path.join(tmp, "ws")], stderr=subprocess.DEVNULL)
                    ours.append({m["name"]: m["value"] for m in json.loads(out)["report"]["metrics"]})
                cache[key] = (ours, theirs)
        got = cache[key]
        if got is None:
            print(f"{name:40s} {objective:11s} {metric:9s} SKIPPED: {name}.csv not in {data_dir} (../shared/datasets/fetch.sh exports it)")
            continue
        ours = float(np.mean([o[metric] for o in got[0]]))
        theirs = float(np.mean([t[metric] for t in got[1]]))
        if kind == "ratio":
            value, ok, shown = ours / theirs, ours / theirs <= 1 + tol, f"{ours / theirs:.3f}"
            tol_text = f"≤ {1 + tol:.2f}"
        else:
            value, ok, shown = ours - theirs, ours - theirs >= -tol, f"{ours - theirs:+.4f}"
            tol_text = f"≥ {-tol:+.3f}"
        failed += 0 if ok else 1
        print(f"{name:40s} {objective:11s} {metric:9s} {ours:10.5f} {theirs:10.5f} {shown:>10s} {tol_text:>10s}  {'ok' if ok else 'OUTSIDE'}")
print(f"\nmeans over {splits} seeded 75/25 splits; {failed} row(s) outside tolerance")
