#!/usr/bin/env python3
"""scikit-learn's side of the logistic-regression benchmark: StandardScaler + LogisticRegression(lbfgs)
on the first 800,000 rows, log loss on the last 200,000. Usage: anchor_logistic.py FILE [REPS]"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np  # noqa: E402
import pyarrow.csv as pc  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

t = pc.read_csv(sys.argv[1]).to_pandas()
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
X, y = t.iloc[:, :-1].to_numpy(float), t.iloc[:, -1].to_numpy()
Xtr, ytr, Xte, yte = X[:800_000], y[:800_000], X[800_000:], y[800_000:]
times = []
for _ in range(reps):
    s = time.perf_counter()
    m = make_pipeline(StandardScaler(), LogisticRegression(solver="lbfgs")).fit(Xtr, ytr)
    times.append(time.perf_counter() - s)
loss = log_loss(yte, m.predict_proba(Xte))
print(json.dumps({"benchmark": "anchor_logistic", "fit_median_s": sorted(times)[len(times) // 2], "fit_seconds": times,
                  "test_log_loss": loss, "iterations": int(m[-1].n_iter_[0])}))
