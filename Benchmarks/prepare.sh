# Sourced by the benchmark scripts: makes the anchors' venv and the 1M-row synthetic data (once),
# builds PulkBench in release, and sets $py, $bench and $data.
venv=${PULK_BENCH_VENV:-$HOME/.cache/pulk-bench-venv}
data=${BENCH_DATA_DIR:-$HOME/.cache/pulk-bench}
if ! "$venv/bin/python" -c "import pyarrow, pandas, sklearn, lightgbm, implicit" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r Benchmarks/requirements.txt
fi
if [ ! -f "$data/synth_clf_1m.csv" ] || [ ! -f "$data/synth_reg_1m.csv" ]; then
  mkdir -p "$data"
  (cd ../shared/bench/anchors && BENCH_DATA_DIR="$data" "$venv/bin/python" -c "import gbdt_train; gbdt_train.generate_csvs()")
fi
swift build -c release --product PulkBench >/dev/null
bench=.build/release/PulkBench
py=$venv/bin/python
mkdir -p Benchmarks/results
