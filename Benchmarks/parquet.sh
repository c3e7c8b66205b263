#!/usr/bin/env bash
# Parquet read and write: Pulk beside pyarrow in one run, on the 1,000,000 × 28 synthetic data written
# by pyarrow with Snappy (the issue's file), on both cores. Prints the ratios.
#   Benchmarks/parquet.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
. Benchmarks/prepare.sh
file="$data/synth_clf_1m.parquet"
if [ ! -f "$file" ]; then
  "$py" -c "import pyarrow.csv as c, pyarrow.parquet as pq, sys; pq.write_table(c.read_csv(sys.argv[1]), sys.argv[2], compression='snappy')" \
    "$data/synth_clf_1m.csv" "$file"
fi
cat "$file" > /dev/null # warm the page cache for both sides
pulk=$("$bench" parquet "$file" "$reps")
written=$(printf '%s' "$pulk" | "$py" -c "import json, sys; print(json.load(sys.stdin)['written_copy'])")
anchor=$("$py" Benchmarks/anchor_parquet.py "$file" "$reps" --check "$written")
rm -f "$written"
printf '%s\n' "$anchor" "$pulk" | tee Benchmarks/results/parquet.jsonl

"$py" - "$anchor" "$pulk" <<'PY'
import json, sys
a, p = (json.loads(x) for x in sys.argv[1:])
print()
print(f"Parquet read {p['rows']:,} x {p['columns']} ({p['size_mb']:.0f} MB, Snappy, pyarrow's file): pulk {p['read_median_s'] * 1000:.0f} ms   "
      f"pyarrow.parquet.read_table {a['read_median_s'] * 1000:.0f} ms   pyarrow/pulk = {a['read_median_s'] / p['read_median_s']:.2f}x (goal >= 1x)")
print(f"Parquet write to a file (Snappy): pulk {p['write_median_s'] * 1000:.0f} ms ({p['written_mb']:.0f} MB, fsynced before the rename)   "
      f"pyarrow.parquet.write_table {a['write_median_s'] * 1000:.0f} ms ({a['written_mb']:.0f} MB, not fsynced)   "
      f"pyarrow/pulk = {a['write_median_s'] / p['write_median_s']:.2f}x (goal >= 1x)")
print(f"Parquet write to memory (Snappy): pulk {p['encode_median_s'] * 1000:.0f} ms   pyarrow {a['encode_median_s'] * 1000:.0f} ms   "
      f"pyarrow/pulk = {a['encode_median_s'] / p['encode_median_s']:.2f}x")
print(f"pyarrow reads Pulk's file to the same values: {a['pulk_file_equal']}")
PY
