"""LightGBM's predictions on its own training rows after a few rounds, for an exact comparison.

usage: lightgbm_rounds.py SOURCE TARGET OBJECTIVE ROUNDS OUT.csv [drop,cols]
SOURCE is a CSV file or `wine` / `digits` (scikit-learn's bundled sets, written with a text target
so both sides classify). The training rows are written to OUT.csv; the answer (JSON on stdout) holds
the classes in LightGBM's order and one row of predictions (probabilities, or values) per row.
"""
import json
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd

source, target, objective, rounds, out = sys.argv[1:6]
drop = sys.argv[6].split(",") if len(sys.argv) > 6 and sys.argv[6] else []
if source in ("wine", "digits"):
    from sklearn import datasets
    bunch = getattr(datasets, "load_" + source)()
    frame = pd.DataFrame(bunch.data, columns=[f"x{i}" for i in range(bunch.data.shape[1])])
    frame[target] = [f"c{v}" for v in bunch.target]
else:
    frame = pd.read_csv(source)
frame = frame.drop(columns=drop)
frame.to_csv(out, index=False)
y = frame.pop(target)
for c in frame.columns:
    if frame[c].dtype == object or str(frame[c].dtype).startswith("str"):
        frame[c] = pd.Categorical(frame[c], categories=sorted(frame[c].dropna().unique()))
params = {"objective": objective, "verbose": -1, "num_threads": 2, "deterministic": True}
classes = []
if objective in ("binary", "multiclass"):
    classes = sorted(y.dropna().unique(), key=str)
    y = y.map({c: i for i, c in enumerate(classes)})
    if objective == "multiclass":
        params["num_class"] = len(classes)
booster = lgb.train(params, lgb.Dataset(frame, label=y), num_boost_round=int(rounds))
p = booster.predict(frame)
if objective == "binary":
    p = np.stack([1 - p, p], axis=1)
elif p.ndim == 1:
    p = p[:, None]
print(json.dumps({"classes": [str(c) for c in classes], "predictions": p.tolist()}))
