#!/usr/bin/env python3
"""scikit-learn's LocalOutlierFactor(novelty=True) on given design rows; prints the training rows'
factors (-negative_outlier_factor_) and the test rows' (-score_samples), as JSON.
Usage: lof_oracle.py INPUT.json   INPUT: {"train": rows, "test": rows, "k": K}"""
import json
import sys

import numpy as np
from sklearn.neighbors import LocalOutlierFactor

d = json.load(open(sys.argv[1]))
m = LocalOutlierFactor(n_neighbors=d["k"], novelty=True, algorithm="brute").fit(np.array(d["train"], dtype=float))
print(json.dumps({"train": (-m.negative_outlier_factor_).tolist(), "test": (-m.score_samples(np.array(d["test"], dtype=float))).tolist()}))
