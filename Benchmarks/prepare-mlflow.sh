# Sourced by the MLflow benchmarks (tracking, web UI, serving) and the Evidently ones (drift, monitor):
# makes the venv with MLflow (once),
# builds `pulk` in release, and sets $venv. A benchmark needing other packages sets, before sourcing,
# venv (its folder), requirements (its requirements file) and check (a Python import that proves it).
venv=${venv:-${PULK_TRACKING_BENCH_VENV:-$HOME/.cache/pulk-tracking-bench-venv}}
requirements=${requirements:-Benchmarks/requirements-tracking.txt}
check=${check:-import mlflow.server}
if ! "$venv/bin/python" -c "$check" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$requirements"
fi
swift build -c release --product pulk >/dev/null
mkdir -p Benchmarks/results
