#!/usr/bin/env bash
# AutoML beside FLAML at the same time budget on every classification and regression dataset of
# ../shared/datasets plus scikit-learn's digits and wine (same split, same metric; see
# Benchmarks/anchor_automl.py), with a release `pulk`.
#   Benchmarks/automl.sh [BUDGET_S] [DATASETS]       e.g. Benchmarks/automl.sh 30 breast_cancer,iris
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-30}
. Benchmarks/prepare.sh
[ -x /usr/bin/time ] || { echo "GNU time measures each side's peak memory: apt-get install time" >&2; exit 1; }
if ! "$py" -c "from flaml import AutoML" 2>/dev/null; then "$venv/bin/pip" install -q "flaml[automl]==2.8.0"; fi
datasets=${PULK_DATASETS:-$HOME/.cache/pulk-datasets}
[ -f "$datasets/titanic.csv" ] || ../shared/datasets/fetch.sh "$datasets"
swift build -c release --product pulk >/dev/null
"$py" Benchmarks/anchor_automl.py .build/release/pulk "$datasets" "$budget" ${2:-} | tee "Benchmarks/results/automl_${budget}s.txt"
