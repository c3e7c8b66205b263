#!/usr/bin/env bash
# A recommender endpoint under load: `pulk serve` (release) with implicit ALS (64 factors, 15
# iterations) trained on the 1M synthetic interactions of Benchmarks/recommend.sh, answering
# {"user": …, "k": 10} for random users under wrk -t2 -c32; prints the latency percentiles (goal:
# p99 under 1 ms) and the requests per second, then the same with one connection (a request's own
# latency, without waiting behind others). wrk runs on the same machine and shares its cores.
#   Benchmarks/recommend_serving.sh [DURATION_S]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
. Benchmarks/prepare.sh
"$py" Benchmarks/anchor_als.py "$data/synth_interactions_1m.csv" --generate
swift build -c release --product pulk >/dev/null
pulk=.build/release/pulk
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$pulk" train --data "$data/synth_interactions_1m.csv" --model als --user user --item item --rating weight --split random \
  --param factors=64 --param iterations=15 --no-track --out "$tmp/als.pulk" --workspace "$tmp/ws" >/dev/null
port=$((20000 + RANDOM % 10000))
"$pulk" serve "$tmp/als.pulk" --port "$port" --log-level notice --workspace "$tmp/ws" > "$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
cat > "$tmp/user.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(7)
request = function()
  return wrk.format(nil, "/score", nil, '{"user": "u' .. math.random(0, 49999) .. '", "k": 10}')
end
LUA
# Warm up, then measure.
wrk -t2 -c32 -d3s -s "$tmp/user.lua" "http://127.0.0.1:$port" >/dev/null
wrk -t2 -c32 -d"${duration}s" --latency -s "$tmp/user.lua" "http://127.0.0.1:$port" | tee "$tmp/wrk.txt"
wrk -t1 -c1 -d"${duration}s" --latency -s "$tmp/user.lua" "http://127.0.0.1:$port" | tee "$tmp/wrk1.txt"
curl -s -X POST "http://127.0.0.1:$port/score" -H 'Content-Type: application/json' -d '{"user": "u1", "k": 3}'; echo
"$py" - "$tmp/wrk.txt" "$tmp/wrk1.txt" <<'PY' | tee Benchmarks/results/recommend_serving.txt
import re, sys
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
for path, what in zip(sys.argv[1:], ["32 connections", "1 connection"]):
    text = open(path).read()
    pct = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)", text, re.M)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    print(f"ALS top-10 endpoint, {what}: p50 {pct['50']:.3f} ms, p90 {pct['90']:.3f} ms, p99 {pct['99']:.3f} ms (goal < 1 ms at 32), "
          f"{rps:,.0f} requests/s, non-2xx {errors.group(1) if errors else 0}")
PY
