#!/usr/bin/env bash
# Clustering benchmark: Pulk's k-means beside scikit-learn's KMeans in one run, printing the ratio.
#   Benchmarks/clustering.sh [REPS] [N_INIT]
# Data: the 1M-row synthetic classification CSV of ../shared/bench (its 28 feature columns, all rows).
# Both sides: k = 16, k-means++, N_INIT restarts (default 3), tol 1e-4, max_iter 300, 2 threads.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
restarts=${2:-3}
. Benchmarks/prepare.sh
pk=$("$bench" kmeans "$data/synth_clf_1m.csv" "$reps" "$restarts")
ak=$("$py" Benchmarks/anchor_kmeans.py "$data/synth_clf_1m.csv" "$reps" "$restarts")
printf '%s\n' "$pk" "$ak" | tee Benchmarks/results/clustering.jsonl
"$py" - "$pk" "$ak" <<'PY'
import json, sys
pk, ak = (json.loads(x) for x in sys.argv[1:])
print()
print(f"k-means, k=16, {pk['rows']:,} x 28: pulk {pk['fit_median_s']:.2f} s, scikit-learn {ak['fit_median_s']:.2f} s "
      f"= {ak['fit_median_s'] / pk['fit_median_s']:.2f}x as fast (goal >= 2x); median inertia {pk['inertia_median']:.6g} vs "
      f"{ak['inertia_median']:.6g} ({100 * (pk['inertia_median'] / ak['inertia_median'] - 1):+.2f}%, goal within 1%)")
PY
