#!/usr/bin/env bash
# Tree benchmark: Pulk's gradient boosting beside LightGBM in one run, printing ratios.
#   Benchmarks/trees.sh [REPS]
# Data: the 1M-row synthetic CSVs of ../shared/bench (800,000 rows train, 200,000 test), a 1M-row
# 10-class synthetic set and scikit-learn's digits (both made once); 100 rounds,
# 31 leaves, learning rate 0.1, max_bin 255, 2 threads; binning included in the fit time. Each side
# runs in its own process, so peak RSS is comparable.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
. Benchmarks/prepare.sh
pc=$("$bench" gbdt "$data/synth_clf_1m.csv" clf "$reps")
ac=$("$py" Benchmarks/anchor_gbdt.py "$data/synth_clf_1m.csv" clf "$reps")
pr=$("$bench" gbdt "$data/synth_reg_1m.csv" reg "$reps")
ar=$("$py" Benchmarks/anchor_gbdt.py "$data/synth_reg_1m.csv" reg "$reps")
# Multiclass: scikit-learn's digits (10 classes, 1,797 rows) and a 1M-row synthetic 10-class set
# (20 features, made once), both split 80/20 in file order.
if [ ! -f "$data/synth_multi_1m.csv" ] || [ ! -f "$data/digits.csv" ]; then
  "$py" - "$data" <<'PY'
import sys, numpy as np, pandas as pd
from sklearn.datasets import load_digits, make_classification
out = sys.argv[1]
X, y = make_classification(n_samples=1_000_000, n_features=20, n_informative=12, n_classes=10, n_clusters_per_class=2,
                           class_sep=0.8, random_state=0)
f = pd.DataFrame(X.astype(np.float32), columns=[f"f{i}" for i in range(20)]); f["label"] = y
f.to_csv(f"{out}/synth_multi_1m.csv", index=False)
X, y = load_digits(return_X_y=True)
order = np.random.default_rng(0).permutation(len(y))
f = pd.DataFrame(X[order], columns=[f"p{i}" for i in range(64)]); f["label"] = y[order]
f.to_csv(f"{out}/digits.csv", index=False)
PY
fi
pm=$("$bench" gbdt "$data/synth_multi_1m.csv" multi "$reps")
am=$("$py" Benchmarks/anchor_gbdt.py "$data/synth_multi_1m.csv" multi "$reps")
pd=$("$bench" gbdt "$data/digits.csv" multi 5)
ad=$("$py" Benchmarks/anchor_gbdt.py "$data/digits.csv" multi 5)
printf '%s\n' "$pc" "$ac" "$pr" "$ar" "$pm" "$am" "$pd" "$ad" | tee Benchmarks/results/trees.jsonl
"$py" - "$pc" "$ac" "$pr" "$ar" "$pm" "$am" "$pd" "$ad" <<'PY'
import json, sys
pc, ac, pr, ar, pm, am, pd, ad = (json.loads(x) for x in sys.argv[1:])
mb = 2 ** 20
print()
print(f"binary, 800k x 28: fit pulk {pc['fit_median_s']:.2f} s, LightGBM {ac['fit_median_s']:.2f} s -> pulk/LightGBM time "
      f"{pc['fit_median_s'] / ac['fit_median_s']:.2f} (goal <= 1.0); test AUC {pc['test_roc_auc']:.5f} vs {ac['test_roc_auc']:.5f} "
      f"(difference {pc['test_roc_auc'] - ac['test_roc_auc']:+.5f}, goal >= -0.002)")
print(f"  peak RSS pulk {pc['peak_rss_bytes'] / mb:.0f} MB, LightGBM {ac['peak_rss_bytes'] / mb:.0f} MB -> ratio "
      f"{pc['peak_rss_bytes'] / ac['peak_rss_bytes']:.2f} (goal <= 1.0)")
print(f"  batch 200k rows: pulk {pc['batch_rows_per_s']:,.0f} rows/s end to end (predictor alone {pc['batch_predictor_only_rows_per_s']:,.0f}), "
      f"LightGBM {ac['batch_rows_per_s']:,.0f} rows/s -> {pc['batch_rows_per_s'] / ac['batch_rows_per_s']:.2f}x (goal >= 1,000,000 rows/s)")
print(f"  single row: pulk {pc['single_row_median_us']:.2f} us median (p99 {pc['single_row_p99_us']:.2f}; through a one-row frame "
      f"{pc['single_row_frame_median_us']:.1f}), LightGBM {ac['single_row_median_us']:.1f} us (goal <= 5 us)")
print(f"regression, 800k x 28: fit pulk {pr['fit_median_s']:.2f} s, LightGBM {ar['fit_median_s']:.2f} s -> time ratio "
      f"{pr['fit_median_s'] / ar['fit_median_s']:.2f} (goal <= 1.0); test RMSE {pr['test_rmse']:.4f} vs {ar['test_rmse']:.4f} "
      f"({100 * (pr['test_rmse'] / ar['test_rmse'] - 1):+.2f}%, goal within 0.5%); peak RSS ratio {pr['peak_rss_bytes'] / ar['peak_rss_bytes']:.2f}")
for name, p, a in [("multiclass, 800k x 20, 10 classes", pm, am), ("multiclass, digits (1,437 x 64, 10 classes)", pd, ad)]:
    print(f"{name}: fit pulk {p['fit_median_s']:.3f} s, LightGBM {a['fit_median_s']:.3f} s -> time ratio "
          f"{p['fit_median_s'] / a['fit_median_s']:.2f} (goal <= 1.0); test log loss {p['test_log_loss']:.4f} vs {a['test_log_loss']:.4f} "
          f"(ratio {p['test_log_loss'] / a['test_log_loss']:.3f}, goal <= 1.02); accuracy {p['test_accuracy']:.4f} vs {a['test_accuracy']:.4f}")
PY
