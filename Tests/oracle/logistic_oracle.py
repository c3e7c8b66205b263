#!/usr/bin/env python3
"""scikit-learn's LogisticRegression fitted on the design matrix in a JSON file; prints class
probabilities and the log loss. Usage: logistic_oracle.py INPUT.json"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

d = json.load(open(sys.argv[1]))
X, y = np.array(d["x"], dtype=float), np.array(d["y"])
penalty = d.get("penalty", "l2")
extra = {} if penalty == "l2" else {"penalty": penalty, "solver": "saga", "l1_ratio": d.get("l1_ratio")}
if penalty == "l1":
    extra.pop("l1_ratio")
m = LogisticRegression(C=d["C"], tol=1e-10, max_iter=100000, class_weight=d.get("class_weight"), **extra).fit(X, y)
p = m.predict_proba(X)
print(json.dumps({"proba": p.tolist(), "log_loss": log_loss(y, p)}))
