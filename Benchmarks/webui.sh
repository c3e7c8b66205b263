#!/usr/bin/env bash
# Web UI benchmark: `pulk server` (release) pages over 100,000 runs and a 100,000-point metric,
# beside the requests MLflow's UI makes to `mlflow server`, in one run.
#   Benchmarks/webui.sh [PULK_RUNS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100000}
reps=${2:-20}
venv=${PULK_TRACKING_BENCH_VENV:-$HOME/.cache/pulk-tracking-bench-venv}
if ! "$venv/bin/python" -c "import mlflow.server" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r Benchmarks/requirements-tracking.txt
fi
swift build -c release --product pulk >/dev/null
mkdir -p Benchmarks/results
"$venv/bin/python" Benchmarks/webui_bench.py .build/release/pulk "$venv/bin/mlflow" --pulk-runs "$runs" --reps "$reps" | tee Benchmarks/results/webui.txt
