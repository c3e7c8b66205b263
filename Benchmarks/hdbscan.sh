#!/usr/bin/env bash
# HDBSCAN beside scikit-learn's on the first ROWS rows of the 1M-row synthetic set (see
# Benchmarks/anchor_hdbscan.py), with a release `pulk`.
#   Benchmarks/hdbscan.sh [ROWS] [MIN_CLUSTER_SIZE] [DATA]   DATA: synth (default) or blobs
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/prepare.sh
swift build -c release --product pulk >/dev/null
"$py" Benchmarks/anchor_hdbscan.py "$PWD/.build/release/pulk" "$([ "${3:-synth}" = blobs ] && echo blobs || echo "$data/synth_clf_1m.csv")" "${1:-10000}" "${2:-50}" | tee Benchmarks/results/hdbscan.txt
