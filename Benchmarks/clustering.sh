#!/usr/bin/env bash
# Clustering and anomaly benchmarks: Pulk's k-means and isolation forest beside scikit-learn's KMeans
# and IsolationForest in one run, printing the ratios.
#   Benchmarks/clustering.sh [REPS] [N_INIT]
# Data: the 1M-row synthetic classification CSV of ../shared/bench (its 28 feature columns, all rows).
# k-means, both sides: k = 16, k-means++, N_INIT restarts (default 3), tol 1e-4, max_iter 300, 2 threads
# (PULK_KMEANS_ALGORITHM=lloyd times Pulk without Hamerly's bounds).
# Isolation forest, both sides: 100 trees, 256 rows per tree, 2 threads; fit, then every row's score.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
restarts=${2:-3}
. Benchmarks/prepare.sh
pk=$("$bench" kmeans "$data/synth_clf_1m.csv" "$reps" "$restarts")
ak=$("$py" Benchmarks/anchor_kmeans.py "$data/synth_clf_1m.csv" "$reps" "$restarts")
pi=$("$bench" iforest "$data/synth_clf_1m.csv" "$reps")
ai=$("$py" Benchmarks/anchor_iforest.py "$data/synth_clf_1m.csv" "$reps")
printf '%s\n' "$pk" "$ak" "$pi" "$ai" | tee Benchmarks/results/clustering.jsonl
"$py" - "$pk" "$ak" "$pi" "$ai" <<'PY'
import json, sys
pk, ak, pi, ai = (json.loads(x) for x in sys.argv[1:])
print()
print(f"k-means, k=16, {pk['rows']:,} x 28: pulk {pk['fit_median_s']:.2f} s, scikit-learn {ak['fit_median_s']:.2f} s "
      f"= {ak['fit_median_s'] / pk['fit_median_s']:.2f}x as fast (goal >= 2x); median inertia {pk['inertia_median']:.6g} vs "
      f"{ak['inertia_median']:.6g} ({100 * (pk['inertia_median'] / ak['inertia_median'] - 1):+.2f}%, goal within 1%)")
print(f"isolation forest, 100 trees, {pi['rows']:,} x 28: fit pulk {pi['fit_median_s']:.2f} s, scikit-learn {ai['fit_median_s']:.2f} s "
      f"= {ai['fit_median_s'] / pi['fit_median_s']:.2f}x as fast; score pulk {pi['score_median_s']:.2f} s, scikit-learn {ai['score_median_s']:.2f} s "
      f"= {ai['score_median_s'] / pi['score_median_s']:.2f}x as fast (goal >= 2x each)")
PY
