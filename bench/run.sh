#!/usr/bin/env bash
# The whole benchmark harness, one command (see BENCHMARKS.md):
#   bench/run.sh                 # Go benchmarks, then the load run (about 10 minutes)
#   QUICK=1 bench/run.sh         # a short smoke run of both
# Results go to bench/results/<UTC time>/ (go-bench.txt, load.md, load.log).
set -euo pipefail
cd "$(dirname "$0")/.."
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
count=5 benchtime=1s load_args=()
if [ -n "${QUICK:-}" ]; then count=1 benchtime=200ms load_args=(-quick); fi

echo "== machine" | tee "$out/machine.txt"
{ uname -srm; nproc; grep -m1 'model name' /proc/cpuinfo || true; go version; } | tee -a "$out/machine.txt"

echo "== Go benchmarks (-count=$count): query, store at 1k/10k/100k agents, fixture loading, HTTP handler"
go test -run=NONE -bench=. -benchmem -count="$count" -benchtime="$benchtime" \
  ./internal/query ./internal/store ./fixtures ./internal/api | tee "$out/go-bench.txt"

echo "== load run (vegeta, loopback, interleaved with a bare net/http ceiling)"
(cd bench && go run ./cmd/loadbench -out "../$out/load.md" "${load_args[@]}") 2>&1 | tee "$out/load.log"
echo "results in $out"
