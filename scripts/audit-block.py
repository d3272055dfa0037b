#!/usr/bin/env python3
"""Tampers with the audit blocks of a Warden SQLite store, as an attacker who
knows the block format would (internal/store/auditblock.go): it decodes the
block holding a record, changes it and writes it back with its columns
derived from its records, as the store derives them. The blocks are the rows
of audit_blocks that scripts/audit-segment.py exports from the trail's
segment files (and imports back). Used by scripts/audit-tamper.sh.

Usage: audit-block.py DB SEQ OP [VALUE]
  OP: seq|time|event_id|account|hash|prev VALUE  set a field of record SEQ
                                                 (prev: the block's previous hash);
                                                 numbers decimal, hashes hex
      flip                                       flip a byte in the middle of the block
      drop                                       remove record SEQ from its block
      insert                                     insert a forged record after SEQ and
                                                 renumber every later record
"""
import sqlite3
import struct
import sys

MAGIC = b"WAB1"


def uvarint(b, o):
    v, s = 0, 0
    while True:
        c = b[o]
        o += 1
        v |= (c & 0x7F) << s
        if c < 0x80:
            return v, o
        s += 7


def put_uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field(b, o):
    n, o = uvarint(b, o)
    return b[o:o + n], o + n


def decode(data):
    assert data[:4] == MAGIC, "not a block"
    prev, o = field(data, 4)
    n, o = uvarint(data, o)
    recs = []
    for _ in range(n):
        seq, tm = struct.unpack(">qq", data[o:o + 16])
        o += 16
        r = {"seq": seq, "time": tm}
        for k in ("event_id", "account", "data", "hash"):
            r[k], o = field(data, o)
        recs.append(r)
    return prev, recs


def encode(prev, recs):
    out = bytearray(MAGIC) + put_uvarint(len(prev)) + prev + put_uvarint(len(recs))
    for r in recs:
        out += struct.pack(">qq", r["seq"], r["time"])
        for k in ("event_id", "account", "data", "hash"):
            out += put_uvarint(len(r[k])) + r[k]
    return bytes(out)


def put(db, first, prev, recs):
    db.execute("DELETE FROM audit_blocks WHERE first_seq = ?", (first,))
    times = [r["time"] for r in recs]
    db.execute("INSERT INTO audit_blocks (first_seq, last_seq, min_time, max_time, data) VALUES (?, ?, ?, ?, ?)",
               (recs[0]["seq"], recs[-1]["seq"], min(times), max(times), encode(prev, recs)))


def main():
    path, seq, op = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    value = sys.argv[4] if len(sys.argv) > 4 else None
    db = sqlite3.connect(path)
    first, data = db.execute("SELECT first_seq, data FROM audit_blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1",
                             (seq,)).fetchone()
    prev, recs = decode(data)
    i = [r["seq"] for r in recs].index(seq)
    if op in ("seq", "time"):
        recs[i][op] = int(value)
    elif op in ("event_id", "account"):
        recs[i][op] = value.encode()
    elif op == "hash":
        recs[i][op] = bytes.fromhex(value)
    elif op == "prev":
        prev = bytes.fromhex(value)
    elif op == "flip":
        b = bytearray(data)
        b[len(b) // 2] ^= 0xFF
        db.execute("UPDATE audit_blocks SET data = ? WHERE first_seq = ?", (bytes(b), first))
        db.commit()
        return
    elif op == "drop":
        if len(recs) == 1:
            db.execute("DELETE FROM audit_blocks WHERE first_seq = ?", (first,))
            db.commit()
            return
        del recs[i]
    elif op == "insert":
        # The later blocks move up one, the last first, so that no two share
        # a number on the way.
        later = db.execute("SELECT first_seq, data FROM audit_blocks WHERE first_seq > ? ORDER BY first_seq DESC", (first,)).fetchall()
        for f, d in later:
            p, rs = decode(d)
            for r in rs:
                r["seq"] += 1
            put(db, f, p, rs)
        forged = dict(recs[i], seq=seq + 1, event_id=b"forged")
        for r in recs[i + 1:]:
            r["seq"] += 1
        recs.insert(i + 1, forged)
        put(db, first, prev, recs)
        db.commit()
        return
    else:
        sys.exit("unknown operation " + op)
    put(db, first, prev, recs)
    db.commit()


if __name__ == "__main__":
    main()
