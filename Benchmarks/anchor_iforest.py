#!/usr/bin/env python3
"""scikit-learn's side of the isolation-forest benchmark: IsolationForest(n_estimators=100,
max_samples=256, n_jobs=2) on the 28 feature columns of every row; fit, then score_samples of every
row. Usage: anchor_iforest.py FILE [REPS]"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import pyarrow.csv as pc  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402

t = pc.read_csv(sys.argv[1]).to_pandas()
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
X = t.iloc[:, :-1].to_numpy(float)
fits, scores = [], []
for rep in range(reps):
    s = time.perf_counter()
    m = IsolationForest(n_estimators=100, max_samples=256, n_jobs=2, random_state=rep).fit(X)
    fits.append(time.perf_counter() - s)
    s = time.perf_counter()
    m.score_samples(X)
    scores.append(time.perf_counter() - s)
print(json.dumps({"benchmark": "anchor_iforest", "rows": X.shape[0], "fit_median_s": sorted(fits)[len(fits) // 2],
                  "score_median_s": sorted(scores)[len(scores) // 2]}))
