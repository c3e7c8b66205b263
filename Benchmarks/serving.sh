#!/usr/bin/env bash
# Serving benchmark: `pulk serve` (release) beside `mlflow models serve` under the same wrk load, a
# traffic switch under load, and batch scoring of a 1M-row dataset (see serving_bench.py).
#   Benchmarks/serving.sh [DURATION_S] [BATCH_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
rows=${2:-1000000}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
venv=${PULK_SERVING_BENCH_VENV:-$HOME/.cache/pulk-serving-bench-venv}
requirements=Benchmarks/requirements-serving.txt
check="import mlflow.pyfunc, lightgbm, sklearn"
source Benchmarks/prepare-mlflow.sh
PATH="$venv/bin:$PATH" "$venv/bin/python" Benchmarks/serving_bench.py .build/release/pulk --duration "$duration" --batch-rows "$rows" | tee Benchmarks/results/serving.txt
