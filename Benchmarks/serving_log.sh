#!/usr/bin/env bash
# `pulk serve` with the payload log off and at 100%, alternately, under the serving benchmark's load (see serving_log.py):
#   Benchmarks/serving_log.sh [--rounds 3] [--duration 10]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
venv=${PULK_SERVING_BENCH_VENV:-$HOME/.cache/pulk-serving-bench-venv}
requirements=Benchmarks/requirements-serving.txt
check="import mlflow.pyfunc, lightgbm, sklearn"
source Benchmarks/prepare-mlflow.sh
"$venv/bin/python" Benchmarks/serving_log.py "$PWD/.build/release/pulk" "$@" | tee Benchmarks/results/serving_log.txt
