#!/usr/bin/env python3
"""AutoML beside FLAML at the same time budget, in one run: for each dataset, the same 75/25 split
(train_test_split(test_size=0.25, random_state=0), stratified for classes), then FLAML's
AutoML.fit(time_budget=B, seed=0, n_jobs=2, default estimators and metric) and `pulk automl
--time-budget B` (release build) on the training part; both winners are scored on the test part
with the task's metric (ROC AUC for binary, log loss for multiclass, R² for regression: FLAML's
defaults and Pulk's). Each side's peak resident memory is measured for its own process (Pulk's
command; FLAML in a fresh Python process that loads the data and fits). Prints one row per dataset, the win count and each side's wall time against
the budget (goal: Pulk's test score at least FLAML's on 80% of the datasets, never more than 1%
worse, and wall time at most budget × 1.05).

Usage: anchor_automl.py PULK DATA_DIR BUDGET [DATASETS]
DATA_DIR holds the CSVs of ../shared/datasets/fetch.sh; digits and wine come from scikit-learn."""
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn import metrics as M
from sklearn.model_selection import train_test_split

# id: (file or loader, target, task)
DATASETS = {
    "breast_cancer": ("breast_cancer.csv", "target", "binary"),
    "titanic": ("titanic.csv", "survived", "binary"),
    "iris": ("iris.csv", "target", "multiclass"),
    "penguins": ("penguins.csv", "species", "multiclass"),
    "image_segment": ("image_segment.csv", "category", "multiclass"),
    "seattle_weather": ("seattle_weather.csv", "weather", "multiclass"),
    "digits": ("load_digits", "target", "multiclass"),
    "wine": ("load_wine", "target", "multiclass"),
    "diamonds": ("diamonds.csv", "price", "regression"),
    "hitters": ("hitters.csv", "Salary", "regression"),
    "bikeshare_hourly": ("bikeshare_hourly.csv", "bikers", "regression"),
}
METRIC = {"binary": ("roc_auc", True), "multiclass": ("log_loss", False), "regression": ("r2", True)}


def load(name, data_dir):
    source, target, task = DATASETS[name]
    if source.startswith("load_"):
        bunch = getattr(skd, source)(as_frame=True)
        frame = bunch.frame.rename(columns={"target": target})
    else:
        frame = pd.read_csv(os.path.join(data_dir, source))
    frame = frame[frame[target].notna()].reset_index(drop=True)
    stratify = frame[target] if task != "regression" else None
    return train_test_split(frame, test_size=0.25, random_state=0, stratify=stratify), target, task


def score(task, y, proba=None, classes=None, prediction=None):
    if task == "regression":
        return float(M.r2_score(y, prediction))
    if task == "binary":
        positive = classes[1]
        return float(M.roc_auc_score(np.asarray(y) == positive, proba[:, 1]))
    return float(M.log_loss(y, np.clip(proba, 1e-15, 1), labels=classes))


def flaml_measured(name, data_dir, budget):
    """FLAML in a fresh Python process (this script with --flaml) that loads the data itself: its
    score, wall time, best estimator and the process's peak resident memory (MB). An ordinary child
    process, not a multiprocessing worker, whose ensembles scikit-learn would limit to one job."""
    out, memory = run_measured([sys.executable, "-W", "ignore", os.path.abspath(__file__), "--flaml", name, data_dir, str(budget)])
    found = json.loads(out.strip().splitlines()[-1])
    return found["score"], found["wall"], found["best"], memory


