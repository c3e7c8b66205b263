"""LightGBM on the same train/test files as Pulk: prints the test metrics as JSON.

usage: lightgbm_parity.py TRAIN.csv TEST.csv TARGET OBJECTIVE [name=value ...]
Text columns become pandas categoricals with the training file's sorted categories (Pulk's codes),
so LightGBM splits them natively as Pulk does.
"""
import json
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score

train_path, test_path, target, objective = sys.argv[1:5]
params = {"objective": objective, "verbose": -1, "num_threads": 2, "seed": 42, "deterministic": True}
for item in sys.argv[5:]:
    k, v = item.split("=", 1)
    try:
        params[k] = int(v)
    except ValueError:
        try:
            params[k] = float(v)
        except ValueError:
            params[k] = v

train = pd.read_csv(train_path)
test = pd.read_csv(test_path)
y_train, y_test = train.pop(target), test.pop(target)
for c in train.columns:
    if train[c].dtype == object or str(train[c].dtype).startswith("str"):
        cats = sorted(train[c].dropna().unique())
        train[c] = pd.Categorical(train[c], categories=cats)
        test[c] = pd.Categorical(test[c], categories=cats)
classes = None
if objective in ("binary", "multiclass"):
    classes = sorted(y_train.dropna().unique(), key=lambda v: (float(v) if str(v).replace('.', '', 1).lstrip('-').isdigit() else 0, str(v)))
    index = {c: i for i, c in enumerate(classes)}
    y_train = y_train.map(index)
    y_test = y_test.map(index)
    if objective == "multiclass":
        params["num_class"] = len(classes)
rounds = params.pop("num_iterations", 100)
booster = lgb.train(params, lgb.Dataset(train, label=y_train), num_boost_round=rounds)
p = booster.predict(test)
out = {}
if objective == "binary":
    out = {"roc_auc": roc_auc_score(y_test, p), "log_loss": log_loss(y_test, p, labels=[0, 1])}
elif objective == "multiclass":
    out = {"log_loss": log_loss(y_test, p, labels=list(range(len(classes)))),
           "accuracy": float(np.mean(np.argmax(p, axis=1) == y_test.to_numpy()))}
else:
    out = {"rmse": float(np.sqrt(mean_squared_error(y_test, p)))}
print(json.dumps(out))
