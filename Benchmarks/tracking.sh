#!/usr/bin/env bash
# Tracking server benchmark: `pulk server` (release) beside `mlflow server` (SQLite, proxied
# artifacts, 4 workers) in one run, same plain HTTP client, printing Pulk / MLflow figures.
#   Benchmarks/tracking.sh [PULK_RUNS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100000}
reps=${2:-5}
source Benchmarks/prepare-mlflow.sh
"$venv/bin/python" Benchmarks/tracking_bench.py .build/release/pulk "$venv/bin/mlflow" --pulk-runs "$runs" --reps "$reps" | tee Benchmarks/results/tracking.txt
