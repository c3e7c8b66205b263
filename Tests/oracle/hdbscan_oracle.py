#!/usr/bin/env python3
"""scikit-learn's HDBSCAN on given design rows; prints its labels as JSON.
Usage: hdbscan_oracle.py INPUT.json
INPUT: {"x": rows, "min_cluster_size": M, "min_samples": S, "method": "eom"|"leaf", "allow_single_cluster": bool}"""
import json
import sys

import numpy as np
from sklearn.cluster import HDBSCAN

d = json.load(open(sys.argv[1]))
m = HDBSCAN(min_cluster_size=d["min_cluster_size"], min_samples=d.get("min_samples"), cluster_selection_method=d["method"],
            allow_single_cluster=d["allow_single_cluster"], algorithm="brute", copy=True).fit(np.array(d["x"], dtype=float))
print(json.dumps({"labels": m.labels_.tolist()}))
