# Sourced by the tracking and web UI benchmarks: makes the venv with MLflow's server (once), builds
# `pulk` in release, and sets $venv.
venv=${PULK_TRACKING_BENCH_VENV:-$HOME/.cache/pulk-tracking-bench-venv}
if ! "$venv/bin/python" -c "import mlflow.server" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r Benchmarks/requirements-tracking.txt
fi
swift build -c release --product pulk >/dev/null
mkdir -p Benchmarks/results
