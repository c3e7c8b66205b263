#!/usr/bin/env python3
"""scikit-learn's linear models fitted on the design matrix in a JSON file; prints predictions.
Usage: linear_oracle.py INPUT.json   (input: {"x": [[row]...], "y": [...], "models": [{"name", "params"}]})"""
import json
import sys

import numpy as np
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge

d = json.load(open(sys.argv[1]))
X, y = np.array(d["x"], dtype=float), np.array(d["y"], dtype=float)
classes = {"linear": LinearRegression, "ridge": Ridge, "lasso": Lasso, "elasticnet": ElasticNet}
out = {}
for m in d["models"]:
    model = classes[m["name"]](**m["params"]).fit(X, y)
    out[m["key"]] = model.predict(X).tolist()
print(json.dumps(out))
