#!/usr/bin/env python3
"""Parity of Pulk's learning core with scikit-learn on real datasets: the same rows, preprocessing
and hyperparameters on both sides, test metrics side by side, each within a written tolerance.

Usage: parity_learn.py PULK_BINARY DATASETS_DIR      (exits 1 when a comparison is out of tolerance)

Preprocessing mirrored on the scikit-learn side (Pulk's automatic featurization): constant and
ID-like columns dropped; numbers mean-imputed, standardised, with a missing indicator for columns
that had missing values; text one-hot encoded with at most 50 columns (rare values grouped) after
most-frequent imputation, with a missing indicator.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, roc_auc_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

MISSING = ["", "NA", "N/A", "NaN", "null", "None", "-"]
# dataset, target, task, columns left out on both sides (titanic's passenger names are free text that
# Pulk target-encodes and a plain scikit-learn pipeline would one-hot encode: not comparable)
DATASETS = [("breast_cancer", "target", "binary", []), ("penguins", "species", "multiclass", []),
            ("titanic", "survived", "binary", ["name"]), ("diamonds", "price", "regression", []),
            ("bikeshare_hourly", "bikers", "regression", [])]
# k-NN on titanic's three discrete features has many equally distant neighbours; scikit-learn breaks
# those ties in argpartition order and Pulk in training-row order, so the neighbours differ.
NOT_COMPARABLE = {("titanic", "knn")}
MODELS = {
    "regression": [("linear", {}, LinearRegression, {}, 1e-6), ("ridge", {"alpha": "3"}, Ridge, {"alpha": 3}, 1e-6),
                   ("lasso", {"alpha": "0.5", "tol": "1e-8", "max_iter": "100000"}, Lasso, {"alpha": 0.5, "tol": 1e-8, "max_iter": 100000}, 1e-4),
                   ("elasticnet", {"alpha": "0.2", "l1_ratio": "0.3", "tol": "1e-8", "max_iter": "100000"}, ElasticNet,
                    {"alpha": 0.2, "l1_ratio": 0.3, "tol": 1e-8, "max_iter": 100000}, 1e-4),
                   ("knn-regressor", {"n_neighbors": "5"}, KNeighborsRegressor, {"n_neighbors": 5, "algorithm": "brute"}, 1e-3)],
    "classification": [("logistic", {"C": "0.5", "tol": "1e-8", "max_iter": "5000"}, LogisticRegression,
                        {"C": 0.5, "tol": 1e-8, "max_iter": 5000}, 1e-4),
                       ("knn", {"n_neighbors": "5"}, KNeighborsClassifier, {"n_neighbors": 5, "algorithm": "brute"}, 1e-2),
                       ("naive-bayes", {}, GaussianNB, {}, 1e-6)],
}


def features(df, target):
    cols = []
    for c in df.columns:
        if c == target:
            continue
        s = df[c]
        distinct = s.dropna().nunique()
        if distinct <= 1:
            continue
        is_int_or_text = pd.api.types.is_integer_dtype(s) or s.dtype == object
        if is_int_or_text and s.notna().all() and len(s) >= 20 and distinct == len(s):
            continue
        cols.append(c)
    return cols


def preprocessor(train, cols):
    numeric = [c for c in cols if pd.api.types.is_numeric_dtype(train[c]) and not pd.api.types.is_bool_dtype(train[c])]
    text = [c for c in cols if c not in numeric]
    parts = [("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric)]
    num_missing = [c for c in numeric if train[c].isna().any()]
    if num_missing:
        parts.append(("num_missing", MissingIndicator(), num_missing))
    if text:
        parts.append(("text", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                            OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=50)), text))
        text_missing = [c for c in text if train[c].isna().any()]
        if text_missing:
            parts.append(("text_missing", MissingIndicator(), text_missing))
    return ColumnTransformer(parts, sparse_threshold=0)


def main(pulk, datasets):
    failures = 0
    rows = []
    for name, target, kind, left_out in DATASETS:
        path = os.path.join(datasets, f"{name}.csv")
        df = pd.read_csv(path, keep_default_na=False, na_values=MISSING).drop(columns=left_out)
        df = df[df[target].notna()].reset_index(drop=True)
        if kind != "regression":
            df[target] = df[target].astype(str)
        order = np.random.default_rng(0).permutation(len(df))
        cut = int(len(df) * 0.8)
        train, test = df.iloc[order[:cut]].reset_index(drop=True), df.iloc[order[cut:]].reset_index(drop=True)
        with tempfile.TemporaryDirectory() as tmp:
            train_csv, test_csv = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
            train.to_csv(train_csv, index=False)
            test.to_csv(test_csv, index=False)
            cols = features(train, target)
            task = "regression" if kind == "regression" else "classification"
            for model, pulk_params, cls, sk_params, tol in MODELS[task]:
                if (name, model) in NOT_COMPARABLE:
                    continue
                args = [pulk, "train", "--data", train_csv, "--test-data", test_csv, "--target", target, "--model", model,
                        "--out", os.path.join(tmp, "m.pulk"), "--workspace", os.path.join(tmp, "ws"), "--json"]
                for k, v in pulk_params.items():
                    args += ["--param", f"{k}={v}"]
                out = subprocess.run(args, capture_output=True, text=True)
                if out.returncode != 0:
                    print(f"FAIL {name} {model}: pulk failed: {out.stderr.strip()}")
                    failures += 1
                    continue
                mine = {m["name"]: m["value"] for m in json.loads(out.stdout)["report"]["metrics"]}
                sk = make_pipeline(preprocessor(train, cols), cls(**sk_params)).fit(train[cols], train[target])
                if task == "regression":
                    theirs = {"rmse": float(np.sqrt(mean_squared_error(test[target], sk.predict(test[cols]))))}
                else:
                    proba = sk.predict_proba(test[cols])
                    theirs = {"accuracy": accuracy_score(test[target], sk.predict(test[cols])),
                              "log_loss": log_loss(test[target], proba, labels=sk.classes_)}
                    if kind == "binary":
                        theirs["roc_auc"] = roc_auc_score(test[target], proba[:, 1])
                for metric, value in theirs.items():
                    ours = mine.get(metric)
                    ok = ours is not None and abs(ours - value) <= tol * max(1.0, abs(value))
                    failures += 0 if ok else 1
                    rows.append((name, model, metric, ours, value, tol, "ok" if ok else "FAIL"))
    print(f"{'dataset':18} {'model':14} {'metric':9} {'pulk':>14} {'scikit-learn':>14} {'tolerance':>9}")
    for r in rows:
        print(f"{r[0]:18} {r[1]:14} {r[2]:9} {r[3]:14.6f} {r[4]:14.6f} {r[5]:9.0e} {r[6]}")
    print(f"{len(rows) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
