#!/usr/bin/env bash
# Alternating load rounds: the bare reference server (bench/bare) and one or
# more builds of warden serve (SQLite, durable audit trail), each measured in
# turn in every round with `warden loadtest`, so that the machine's drift
# (other work on shared cores) falls on all of them alike. Prints one line
# per server and round (req/s, the server's CPU per call from /proc, p99,
# the machine's idle share during the measurement) and the medians.
# Usage: scripts/bench-rounds.sh CONCURRENCY ROUNDS SECONDS ACTION [NAME=COMMAND]...
#   ACTION: GetCallerIdentity (the bare server is measured too) or AssumeRole.
#   NAME=COMMAND: a warden build to serve, as "[VAR=VALUE...] /path/to/warden
#   [serve flags...]"; without any, the current tree's build as "warden".
# Example: scripts/bench-rounds.sh 16 4 6 GetCallerIdentity \
#   "main=/tmp/warden-main" "ack=/tmp/warden --audit-sync ack"
set -uo pipefail
cd "$(dirname "$0")/.."
conc=$1 rounds=$2 secs=$3 action=$4; shift 4
work=$(mktemp -d)
go build -o "$work/warden" ./cmd/warden || exit 1
go build -o "$work/bare" ./bench/bare || exit 1
[ $# -eq 0 ] && set -- "warden=$work/warden"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -A URL CRED PID
names=() pids=""
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
bp=$(port)
"$work/bare" -listen "127.0.0.1:$bp" -credentials "$work/bare.creds" >/dev/null 2>&1 &
PID[bare]=$! URL[bare]=http://127.0.0.1:$bp CRED[bare]=$work/bare.creds; pids=${PID[bare]}
[ "$action" = GetCallerIdentity ] && names+=(bare)
for spec in "$@"; do
  name=${spec%%=*} cmd=${spec#*=} p=$(port)
  # The command's leading VAR=VALUE words are its environment.
  read -ra words <<<"$cmd"
  env=() ; while [[ ${words[0]} == *=* ]]; do env+=("${words[0]}"); words=("${words[@]:1}"); done
  env "${env[@]}" "${words[0]}" serve --data "$work/data-$name" --listen "127.0.0.1:$p" --log-level warn "${words[@]:1}" >"$work/$name.log" 2>&1 &
  PID[$name]=$! URL[$name]=http://127.0.0.1:$p CRED[$name]=$work/data-$name/credentials; pids="$pids ${PID[$name]}"
  names+=("$name")
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done
for _ in $(seq 100); do [ -s "$work/bare.creds" ] && break; sleep 0.1; done
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
idle() { awk '/^cpu /{print $5+$6}' /proc/stat; }
tick=$(getconf CLK_TCK) ncpu=$(nproc)
role=arn:aws:iam::436205817493:role/OrganizationAccountAccessRole
for r in $(seq "$rounds"); do
  for n in "${names[@]}"; do
    i0=$(idle) c0=$(cpu "${PID[$n]}")
    out=$("$work/warden" loadtest --endpoint "${URL[$n]}" --credentials "${CRED[$n]}" --action "$action" --role-arn "$role" \
      --duration "${secs}s" --concurrency "$conc" --format json)
    c1=$(cpu "${PID[$n]}") i1=$(idle)
    rq=$(sed 's/.*"requests":\([0-9]*\).*/\1/' <<<"$out") rps=$(sed 's/.*"rps":\([0-9.]*\).*/\1/' <<<"$out") p99=$(sed 's/.*"p99_ms":\([0-9.]*\).*/\1/' <<<"$out")
    echo "round $r $n req/s $rps cpu_us_per_call $(( rq > 0 ? (c1 - c0) * 1000000 / tick / rq : 0 )) p99_ms $p99 idle% $(( (i1 - i0) * 100 / (tick * secs * ncpu) ))"
  done
done | tee "$work/rounds"
echo "medians:"
for n in "${names[@]}"; do
  awk -v n="$n" '$3 == n { print $5 }' "$work/rounds" | sort -n | awk -v n="$n" '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "  %s req/s %.1f\n", n, m }'
done
