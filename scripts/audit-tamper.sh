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

# The records lie in segment files (DATA/trail/*.seg, one frame per block);
# scripts/audit-segment.py lays the frames out as rows of audit_blocks and
# writes them back, so that blocks and their columns are changed with SQL
# (and scripts/audit-block.py) as an attacker who knows the format could.
seg() { python3 scripts/audit-segment.py "$@"; }
# look DIR QUERY: a query over the store with the blocks as rows.
look() { seg export "$1"; sqlite3 "$1/warden.db" "$2"; sqlite3 "$1/warden.db" 'DELETE FROM audit_blocks'; }
# sql DIR QUERY...: change the store with SQL, the blocks as rows.
sql() { local d=$1; shift; seg export "$d"; for q in "$@"; do sqlite3 "$d/warden.db" "$q"; done; seg import "$d"; }
# block DIR SEQ OP [VALUE]: change the block holding record SEQ (scripts/audit-block.py).
block() { seg export "$1"; python3 scripts/audit-block.py "$1/warden.db" "${@:2}"; seg import "$1"; }
# file DIR OP [ARG]: change the newest segment file itself: flip OFFSET (a byte), cut N (the file cut N
# bytes before its frames' end, its zeros with them), zero N (the last N bytes of its frames zeroed, from a
# sector's start as a write into preallocated space that a crash cut short leaves them), zerobytes N (the
# same not on a sector), zeroframe (the newest segment's first frame zeroed whole), remove.
file() {
  local f end; f=$(ls "$1"/trail/*.seg | tail -1); end=$(seg end "$1")
  case $2 in
    flip) python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 1; open(p, "wb").write(b)' "$f" "$3" ;;
    cut) truncate -s "$((end - $3))" "$f" ;;
    zero|zerobytes) python3 -c 'import sys; p, e, n, s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "zero"
b = bytearray(open(p, "rb").read()); o = e - n; o -= o % 512 if s else 0; b[o:e] = bytes(e - o); open(p, "wb").write(b)' "$f" "$end" "$3" "$2" ;;
    zeroframe) python3 -c 'import struct, sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); o = 13 + b[12]
n = 44 + struct.unpack(">I", b[o + 4:o + 8])[0]; b[o:o + n] = bytes(n); open(p, "wb").write(b)' "$f" ;;
    remove) rm "$1"/trail/*.seg ;;
  esac
}
last=$(look "$data" 'SELECT max(last_seq) FROM audit_blocks')
mid=$((last / 2))
midblock=$(look "$data" "SELECT max(first_seq) FROM audit_blocks WHERE first_seq <= $mid")
nextblock=$(look "$data" "SELECT min(first_seq) FROM audit_blocks WHERE first_seq > $midblock")
lastblock=$(look "$data" 'SELECT max(first_seq) FROM audit_blocks')
nd=$(look "$data" 'SELECT max(no) FROM audit_digests')
prevseq=$(look "$data" "SELECT seq FROM audit_digests WHERE no = $((nd - 1))")
firstfull=$(look "$data" 'SELECT min(no) FROM audit_digests WHERE seq > 0')
echo "trail: $last records in $(look "$data" 'SELECT count(*) FROM audit_blocks') blocks ($(ls "$data"/trail/*.seg | wc -l) segment files), $nd digests; anchor $(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(a["digestNumber"], a["digestHash"])' "$anchor")"

"$w" audit verify --data "$data" --anchor "$anchor" --unsealed 1s > "$work/out" || { cat "$work/out"; echo "FAIL: the untouched trail does not verify"; exit 1; }
echo "untouched: $(tail -1 "$work/out")"

failed=0
# tamper NAME SQL...: on a copy of the store, run SQL, verify with the anchor.
# tamper NAME -- OP [VALUE]: on a copy, change record $mid's block with block.
# tamper NAME --at SEQ OP [VALUE]: the same with record SEQ's block.
# tamper NAME --file OP [ARG]: on a copy, change the newest segment file.
# want=PATTERN tamper ...: verify must also name the tampering so (an extended regular expression).
tamper() {
  local name=$1; shift
  local d="$work/case"
  rm -rf "$d"; cp -r "$data" "$d"
  case $1 in
    --) shift; block "$d" "$mid" "$@" ;;
    --at) shift; block "$d" "$@" ;;
    --file) shift; file "$d" "$@" ;;
    *) sql "$d" "$@" ;;
  esac
  verify_case "$name" "$d"
}
verify_case() {
  local code=0
  "$w" audit verify --data "$2" --anchor "$anchor" --unsealed 1s > "$work/out" 2>&1 || code=$?
  if [ $code -eq 1 ] && [ -n "${want:-}" ] && ! grep -qE "TAMPERED.*($want)" "$work/out"; then
    printf 'exit 1  %-34s NOT NAMED (want "%s")\n' "$1" "$want"; cat "$work/out"; failed=1
  elif [ $code -eq 1 ]; then
    printf 'exit 1  %-34s %s\n' "$1" "$(grep -m1 TAMPERED "$work/out" | cut -c1-150)"
  else
    printf 'EXIT %d %-34s NOT DETECTED\n' $code "$1"; cat "$work/out"; failed=1
  fi
}

# A record inside its block: each field, rewritten with the block's framing
# and columns as the store writes them, and a byte changed in place.
tamper "record: data changed in place" "UPDATE audit_blocks SET data = CAST(replace(CAST(data AS TEXT), 'GetCallerIdentity', 'GetCallerIdentitx') AS BLOB) WHERE first_seq = $midblock"
tamper "block: a byte flipped" -- flip
want="carries number $((mid + 1000000)): it matches its hash as record $mid, so only its number was changed" \
  tamper "record: seq changed" -- seq $((mid + 1000000))
want="carries number 1000000: it matches its hash as record 1, so only its number was changed" \
  tamper "first record: seq changed" --at 1 seq 1000000
want="carries number $((last + 1000000)): it matches its hash as record $last, so only its number was changed" \
  tamper "last record: seq changed" --at "$last" seq $((last + 1000000))
tamper "record: time changed" -- time 0
tamper "record: event_id changed" -- event_id forged
tamper "record: account changed" -- account 999999999999
tamper "record: hash changed" -- hash "$(printf '%064d' 0)"
tamper "block: previous hash changed" -- prev "$(printf '%064d' 0)"
# The columns of a block, which lookups select blocks by.
for col in "first_seq = first_seq + 1000000" "last_seq = last_seq - 1" "min_time = min_time + 1" "max_time = min_time - 3600000000000" \
           "data = substr(data, 1, length(data) - 40)"; do
  tamper "block: ${col%% =*} changed" "UPDATE audit_blocks SET $col WHERE first_seq = $midblock"
done
tamper "first block deleted" "DELETE FROM audit_blocks WHERE first_seq = 1"
tamper "middle block deleted" "DELETE FROM audit_blocks WHERE first_seq = $midblock"
tamper "middle record deleted" -- drop
tamper "last block deleted" "DELETE FROM audit_blocks WHERE first_seq = $lastblock"
# The chain head is the last record of the newest segment: it moves back with the cut.
tamper "tail cut to a digest boundary" "DELETE FROM audit_digests WHERE no = $nd" "DELETE FROM audit_blocks WHERE first_seq > $prevseq"
want="records $midblock-$((nextblock - 1)) appear after records $nextblock-[0-9]*: the trail is out of order" \
  tamper "blocks reordered" "UPDATE audit_blocks SET first_seq = -1 WHERE first_seq = $midblock" "UPDATE audit_blocks SET first_seq = $midblock WHERE first_seq = $nextblock" \
  "UPDATE audit_blocks SET first_seq = $nextblock WHERE first_seq = -1"
tamper "record inserted" -- insert
tamper "block duplicated" "INSERT INTO audit_blocks SELECT $((last + 1)), $((last + 1)), min_time, max_time, data FROM audit_blocks WHERE first_seq = $midblock"
tamper "digest changed" "UPDATE audit_digests SET data = CAST(replace(CAST(data AS TEXT), '\"trail\":\"', '\"trail\":\"x') AS BLOB) WHERE no = $firstfull"
tamper "digest time changed" "UPDATE audit_digests SET time = time + 1 WHERE no = $firstfull"
tamper "digest deleted" "DELETE FROM audit_digests WHERE no = $firstfull"
tamper "newest digest deleted" "DELETE FROM audit_digests WHERE no = $nd"
# Cut back to a digest and resumed by a later start: no gap at the end, and
# without the anchor only the late first digest after the cut tells.
d="$work/case"; rm -rf "$d"; cp -r "$data" "$d"
sql "$d" "DELETE FROM audit_digests WHERE no = $nd" "DELETE FROM audit_blocks WHERE first_seq > $prevseq"
"$w" serve --data "$d" --listen "127.0.0.1:$port" --audit-digest-interval 1s --audit-anchor "$work/resumed-anchor.json" --log-level warn >> "$work/serve.log" 2>&1 &
spid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1.2
kill -TERM $spid; wait $spid; spid=
code=0
"$w" audit verify --data "$d" --unsealed 1s > "$work/out" 2>&1 || code=$?
if [ $code -eq 1 ] && grep -qE "TAMPERED digest [0-9]+ of .* came after digest $((nd - 1)) of .*cut back, then resumed" "$work/out"; then
  printf 'exit 1  %-34s %s\n' "tail cut, then resumed" "$(grep -m1 'cut back, then resumed' "$work/out" | cut -c1-150)"
else
  printf 'EXIT %d %-34s NOT NAMED\n' $code "tail cut, then resumed"; cat "$work/out"; failed=1
fi
# The segment files themselves (the chain head is the newest one's last record).
tamper "head changed (last record's hash)" --at "$last" hash "$(printf '%064d' 0)"
tamper "segment: a header byte flipped" --file flip 11
tamper "segment: a frame's length changed" --file flip 19
tamper "segment: last frame cut (as a crash)" --file cut 100
tamper "segment: last frame's end zeroed (as a crash)" --file zero 100
tamper "segment: last frame made to end in zeros" --file zerobytes 100
tamper "segment: a frame zeroed whole" --file zeroframe
tamper "segments deleted (head deleted)" --file remove
cp "$data/master.key" "$work/older/master.key"
verify_case "store replaced by an older copy" "$work/older"

if [ $failed -ne 0 ]; then echo "FAIL: some tampering was not detected"; exit 1; fi
echo "every tampering detected"
