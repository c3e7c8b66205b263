#!/usr/bin/env bash
# Tracking server benchmark: `pulk server` (release) beside `mlflow server` (SQLite, proxied
# artifacts, 4 workers) in one run, same plain HTTP client, printing Pulk / MLflow figures.
#   Benchmarks/tracking.sh [PULK_RUNS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100000}
reps=${2:-5}
venv=${PULK_TRACKING_BENCH_VENV:-$HOME/.cache/pulk-tracking-bench-venv}
if ! "$venv/bin/python" -c "import mlflow.server" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r Benchmarks/requirements-tracking.txt
fi
swift build -c release --product pulk >/dev/null
mkdir -p Benchmarks/results
"$venv/bin/python" Benchmarks/tracking_bench.py .build/release/pulk "$venv/bin/mlflow" --pulk-runs "$runs" --reps "$reps" | tee Benchmarks/results/tracking.txt
