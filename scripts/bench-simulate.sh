#!/usr/bin/env bash
# `warden simulate` at full speed, in the same run: the whole process on one
# file of N cases, on the same cases as N files, and iam-simulate (Node, the
# npm package pinned in bench/iam-simulate) on the one file. Each is run RUNS
# times; the script prints the medians and the ratios.
# Usage: scripts/bench-simulate.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
runs=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/warden" ./cmd/warden
go run ./bench/simcases -n "$n" -o "$tmp/cases.json" -split "$tmp/split"
(cd bench/iam-simulate && npm ci --no-audit --no-fund --silent)
echo "cases: $n in $(du -h "$tmp/cases.json" | cut -f1) ($(ls "$tmp/split" | wc -l) files when split)"

# Every case must pass before anything is timed: no fast wrong answers.
"$tmp/warden" simulate "$tmp/cases.json" | tail -1

ms() { # the wall time of a command in milliseconds
  local s e
  s=$(date +%s%N)
  "$@" > /dev/null
  e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

one=(); many=(); node=()
for _ in $(seq "$runs"); do
  one+=("$(ms "$tmp/warden" simulate --format json "$tmp/cases.json")")
  many+=("$(ms "$tmp/warden" simulate --format json "$tmp"/split/*.json)")
  node+=("$(ms node bench/iam-simulate/run.mjs "$tmp/cases.json")")
done
m1=$(printf '%s\n' "${one[@]}" | median)
m2=$(printf '%s\n' "${many[@]}" | median)
m3=$(printf '%s\n' "${node[@]}" | median)
node bench/iam-simulate/run.mjs "$tmp/cases.json"
printf 'warden simulate, one file:    %6s ms   (runs: %s)\n' "$m1" "${one[*]}"
printf 'warden simulate, %s files: %6s ms   (runs: %s)\n' "$n" "$m2" "${many[*]}"
printf 'iam-simulate (Node), one file: %6s ms   (runs: %s)\n' "$m3" "${node[*]}"
awk -v a="$m2" -v b="$m1" -v c="$m3" -v n="$n" 'BEGIN {printf "%s files / one file: %.2fx (goal <= 1.5x); iam-simulate / warden: %.1fx (goal >= 10x)\n", n, a/b, c/b}'
