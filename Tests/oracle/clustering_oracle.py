#!/usr/bin/env python3
"""scikit-learn's clustering metrics and KMeans on the rows of a JSON file; prints JSON.
Usage: clustering_oracle.py INPUT.json
INPUT: {"x": rows, "labels": [...], "truth": [...] (optional), "k": K (optional), "n_init": N, "seed": S}"""
import json
import sys

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import (adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score,
                             normalized_mutual_info_score, silhouette_score)

d = json.load(open(sys.argv[1]))
X = np.array(d["x"], dtype=float)
out = {}
if d.get("labels"):
    labels = np.array(d["labels"])
    out["silhouette"] = float(silhouette_score(X, labels))
    out["calinski_harabasz"] = float(calinski_harabasz_score(X, labels))
    out["davies_bouldin"] = float(davies_bouldin_score(X, labels))
    if d.get("truth"):
        out["adjusted_rand"] = float(adjusted_rand_score(d["truth"], labels))
        out["normalized_mutual_info"] = float(normalized_mutual_info_score(d["truth"], labels))
if d.get("k"):
    m = KMeans(n_clusters=d["k"], n_init=d["n_init"], random_state=d["seed"], tol=1e-4, max_iter=300).fit(X)
    out["inertia"] = float(m.inertia_)
print(json.dumps(out))
