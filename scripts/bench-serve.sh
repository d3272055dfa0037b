#!/usr/bin/env bash
# Load run: warden serve (SQLite, durable audit trail), the bare reference
# server (bench/bare: SigV4 verification and a fixed GetCallerIdentity body,
# the machine's limit for a Go server) and moto's server, the same calls in
# the same run, with `warden loadtest`. Prints one JSON line per measurement,
# with the server's CPU time per call (user and system, from /proc) and, for
# warden, the audit records per commit (per block of the trail) during it.
# Usage: scripts/bench-serve.sh [SECONDS] [CONCURRENCY]
# WARDEN_BEFORE=/path/to/warden also runs that build of warden (another
# commit's), as "warden-before", in the same run: a before/after comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conc=${2:-16}
work=$(mktemp -d)
go build -o "$work/warden" ./cmd/warden
go build -o "$work/bare" ./bench/bare
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wp=$(port); mp=$(port); bp=$(port)
"$work/warden" serve --data "$work/data" --listen "127.0.0.1:$wp" --log-level warn > "$work/serve.log" 2>&1 &
wpid=$!
moto_server -p "$mp" > "$work/moto.log" 2>&1 &
mpid=$!
"$work/bare" -listen "127.0.0.1:$bp" -credentials "$work/bare.creds" > "$work/bare.log" 2>&1 &
bpid=$!
pids="$wpid $mpid $bpid"
targets="warden bare moto"
if [ -n "${WARDEN_BEFORE:-}" ]; then
  op=$(port)
  "$WARDEN_BEFORE" serve --data "$work/before" --listen "127.0.0.1:$op" --log-level warn > "$work/before.log" 2>&1 &
  opid=$!
  pids="$pids $opid"
  targets="warden-before warden bare moto"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$op/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
fi
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
# blocks DIR: the trail's blocks and records so far: in DIR/trail's segment
# files, or in DIR/warden.db for a build that keeps them there.
blocks() {
  if [ -d "$1/trail" ]; then python3 scripts/audit-segment.py count "$1"
  else python3 -c 'import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).execute("select count(*), coalesce(sum(last_seq-first_seq+1),0) from audit_blocks").fetchone())' "$1/warden.db"; fi
}
# cpu PID: the process's user and system time so far, in clock ticks.
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
tick=$(getconf CLK_TCK)
for _ in $(seq 100); do [ -s "$work/bare.creds" ] && break; sleep 0.1; done
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$wp/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$mp/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done
printf '[warden-admin]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' > "$work/moto.creds"
role=arn:aws:iam::436205817493:role/OrganizationAccountAccessRole
for target in $targets; do
  case $target in
    warden-before) url="http://127.0.0.1:$op"; creds="$work/before/credentials"; actions="GetCallerIdentity AssumeRole"; pid=$opid; data=$work/before ;;
    warden) url="http://127.0.0.1:$wp"; creds="$work/data/credentials"; actions="GetCallerIdentity AssumeRole"; pid=$wpid; data=$work/data ;;
    bare) url="http://127.0.0.1:$bp"; creds="$work/bare.creds"; actions="GetCallerIdentity"; pid=$bpid; data= ;;
    moto) url="http://127.0.0.1:$mp"; creds="$work/moto.creds"; actions="GetCallerIdentity AssumeRole"; pid=$mpid; data= ;;
  esac
  for action in $actions; do
    [ -n "$data" ] && read -r b0 r0 < <(blocks "$data")
    c0=$(cpu "$pid")
    out=$("$work/warden" loadtest --endpoint "$url" --credentials "$creds" --action "$action" --role-arn "$role" \
      --duration "${secs}s" --concurrency "$conc" --format json)
    c1=$(cpu "$pid")
    n=$(sed 's/.*"requests":\([0-9]*\).*/\1/' <<<"$out")
    us=$(( n > 0 ? (c1 - c0) * 1000000 / tick / n : 0 ))
    per=
    if [ -n "$data" ]; then
      read -r b1 r1 < <(blocks "$data")
      per=$(awk -v b=$((b1 - b0)) -v r=$((r1 - r0)) 'BEGIN { printf "\"records_per_commit\":%.1f,", (b > 0 ? r / b : 0) }')
    fi
    printf '{"server":"%s","server_cpu_us_per_call":%d,%s%s\n' "$target" "$us" "$per" "${out#\{}"
  done
done
"$work/warden" audit verify --data "$work/data" --unsealed 1h >&2
