"""LightGBM's side of the tree benchmark, with the settings of ../shared/bench/anchors/gbdt_train.py
(100 rounds, 31 leaves, learning rate 0.1, max_bin 255, 2 threads; Dataset construction included in
the fit time) and the measurements of gbdt_predict.py (200k-row batch, single-row latency).

usage: anchor_gbdt.py FILE clf|reg|multi [REPS]   (trains on the first 80% of the rows)   -> one JSON line; peak RSS is this process's.
"""
import json
import resource
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, mean_squared_error, r2_score, roc_auc_score

path, task = sys.argv[1], sys.argv[2]
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 1
df = pd.read_csv(path, engine="pyarrow")
target = df.columns[-1]
X = df.drop(columns=[target]).to_numpy(dtype=np.float64)
y = df[target].to_numpy()
del df
cut = len(X) * 4 // 5
Xtr, ytr, Xte, yte = X[:cut], y[:cut], X[cut:], y[cut:]
objective = {"clf": "binary", "multi": "multiclass"}.get(task, "regression")
params = dict(objective=objective, num_class=int(y.max()) + 1 if task == "multi" else 1, num_leaves=31, learning_rate=0.1, max_bin=255,
              num_threads=2, verbose=-1, seed=42)
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    ds = lgb.Dataset(Xtr, label=ytr, params={"max_bin": 255, "verbose": -1}, free_raw_data=False)
    ds.construct()
    booster = lgb.train(params, ds, num_boost_round=100)
    times.append(time.perf_counter() - t0)
out = {"benchmark": f"lightgbm_{task}", "lightgbm": lgb.__version__, "fit_median_s": float(np.median(times)), "fit_seconds": times,
       "fit_min_s": min(times)}
p = booster.predict(Xte, num_threads=2)
if task == "multi":
    out["test_log_loss"] = log_loss(yte, p, labels=list(range(p.shape[1])))
    out["test_accuracy"] = float(np.mean(np.argmax(p, axis=1) == yte))
elif task == "clf":
    out["test_roc_auc"] = roc_auc_score(yte, p)
    out["test_log_loss"] = log_loss(yte, p)
    booster.predict(Xte[:1000], num_threads=2)
    batch = []
    for _ in range(5):
        t0 = time.perf_counter()
        booster.predict(Xte, num_threads=2)
        batch.append(time.perf_counter() - t0)
    out["batch_rows_per_s"] = len(Xte) / float(np.median(batch))
    rows = [Xte[i:i + 1] for i in range(2000)]
    for r in rows[:200]:
        booster.predict(r, num_threads=1)
    lat = []
    for i in range(10_000):
        t0 = time.perf_counter_ns()
        booster.predict(rows[i % 2000], num_threads=1)
        lat.append((time.perf_counter_ns() - t0) / 1000)
    out["single_row_median_us"] = float(np.median(lat))
    out["single_row_p99_us"] = float(np.percentile(lat, 99))
else:
    out["test_rmse"] = float(np.sqrt(mean_squared_error(yte, p)))
    out["test_r2"] = r2_score(yte, p)
out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(out, sort_keys=True))
