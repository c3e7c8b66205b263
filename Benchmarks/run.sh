#!/usr/bin/env bash
# Foundation benchmarks: Pulk beside pyarrow/pandas in one run, printing ratios.
#   Benchmarks/run.sh [REPS]
# Data: the 1,000,000 × 28 float CSV made by ../shared/bench (generated once into $BENCH_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
. Benchmarks/prepare.sh
csv="$data/synth_clf_1m.csv"
cat "$csv" > /dev/null # warm the page cache for both sides

anchor=$("$py" Benchmarks/anchor_csv.py "$csv" "$reps")
pulk=$("$bench" csv "$csv" "$reps")
memory=$("$bench" csv-memory "$csv")
binary=$("$bench" binary "$csv" 3)
profile=$("$bench" profile "$csv" 3)
printf '%s\n' "$anchor" "$pulk" "$memory" "$binary" "$profile" | tee Benchmarks/results/foundation.jsonl

"$py" - "$anchor" "$pulk" "$memory" "$binary" "$profile" <<'PY'
import json, sys
a, p, m, b, pr = (json.loads(x) for x in sys.argv[1:])
print()
print(f"CSV read 1M x 28 ({p['size_mb']:.0f} MB):  pulk {p['mb_per_s']:.0f} MB/s   pyarrow {a['pyarrow_mb_per_s']:.0f} MB/s   "
      f"pandas {a['pandas_mb_per_s']:.0f} MB/s   pulk/pyarrow = {p['mb_per_s'] / a['pyarrow_mb_per_s']:.2f}x (goal >= 1.5x)")
print(f"CSV read peak memory: {m['peak_rss_bytes'] / 2**20:.0f} MiB for {m['column_bytes'] / 2**20:.0f} MiB of columns = {m['ratio']:.2f}x (goal <= 2x)")
print(f"Binary copy load (memory-mapped): {b['binary_median_s'] * 1000:.1f} ms vs CSV parse {b['csv_median_s']:.3f} s = {b['speedup']:.0f}x faster (goal >= 10x)")
print(f"  load + read every value once: {b['binary_touch_median_s']:.3f} s = {b['touch_speedup']:.1f}x faster than parsing")
print(f"Full profile with correlations: {pr['median_s']:.2f} s (goal < 3 s)")
PY
