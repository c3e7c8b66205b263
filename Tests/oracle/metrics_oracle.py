#!/usr/bin/env python3
"""scikit-learn's values of every Pulk metric for the inputs in a JSON file, printed as JSON.
Usage: metrics_oracle.py INPUT.json"""
import json
import sys

import numpy as np
from sklearn import metrics as m
from sklearn.calibration import calibration_curve

d = json.load(open(sys.argv[1]))
b, mc, r = d["binary"], d["multi"], d["regression"]
yb, pb, sb = np.array(b["y"]), np.array(b["pred"]), np.array(b["score"])
ym, pm, prm = np.array(mc["y"]), np.array(mc["pred"]), np.array(mc["proba"])
yr, pr = np.array(r["y"]), np.array(r["pred"])
out = {}
out["accuracy"] = m.accuracy_score(ym, pm)
out["balanced_accuracy"] = m.balanced_accuracy_score(ym, pm)
for avg in ("macro", "micro", "weighted"):
    out[f"precision_{avg}"] = m.precision_score(ym, pm, average=avg, zero_division=0)
    out[f"recall_{avg}"] = m.recall_score(ym, pm, average=avg, zero_division=0)
    out[f"f1_{avg}"] = m.f1_score(ym, pm, average=avg, zero_division=0)
out["precision_binary"] = m.precision_score(yb, pb, zero_division=0)
out["recall_binary"] = m.recall_score(yb, pb, zero_division=0)
out["f1_binary"] = m.f1_score(yb, pb, zero_division=0)
out["mcc"] = m.matthews_corrcoef(ym, pm)
out["mcc_binary"] = m.matthews_corrcoef(yb, pb)
out["kappa"] = m.cohen_kappa_score(ym, pm)
out["log_loss"] = m.log_loss(ym, prm, labels=list(range(prm.shape[1])))
out["brier"] = m.brier_score_loss(yb, sb)
out["roc_auc"] = m.roc_auc_score(yb, sb)
out["roc_auc_ovr_macro"] = m.roc_auc_score(ym, prm, multi_class="ovr", average="macro")
out["roc_auc_ovr_weighted"] = m.roc_auc_score(ym, prm, multi_class="ovr", average="weighted")
out["average_precision"] = m.average_precision_score(yb, sb)
fpr, tpr, thr = m.roc_curve(yb, sb)
out["roc_curve"] = [fpr.tolist(), tpr.tolist(), [float(x) if np.isfinite(x) else "inf" for x in thr]]
p, rc, t = m.precision_recall_curve(yb, sb)
out["pr_curve"] = [p.tolist(), rc.tolist(), t.tolist()]
ft, mp = calibration_curve(yb, sb, n_bins=5)
out["calibration"] = [ft.tolist(), mp.tolist()]
out["confusion"] = m.confusion_matrix(ym, pm, labels=list(range(prm.shape[1]))).tolist()
out["mae"] = m.mean_absolute_error(yr, pr)
out["mse"] = m.mean_squared_error(yr, pr)
out["rmse"] = float(np.sqrt(m.mean_squared_error(yr, pr)))
out["rmsle"] = float(np.sqrt(m.mean_squared_log_error(np.abs(yr), np.abs(pr))))
out["mape"] = m.mean_absolute_percentage_error(yr, pr)
den = np.abs(yr) + np.abs(pr)
out["smape"] = float(np.mean(np.where(den == 0, 0, 2 * np.abs(yr - pr) / np.where(den == 0, 1, den))))
out["median_ae"] = m.median_absolute_error(yr, pr)
out["r2"] = m.r2_score(yr, pr)
out["explained_variance"] = m.explained_variance_score(yr, pr)
out["max_error"] = m.max_error(yr, pr)
print(json.dumps({k: (float(v) if isinstance(v, (np.floating, float, int)) else v) for k, v in out.items()}))
