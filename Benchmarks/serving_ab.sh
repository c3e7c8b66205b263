#!/usr/bin/env bash
# `pulk serve` alone, binaries alternately, under the serving benchmark's load (see serving_ab.py):
#   Benchmarks/serving_ab.sh PULK_A PULK_B [...] [--rounds 3] [--duration 10]
# Copy a release build aside (cp .build/release/pulk /tmp/pulk-before) before rebuilding to compare.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
venv=${PULK_SERVING_BENCH_VENV:-$HOME/.cache/pulk-serving-bench-venv}
requirements=Benchmarks/requirements-serving.txt
check="import mlflow.pyfunc, lightgbm, sklearn"
source Benchmarks/prepare-mlflow.sh
"$venv/bin/python" Benchmarks/serving_ab.py "$@" | tee Benchmarks/results/serving_ab.txt
