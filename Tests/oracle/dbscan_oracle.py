#!/usr/bin/env python3
"""scikit-learn's DBSCAN on given design rows; prints its labels as JSON.
Usage: dbscan_oracle.py INPUT.json   INPUT: {"x": rows, "eps": E, "min_samples": M}"""
import json
import sys

import numpy as np
from sklearn.cluster import DBSCAN

d = json.load(open(sys.argv[1]))
m = DBSCAN(eps=d["eps"], min_samples=d["min_samples"], algorithm="brute").fit(np.array(d["x"], dtype=float))
print(json.dumps({"labels": m.labels_.tolist(), "core": m.core_sample_indices_.tolist()}))
