#!/usr/bin/env python3
"""scikit-learn's side of the k-means benchmark: KMeans(n_clusters=16, init="k-means++", n_init=N,
tol=1e-4, max_iter=300) on the 28 feature columns of every row (no scaling), on 2 threads.
Usage: anchor_kmeans.py FILE [REPS] [N_INIT]"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import pyarrow.csv as pc  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

t = pc.read_csv(sys.argv[1]).to_pandas()
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
n_init = int(sys.argv[3]) if len(sys.argv) > 3 else 3
X = t.iloc[:, :-1].to_numpy(float)
times, inertias, iterations = [], [], []
for rep in range(reps):
    s = time.perf_counter()
    m = KMeans(n_clusters=16, init="k-means++", n_init=n_init, tol=1e-4, max_iter=300, random_state=rep).fit(X)
    times.append(time.perf_counter() - s)
    inertias.append(float(m.inertia_))
    iterations.append(int(m.n_iter_))
print(json.dumps({"benchmark": "anchor_kmeans", "rows": X.shape[0], "columns": X.shape[1], "fit_median_s": sorted(times)[len(times) // 2],
                  "inertia_median": sorted(inertias)[len(inertias) // 2], "inertias": inertias, "iterations": iterations}))
