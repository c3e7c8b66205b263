#!/usr/bin/env bash
# Learning-core benchmarks: Pulk beside scikit-learn in one run, printing ratios.
#   Benchmarks/learn.sh [REPS]
# Data: the 1M-row synthetic CSVs of ../shared/bench (first 800,000 rows train, last 200,000 test).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
. Benchmarks/prepare.sh
pl=$("$bench" logistic "$data/synth_clf_1m.csv" "$reps")
al=$("$py" Benchmarks/anchor_logistic.py "$data/synth_clf_1m.csv" "$reps")
pr=$("$bench" linear "$data/synth_reg_1m.csv" "$reps")
ar=$("$py" Benchmarks/anchor_linear.py "$data/synth_reg_1m.csv" "$reps")
printf '%s\n' "$pl" "$al" "$pr" "$ar" | tee Benchmarks/results/learn.jsonl
"$py" - "$pl" "$al" "$pr" "$ar" <<'PY'
import json, sys
pl, al, pr, ar = (json.loads(x) for x in sys.argv[1:])
print()
print(f"L2 logistic regression, 800k x 28: pulk {pl['fit_median_s']:.2f} s, scikit-learn lbfgs {al['fit_median_s']:.2f} s "
      f"= {al['fit_median_s'] / pl['fit_median_s']:.2f}x as fast (goal >= 1x); test log loss {pl['test_log_loss']:.6f} vs "
      f"{al['test_log_loss']:.6f} (difference {abs(pl['test_log_loss'] - al['test_log_loss']):.1e}, goal <= 1e-4)")
for name in ("ridge", "elasticnet"):
    print(f"{name}: pulk {pr[name + '_fit_median_s']:.2f} s, scikit-learn {ar[name + '_fit_median_s']:.2f} s "
          f"= {ar[name + '_fit_median_s'] / pr[name + '_fit_median_s']:.2f}x as fast; test RMSE {pr[name + '_test_rmse']:.6f} vs {ar[name + '_test_rmse']:.6f}")
PY
