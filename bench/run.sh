#!/usr/bin/env bash
# The whole benchmark harness, one command (see BENCHMARKS.md):
#   bench/run.sh              # Go benchmarks, then the load run with Prism (about 25 minutes)
#   QUICK=1 bench/run.sh      # a short smoke run of both, without Prism
#   NO_PRISM=1 bench/run.sh   # the full run without Prism
# It installs what it needs where it is missing: wrk (Debian package) and
# Prism (npm, into a cache directory). Results go to bench/results/<UTC
# time>/: machine.txt, go-bench.txt, load.md, load.log and profiles/.
set -euo pipefail
cd "$(dirname "$0")/.."
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
count=5 benchtime=1s load_args=()
if [ -n "${QUICK:-}" ]; then count=1 benchtime=200ms load_args=(-quick) NO_PRISM=1; fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null; then
  echo "== installing wrk"
  as_root apt-get update -qq && as_root apt-get install -y -qq wrk
fi
if [ -z "${NO_PRISM:-}" ]; then
  prism_dir="${XDG_CACHE_HOME:-$HOME/.cache}/mockcommand-bench/prism"
  if [ ! -x "$prism_dir/node_modules/.bin/prism" ]; then
    echo "== installing Prism into $prism_dir"
    command -v npm >/dev/null || { as_root apt-get update -qq && as_root apt-get install -y -qq npm; }
    npm install --silent --prefix "$prism_dir" @stoplight/prism-cli@5.16.0
  fi
  load_args+=(-prism "$prism_dir/node_modules/.bin/prism")
fi

echo "== machine" | tee "$out/machine.txt"
{ uname -srm; nproc; grep -m1 'model name' /proc/cpuinfo || true; go version; wrk --version 2>&1 | head -1 || true; } | tee -a "$out/machine.txt"

echo "== Go benchmarks (-count=$count): query, store at 1k/10k/100k agents, fixture loading, HTTP handler"
go test -run=NONE -bench=. -benchmem -count="$count" -benchtime="$benchtime" \
  ./internal/query ./internal/store ./internal/seed ./internal/api | tee "$out/go-bench.txt"

echo "== load run (wrk on loopback, interleaved with a bare net/http ceiling)"
(cd bench && go run ./cmd/loadbench -out "../$out/load.md" -profiles "../$out/profiles" "${load_args[@]}") 2>&1 | tee "$out/load.log"
echo "results in $out"
