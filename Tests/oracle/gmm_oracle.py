#!/usr/bin/env python3
"""scikit-learn's GaussianMixture started from given weights, means and covariances (as precisions);
prints its labels, membership probabilities (predict_proba), mean log-likelihood (lower_bound_), iterations and means as JSON.
Usage: gmm_oracle.py INPUT.json
INPUT: {"x": rows, "weights": [k], "means": [[d]], "covariances": [[[d]]] or [[d]], "type": "full"|"diag",
        "tol": T, "max_iter": M, "reg": R}"""
import json
import sys

import numpy as np
from sklearn.mixture import GaussianMixture

d = json.load(open(sys.argv[1]))
cov = np.array(d["covariances"], dtype=float)
precisions = np.array([np.linalg.inv(c) for c in cov]) if d["type"] == "full" else 1 / cov
m = GaussianMixture(n_components=len(d["weights"]), covariance_type=d["type"], tol=d["tol"], max_iter=d["max_iter"], reg_covar=d["reg"],
                    weights_init=np.array(d["weights"]), means_init=np.array(d["means"]), precisions_init=precisions).fit(np.array(d["x"], dtype=float))
x = np.array(d["x"], dtype=float)
print(json.dumps({"labels": m.predict(x).tolist(), "proba": m.predict_proba(x).tolist(), "lower_bound": float(m.lower_bound_), "iterations": int(m.n_iter_),
                  "means": m.means_.tolist()}))
