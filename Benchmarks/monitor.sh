#!/usr/bin/env bash
# A monitor window over 1,000,000 logged requests (`pulk monitor run`, release) beside reading the same serving log
# with Python and Evidently's DataDriftPreset (see Benchmarks/anchor_monitor.py).
#   Benchmarks/monitor.sh [REQUESTS] [EVIDENTLY_ROWS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${PULK_TEST_VENV_EVIDENTLY:-$HOME/.cache/pulk-evidently-venv}
requirements=Tests/oracle/requirements-evidently.txt
check="import evidently"
source Benchmarks/prepare-mlflow.sh
"$venv/bin/python" Benchmarks/anchor_monitor.py "$PWD/.build/release/pulk" "${1:-1000000}" "${2:-100000}" "${3:-3}" | tee Benchmarks/results/monitor.json
