#!/usr/bin/env bash
# Load run: warden serve (SQLite, durable audit trail), the bare reference
# server (bench/bare: SigV4 verification and a fixed GetCallerIdentity body,
# the machine's limit for a Go server) and moto's server, the same calls in
# the same run, with `warden loadtest`. Prints one JSON line per measurement.
# Usage: scripts/bench-serve.sh [SECONDS] [CONCURRENCY]
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
trap 'kill $wpid $mpid $bpid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/bare.creds" ] && break; sleep 0.1; done
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$wp/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$mp/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done
printf '[warden-admin]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' > "$work/moto.creds"
role=arn:aws:iam::436205817493:role/OrganizationAccountAccessRole
for target in warden bare moto; do
  case $target in
    warden) url="http://127.0.0.1:$wp"; creds="$work/data/credentials"; actions="GetCallerIdentity AssumeRole" ;;
    bare) url="http://127.0.0.1:$bp"; creds="$work/bare.creds"; actions="GetCallerIdentity" ;;
    moto) url="http://127.0.0.1:$mp"; creds="$work/moto.creds"; actions="GetCallerIdentity AssumeRole" ;;
  esac
  for action in $actions; do
    printf '{"server":"%s",' "$target"
    "$work/warden" loadtest --endpoint "$url" --credentials "$creds" --action "$action" --role-arn "$role" \
      --duration "${secs}s" --concurrency "$conc" --format json | sed 's/^{//'
  done
done
"$work/warden" audit verify --data "$work/data" --unsealed 1h >&2
