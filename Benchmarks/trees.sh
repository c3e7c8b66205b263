#!/usr/bin/env bash
# Tree benchmark: Pulk's gradient boosting beside LightGBM in one run, printing ratios.
#   Benchmarks/trees.sh [REPS]
# Data: the 1M-row synthetic CSVs of ../shared/bench (800,000 rows train, 200,000 test); 100 rounds,
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
printf '%s\n' "$pc" "$ac" "$pr" "$ar" | tee Benchmarks/results/trees.jsonl
"$py" - "$pc" "$ac" "$pr" "$ar" <<'PY'
import json, sys
pc, ac, pr, ar = (json.loads(x) for x in sys.argv[1:])
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
PY
