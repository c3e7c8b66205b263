#!/usr/bin/env python3
"""scikit-learn's cross-validation folds (test indices per fold) for the inputs in a JSON file.
Usage: folds_oracle.py INPUT.json"""
import json
import sys

import numpy as np
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

d = json.load(open(sys.argv[1]))
labels, groups, k = np.array(d["labels"]), np.array(d["groups"]), d["k"]
X = np.zeros((len(labels), 1))
out = {
    "kfold": [t.tolist() for _, t in KFold(k).split(X)],
    "stratified": [t.tolist() for _, t in StratifiedKFold(k).split(X, labels)],
    "group": [t.tolist() for _, t in GroupKFold(k).split(X, labels, groups)],
    "timeseries": [[tr.tolist(), t.tolist()] for tr, t in TimeSeriesSplit(k).split(X)],
}
print(json.dumps(out))