def run_measured(cmd):
    """Runs cmd; its stdout and its peak resident memory (MB). Measured by GNU time, which forks the
    command from its own small process: a child that this Python process starts directly carries
    Python's own peak into its ru_maxrss on Linux (checked: `true` "peaks" at this process's 400 MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, cmd, p.stdout, p.stderr)
        return p.stdout, int(rss.read().split()[-1]) / 1024


def flaml(train, test, target, task, budget):
    from flaml import AutoML
    X, y = train.drop(columns=[target]), train[target]
    for c in X.columns:
        if X[c].dtype == object:
            X[c] = X[c].astype("category")
    Xt = test.drop(columns=[target])
    for c in Xt.columns:
        if Xt[c].dtype == object:
            Xt[c] = pd.Categorical(Xt[c], categories=X[c].cat.categories)
    automl = AutoML()
    t0 = time.perf_counter()
    automl.fit(X, y, task="regression" if task == "regression" else "classification", time_budget=budget, seed=0, n_jobs=2, verbose=0)
    wall = time.perf_counter() - t0
    if task == "regression":
        return score(task, test[target], prediction=automl.predict(Xt)), wall, automl.best_estimator
    classes = list(automl.classes_)
    return score(task, test[target], proba=automl.predict_proba(Xt), classes=classes), wall, automl.best_estimator


def pulk(binary, train, test, target, task, budget, tmp):
    train_csv, test_csv = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
    train.to_csv(train_csv, index=False)
    test.to_csv(test_csv, index=False)
    model, out = os.path.join(tmp, "m.pulk"), os.path.join(tmp, "p.csv")
    kind = {"binary": "binary", "multiclass": "multiclass", "regression": "regression"}[task]
    t0 = time.perf_counter()
    stdout, memory = run_measured([binary, "automl", "--data", train_csv, "--target", target, "--task", kind, "--time-budget", f"{budget}s",
                                   "--out", model, "--no-track", "--json", "--workspace", os.path.join(tmp, "ws")])
    wall = time.perf_counter() - t0
    found = json.loads(stdout)
    subprocess.run([binary, "predict", "--model", model, "--data", test_csv, "--out", out, "--workspace", os.path.join(tmp, "ws")],
                   capture_output=True, text=True, check=True)
    p = pd.read_csv(out)
    y = test[target]
    if task == "regression":
        return score(task, y, prediction=p["prediction"].to_numpy()), wall, found["best"]["model"], len(found["leaderboard"]), memory
    columns = [c for c in p.columns if c.startswith("probability_")]
    classes = [c[len("probability_"):] for c in columns]
    # Labels as the test column holds them (numbers stay numbers).
    typed = [type(y.iloc[0])(c) if not isinstance(y.iloc[0], str) else c for c in classes]
    if not isinstance(y.iloc[0], str):
        typed = [int(float(c)) if float(c).is_integer() else float(c) for c in classes]
    return score(task, y, proba=p[columns].to_numpy(), classes=typed), wall, found["best"]["model"], len(found["leaderboard"]), memory


def main():
    warnings.filterwarnings("ignore")
    binary, data_dir, budget = sys.argv[1], sys.argv[2], float(sys.argv[3])
    names = sys.argv[4].split(",") if len(sys.argv) > 4 else list(DATASETS)
    rows, wins, close = [], 0, 0
    print(f"{'dataset':18} {'metric':9} {'Pulk':>9} {'FLAML':>9} {'ratio':>7}  {'Pulk wall':>9} {'FLAML wall':>10}  {'peak MB Pulk/FLAML':>18}  Pulk best (trials) / FLAML best")

    for name in names:
        (train, test), target, task = load(name, data_dir)
        metric, higher = METRIC[task]
        with tempfile.TemporaryDirectory() as tmp:
            mine, my_wall, my_best, trials, my_memory = pulk(binary, train, test, target, task, budget, tmp)
        theirs, their_wall, their_best, their_memory = flaml_measured(name, data_dir, budget)
        ratio = mine / theirs if theirs else float("nan")
        win = mine >= theirs if higher else mine <= theirs
        within = (mine >= theirs * 0.99) if higher else (mine <= theirs * 1.01)
        wins += win
        close += within
        rows.append({"dataset": name, "task": task, "metric": metric, "pulk": mine, "flaml": theirs, "pulk_wall": my_wall, "flaml_wall": their_wall,
                     "pulk_best": my_best, "pulk_trials": trials, "flaml_best": their_best, "win": bool(win), "within_1pct": bool(within),
                     "pulk_peak_mb": my_memory, "flaml_peak_mb": their_memory})
        print(f"{name:18} {metric:9} {mine:9.4f} {theirs:9.4f} {ratio:7.3f}  {my_wall:8.1f}s {their_wall:9.1f}s  {my_memory:8.0f} / {their_memory:7.0f}  {my_best} ({trials}) / {their_best}"
              + ("" if win else ("  (loses, within 1%)" if within else "  (LOSES by more than 1%)")), flush=True)
    n = len(rows)
    over = max(r["pulk_wall"] / budget for r in rows)
    print(f"Pulk at least FLAML's test score on {wins} of {n} datasets ({100 * wins / n:.0f}%; goal 80%), within 1% on {close} of {n}; "
          f"Pulk's longest wall time {over:.3f}× the budget (goal ≤ 1.05; FLAML's {max(r['flaml_wall'] / budget for r in rows):.3f}×)")
    with open(os.path.join("Benchmarks", "results", f"automl_{int(budget)}s.json"), "w") as f:
        json.dump({"budget_s": budget, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "--flaml":
        warnings.filterwarnings("ignore")
        (train, test), target, task = load(sys.argv[2], sys.argv[3])
        found = flaml(train, test, target, task, float(sys.argv[4]))
        print(json.dumps({"score": found[0], "wall": found[1], "best": found[2]}))
    else:
        main()
