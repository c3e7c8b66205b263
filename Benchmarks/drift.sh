#!/usr/bin/env bash
# A drift report by Pulk (1M x 20 against 1M rows, HTML written) beside Evidently's DataDriftPreset (100k x 20) in one
# run, with a release `pulk` (see Benchmarks/anchor_drift.py).
#   Benchmarks/drift.sh [ROWS] [EVIDENTLY_ROWS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${PULK_TEST_VENV_EVIDENTLY:-$HOME/.cache/pulk-evidently-venv}
requirements=Tests/oracle/requirements-evidently.txt
check="import evidently"
source Benchmarks/prepare-mlflow.sh
"$venv/bin/python" Benchmarks/anchor_drift.py "$PWD/.build/release/pulk" "${1:-1000000}" "${2:-100000}" "${3:-3}" | tee Benchmarks/results/drift.json
