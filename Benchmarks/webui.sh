#!/usr/bin/env bash
# Web UI benchmark: `pulk server` (release) pages over 100,000 runs and a 100,000-point metric,
# beside the requests MLflow's UI makes to `mlflow server`, in one run.
#   Benchmarks/webui.sh [PULK_RUNS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100000}
reps=${2:-20}
source Benchmarks/prepare-mlflow.sh
"$venv/bin/python" Benchmarks/webui_bench.py .build/release/pulk "$venv/bin/mlflow" --pulk-runs "$runs" --reps "$reps" | tee Benchmarks/results/webui.txt
