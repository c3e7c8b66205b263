#!/usr/bin/env bash
# Tree accuracy parity on real datasets: `pulk train --model gbdt` (release) and LightGBM with equal
# parameters, on the same 80/20 split of each dataset (written to a temporary folder).
#   Benchmarks/parity_trees.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/prepare.sh
swift build -c release --product pulk >/dev/null
datasets=${PULK_DATASETS:-$HOME/.cache/pulk-datasets}
bash ../shared/datasets/fetch.sh "$datasets" --only breast_cancer,titanic,image_segment,diamonds,bikeshare_hourly >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$py" - "$datasets" "$tmp" <<'PY'
import sys, pandas as pd
src, out = sys.argv[1:]
for name, drop in [("breast_cancer", []), ("titanic", ["name"]), ("image_segment", []), ("diamonds", []),
                   ("bikeshare_hourly", ["casual", "registered"])]:
    df = pd.read_csv(f"{src}/{name}.csv").drop(columns=drop).sample(frac=1.0, random_state=0)
    n = int(len(df) * 0.8)
    df[:n].to_csv(f"{out}/{name}_train.csv", index=False)
    df[n:].to_csv(f"{out}/{name}_test.csv", index=False)
PY
printf '%-18s %-11s %-9s %12s %12s\n' dataset objective metric pulk LightGBM
for spec in "breast_cancer target binary roc_auc" "breast_cancer target binary log_loss" "titanic survived binary roc_auc" \
            "titanic survived binary log_loss" "image_segment category multiclass log_loss" "image_segment category multiclass accuracy" \
            "diamonds price regression rmse" "bikeshare_hourly bikers regression rmse"; do
  set -- $spec
  theirs=$("$py" Tests/oracle/lightgbm_parity.py "$tmp/$1_train.csv" "$tmp/$1_test.csv" "$2" "$3" | "$py" -c "import json,sys; print('%.5f' % json.load(sys.stdin)['$4'])")
  ours=$(.build/release/pulk train --data "$tmp/$1_train.csv" --test-data "$tmp/$1_test.csv" --target "$2" --model gbdt \
         --param objective="$3" --out "$tmp/m.pulk" --json --workspace "$tmp/ws" | "$py" -c "import json,sys; print('%.5f' % [m['value'] for m in json.load(sys.stdin)['report']['metrics'] if m['name'] == '$4'][0])")
  printf '%-18s %-11s %-9s %12s %12s\n' "$1" "$3" "$4" "$ours" "$theirs"
done
