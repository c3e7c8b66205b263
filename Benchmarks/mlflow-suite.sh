#!/usr/bin/env bash
# MLflow's own live-server tests, unchanged, against `pulk server` and against MLflow's server in
# one run: their server fixtures are swapped for Pulk by Benchmarks/mlflow_suite/pulk_server_plugin.py.
# Prints both counts and every test that passes on MLflow and fails on Pulk.
#   Benchmarks/mlflow-suite.sh MLFLOW_CHECKOUT [TEST_FILE …]
# MLFLOW_CHECKOUT is a clone of MLflow (or a fork such as harupy/mlflow); its tests are read from
# there, never copied into this repository. Default files: the REST tracking, registry, artifact
# and webhook tests.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=${1:?usage: Benchmarks/mlflow-suite.sh MLFLOW_CHECKOUT [TEST_FILE ...]}
shift
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/tracking/test_rest_tracking.py tests/tracking/test_model_registry.py tests/tracking/test_mlflow_artifacts.py
                                 tests/tracking/test_client_webhooks.py tests/store/model_registry/test_rest_store_webhooks.py)
source Benchmarks/prepare-mlflow.sh 2>/dev/null
"$venv/bin/pip" install -q pytest pytest-asyncio pytest-timeout
[ -x .build/release/pulk ] || swift build -c release --product pulk 2>&1 | tail -1
pulk=$(pwd)/.build/release/pulk
plugin_dir=$(pwd)/Benchmarks/mlflow_suite
out=$(pwd)/Benchmarks/results/mlflow-suite
mkdir -p "$out"
# A working copy of the checkout's tests (a git clone, or a plain folder).
work=$(mktemp -d /tmp/pulk-mlflow-suite.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ -d "$checkout/.git" ] || git -C "$checkout" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$checkout" && git archive --format=tar HEAD tests pyproject.toml 2>/dev/null) | tar -x -C "$work" 2>/dev/null || true
else
  cp -r "$checkout/tests" "$checkout/pyproject.toml" "$work/"
fi
run() {  # run NAME [env …]
  local name=$1; shift
  (cd "$work" && env "$@" PATH="$venv/bin:$PATH" PYTHONPATH="$plugin_dir" timeout 3600 "$venv/bin/python" -m pytest -p pulk_server_plugin -p no:cacheprovider -q \
     --timeout 120 -o addopts="" --junitxml="$out/$name.xml" "${files[@]}" >"$out/$name.log" 2>&1) || true
  tail -1 "$out/$name.log"
}
# The same relaxed webhook rules on both sides (their tests call local receivers over http).
relaxed=(MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https)
echo "MLflow's server:"; run mlflow "${relaxed[@]}"
echo "pulk server:"; run pulk "${relaxed[@]}" PULK_BINARY="$pulk"
"$venv/bin/python" Benchmarks/mlflow_suite/compare.py "$out/mlflow.xml" "$out/pulk.xml" | tee "$out/summary.txt"
