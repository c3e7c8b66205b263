#!/usr/bin/env bash
# Recommendation benchmark: Pulk's implicit ALS beside the `implicit` package's in one run, printing
# the ratio, and one user's top 10 in process on both sides.
#   Benchmarks/recommend.sh [REPS]
# Data: 1M synthetic interactions (50,000 users, 10,000 items, Zipf popularity, weights 1-5), made
# once by anchor_als.py --generate. Both sides: 64 factors, 15 iterations, regularization 0.01,
# alpha 1, 3 conjugate-gradient steps, 2 threads; Pulk's time is its whole fit from the loaded table
# (indexing users and items included), compared with implicit's fit alone and with its indexing.
# The endpoint figure (p99 at 32 connections) is Benchmarks/recommend_serving.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
. Benchmarks/prepare.sh
"$py" Benchmarks/anchor_als.py "$data/synth_interactions_1m.csv" --generate
pa=$("$bench" als "$data/synth_interactions_1m.csv" "$reps")
aa=$("$py" Benchmarks/anchor_als.py "$data/synth_interactions_1m.csv" "$reps")
printf '%s\n' "$pa" "$aa" | tee Benchmarks/results/recommend.jsonl
"$py" - "$pa" "$aa" <<'PY'
import json, sys
p, a = (json.loads(x) for x in sys.argv[1:])
print()
print(f"implicit ALS, 64 factors, 15 iterations, {p['interactions']:,} interactions ({a['interactions']:,} distinct pairs), "
      f"{p['users']:,} users x {p['items']:,} items:")
print(f"  fit: pulk {p['fit_median_s']:.2f} s, implicit {a['fit_median_s']:.2f} s alone ({a['fit_median_s'] / p['fit_median_s']:.2f}x as fast), "
      f"{a['with_indexing_median_s']:.2f} s with its indexing ({a['with_indexing_median_s'] / p['fit_median_s']:.2f}x as fast); goal >= 1x")
print(f"  one user's top 10 in process: pulk p50 {p['recommend_p50_us']:.0f} us, p99 {p['recommend_p99_us']:.0f} us; "
      f"implicit p50 {a['recommend_p50_us']:.0f} us, p99 {a['recommend_p99_us']:.0f} us")
PY
