#!/usr/bin/env python3
"""scikit-learn's side of the ridge / elastic-net benchmark: StandardScaler + Ridge() and
StandardScaler + ElasticNet(alpha=0.1) on the first 800,000 rows, RMSE on the rest.
Usage: anchor_linear.py FILE [REPS]"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import numpy as np  # noqa: E402
import pyarrow.csv as pc  # noqa: E402
from sklearn.linear_model import ElasticNet, Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

t = pc.read_csv(sys.argv[1]).to_pandas()
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
X, y = t.iloc[:, :-1].to_numpy(float), t.iloc[:, -1].to_numpy(float)
Xtr, ytr, Xte, yte = X[:800_000], y[:800_000], X[800_000:], y[800_000:]
out = {"benchmark": "anchor_linear"}
for name, make in (("ridge", lambda: Ridge()), ("elasticnet", lambda: ElasticNet(alpha=0.1))):
    times = []
    for _ in range(reps):
        s = time.perf_counter()
        m = make_pipeline(StandardScaler(), make()).fit(Xtr, ytr)
        times.append(time.perf_counter() - s)
    out[f"{name}_fit_median_s"] = sorted(times)[len(times) // 2]
    out[f"{name}_test_rmse"] = float(np.sqrt(np.mean((m.predict(Xte) - yte) ** 2)))
print(json.dumps(out))
