#!/usr/bin/env bash
# Tampering with a real audit trail: runs `warden serve` (digests every
# second) twice with signed calls in between, then on a copy of its store
# does each kind of tampering and shows that `warden audit verify` exits 1
# and names what is wrong. Exits non-zero if any tampering goes unnoticed.
# Usage: scripts/audit-tamper.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'if [ -n "${spid:-}" ]; then kill "$spid" 2>/dev/null || true; fi; wait 2>/dev/null || true; rm -rf "$work"' EXIT
spid=
go build -o "$work/warden" ./cmd/warden
w="$work/warden"
data="$work/data"
anchor="$data.audit-anchor.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# run_serve SECONDS: serve, make signed calls for SECONDS, stop (SIGTERM).
run_serve() {
  "$w" serve --data "$data" --listen "127.0.0.1:$port" --audit-digest-interval 1s --log-level warn >> "$work/serve.log" 2>&1 &
  spid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  "$w" loadtest --endpoint "http://127.0.0.1:$port" --credentials "$data/credentials" --action GetCallerIdentity \
    --duration "${1}s" --concurrency 4 --format json > /dev/null
  curl -s "http://127.0.0.1:$port/" > /dev/null || true # unsigned: recorded too
  sleep 1.2 # at least one digest of the cadence
  kill -TERM $spid; wait $spid; spid=
}

run_serve 1
cp -r "$data" "$work/older"
run_serve 1
sleep 2 # the last cadence digest before the stop is now overdue if it were the newest

sql() { sqlite3 "$1/warden.db" "$2"; }
last=$(sql "$data" 'SELECT max(seq) FROM audit_records')
mid=$((last / 2))
nd=$(sql "$data" 'SELECT max(no) FROM audit_digests')
prevseq=$(sql "$data" "SELECT seq FROM audit_digests WHERE no = $((nd - 1))")
firstfull=$(sql "$data" 'SELECT min(no) FROM audit_digests WHERE seq > 0')
echo "trail: $last records, $nd digests; anchor $(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(a["digestNumber"], a["digestHash"])' "$anchor")"

"$w" audit verify --data "$data" --anchor "$anchor" --unsealed 1s > "$work/out" || { cat "$work/out"; echo "FAIL: the untouched trail does not verify"; exit 1; }
echo "untouched: $(tail -1 "$work/out")"

failed=0
# tamper NAME SQL...: on a copy of the store, run SQL, verify with the anchor.
tamper() {
  local name=$1; shift
  local d="$work/case"
  rm -rf "$d"; cp -r "$data" "$d"
  for q in "$@"; do sql "$d" "$q"; done
  verify_case "$name" "$d"
}
verify_case() {
  local code=0
  "$w" audit verify --data "$2" --anchor "$anchor" --unsealed 1s > "$work/out" 2>&1 || code=$?
  if [ $code -eq 1 ]; then
    printf 'exit 1  %-34s %s\n' "$1" "$(grep -m1 TAMPERED "$work/out" | cut -c1-150)"
  else
    printf 'EXIT %d %-34s NOT DETECTED\n' $code "$1"; cat "$work/out"; failed=1
  fi
}

for col in "data = CAST(replace(CAST(data AS TEXT), 'GetCallerIdentity', 'GetCallerIdentitx') AS BLOB)" \
           "seq = seq + 1000000" "time = time - 3600000000000" "event_id = 'forged'" "account = '999999999999'" \
           "prev_hash = zeroblob(32)" "hash = zeroblob(32)"; do
  tamper "record: ${col%% =*} changed" "UPDATE audit_records SET $col WHERE seq = $mid"
done
tamper "first record deleted" "DELETE FROM audit_records WHERE seq = 1"
tamper "middle record deleted" "DELETE FROM audit_records WHERE seq = $mid"
tamper "last record deleted" "DELETE FROM audit_records WHERE seq = $last"
tamper "tail cut to a digest boundary" "DELETE FROM audit_digests WHERE no = $nd" "DELETE FROM audit_records WHERE seq > $prevseq" \
  "UPDATE audit_head SET seq = $prevseq, hash = (SELECT hash FROM audit_records WHERE seq = $prevseq)"
tamper "records reordered" "UPDATE audit_records SET seq = -1 WHERE seq = $mid" "UPDATE audit_records SET seq = $mid WHERE seq = $((mid + 1))" \
  "UPDATE audit_records SET seq = $((mid + 1)) WHERE seq = -1"
tamper "record inserted" "UPDATE audit_records SET seq = seq + 1000000 WHERE seq > $mid" "UPDATE audit_records SET seq = seq - 999999 WHERE seq > 1000000" \
  "INSERT INTO audit_records SELECT $((mid + 1)), time, 'forged', account, data, prev_hash, hash FROM audit_records WHERE seq = $mid" \
  "UPDATE audit_head SET seq = seq + 1"
tamper "record duplicated" "INSERT INTO audit_records SELECT $((last + 1)), time, event_id, account, data, prev_hash, hash FROM audit_records WHERE seq = $mid"
tamper "digest changed" "UPDATE audit_digests SET data = CAST(replace(CAST(data AS TEXT), '\"trail\":\"', '\"trail\":\"x') AS BLOB) WHERE no = $firstfull"
tamper "digest time changed" "UPDATE audit_digests SET time = time + 1 WHERE no = $firstfull"
tamper "digest deleted" "DELETE FROM audit_digests WHERE no = $firstfull"
tamper "newest digest deleted" "DELETE FROM audit_digests WHERE no = $nd"
tamper "head changed" "UPDATE audit_head SET hash = zeroblob(32)"
tamper "head moved back" "UPDATE audit_head SET seq = seq - 1"
tamper "head deleted" "DELETE FROM audit_head"
cp "$data/master.key" "$work/older/master.key"
verify_case "store replaced by an older copy" "$work/older"

if [ $failed -ne 0 ]; then echo "FAIL: some tampering was not detected"; exit 1; fi
echo "every tampering detected"
