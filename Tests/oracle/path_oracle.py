#!/usr/bin/env python3
"""scikit-learn's enet_path on centred data for the design matrix in a JSON file: alphas and coefficients.
Usage: path_oracle.py INPUT.json"""
import json
import sys

import numpy as np
from sklearn.linear_model import enet_path

d = json.load(open(sys.argv[1]))
X, y = np.array(d["x"], dtype=float), np.array(d["y"], dtype=float)
Xc, yc = X - X.mean(axis=0), y - y.mean()
alphas, coefs, _ = enet_path(Xc, yc, l1_ratio=d["l1_ratio"], n_alphas=d["count"], eps=1e-3, tol=1e-10, max_iter=100000)
print(json.dumps({"alphas": alphas.tolist(), "coefs": coefs.T.tolist()}))
