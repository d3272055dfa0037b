#!/usr/bin/env bash
# The engine against cedar-go, in the same run: scenario (a) SecureCart and
# (b) 1,000 statements, each -count N, then the medians and the ratio.
# Usage: scripts/bench-engine.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
w=$(mktemp); c=$(mktemp)
trap 'rm -f "$w" "$c"' EXIT
go test -run '^$' -bench 'BenchmarkSecureCart$|BenchmarkLarge$' -benchmem -count "$n" ./internal/eval/ | grep '^Benchmark' > "$w"
(cd bench/cedar && go test -run '^$' -bench . -benchmem -count "$n" | grep '^Benchmark') > "$c"
median() { grep "^$1-" "$2" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
allocs() { grep "^$1-" "$2" | awk '{print $(NF-1)}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for pair in "SecureCart:CedarSecureCart" "Large:CedarLarge"; do
  wn=${pair%%:*}; cn=${pair##*:}
  wm=$(median "Benchmark$wn" "$w"); cm=$(median "Benchmark$cn" "$c")
  printf '%-11s warden %8.0f ns/op (%s allocs/op)   cedar-go %9.0f ns/op (%s allocs/op)   cedar/warden %.1fx\n' \
    "$wn" "$wm" "$(allocs "Benchmark$wn" "$w")" "$cm" "$(allocs "Benchmark$cn" "$c")" "$(awk -v a="$cm" -v b="$wm" 'BEGIN{print a/b}')"
done
