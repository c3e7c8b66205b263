#!/usr/bin/env python3
"""scikit-learn's IsolationForest on a CSV file: ROC AUC of its anomaly scores (-score_samples)
against a 0/1 label column. Usage: anomaly_oracle.py FILE LABEL N_ESTIMATORS MAX_SAMPLES SEED"""
import json
import sys

import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

path, label, trees, samples, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
t = pd.read_csv(path)
y = t[label].to_numpy()
X = t.drop(columns=[label]).to_numpy(float)
m = IsolationForest(n_estimators=trees, max_samples=samples, random_state=seed).fit(X)
print(json.dumps({"roc_auc": float(roc_auc_score(y, -m.score_samples(X)))}))
