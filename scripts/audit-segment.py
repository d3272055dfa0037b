#!/usr/bin/env python3
"""The audit trail of a Warden SQLite store lies in segment files beside the
database (DATA/trail/*.seg, internal/store/internal/segment): a header, then
one frame per block, each a header with the block's columns and the block.
This lays the frames out as rows of audit_blocks in DATA/warden.db and back,
so that scripts/audit-tamper.sh can tamper with blocks and their columns with
SQL and scripts/audit-block.py, as an attacker who knows the format could
with the files (as internal/store/sqlite/trailtable does for the tests).

Usage: audit-segment.py export DATA   frames -> audit_blocks rows (file order)
       audit-segment.py import DATA   audit_blocks rows (by first_seq) -> one
                                      segment, begun where its first block
                                      begins; the rows are deleted
       audit-segment.py count DATA    print the frames and records held
       audit-segment.py end DATA      print where the newest segment's frames
                                      end (zeros written ahead follow)
"""
import glob
import importlib.util
import os
import sqlite3
import struct
import sys
import zlib

SEG, FRAME, LEGACY = b"WTS1", b"WTF2", b"WTF1"


def segments(data):
    return sorted(glob.glob(os.path.join(data, "trail", "[0-9]" * 20 + ".seg")))


def frame(first, last, lo, hi, d):
    """A frame: its header (the columns and the CRC-32 of them and the block) and the block."""
    h = FRAME + struct.pack(">Iqqqq", len(d), first, last, lo, hi)
    return h + struct.pack(">I", zlib.crc32(d, zlib.crc32(h))) + d


def end(b):
    """Where the segment's frames end (zeros written ahead may follow)."""
    for _ in frames(None, b):
        pass
    return _end[0]


_end = [0]  # where the frames frames() read last ended


def frames(path, b=None):
    """The frames of a segment, up to the first place that holds no complete
    frame (zeros written ahead, or an unfinished write)."""
    if b is None:
        b = open(path, "rb").read()
    assert b[:4] == SEG, str(path) + ": not a segment"
    o = 13 + b[12]
    _end[0] = o
    while True:
        if o + 44 <= len(b) and b[o:o + 4] == FRAME:
            hl = 44
        elif o + 40 <= len(b) and b[o:o + 4] == LEGACY:
            hl = 40  # written before checksums
        else:
            break
        n, first, last, lo, hi = struct.unpack(">Iqqqq", b[o + 4:o + 40])
        d = b[o + hl:o + hl + n]
        if len(d) < n or (hl == 44 and struct.unpack(">I", b[o + 40:o + 44])[0] != zlib.crc32(d, zlib.crc32(b[o:o + 40]))):
            break  # an unfinished write
        yield first, last, lo, hi, d
        o += hl + n
        _end[0] = o


def block_format():
    """scripts/audit-block.py, which reads the block format."""
    spec = importlib.util.spec_from_file_location("audit_block", os.path.join(os.path.dirname(os.path.abspath(__file__)), "audit-block.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    op, data = sys.argv[1], sys.argv[2]
    if op == "end":
        # where the newest segment's frames end
        print(end(open(segments(data)[-1], "rb").read()))
        return
    if op == "count":
        n = r = 0
        for p in segments(data):
            for first, last, _, _, _ in frames(p):
                n, r = n + 1, r + last - first + 1
        print(n, r)
        return
    db = sqlite3.connect(os.path.join(data, "warden.db"))
    if op == "export":
        for p in segments(data):
            for row in frames(p):
                db.execute("INSERT INTO audit_blocks (first_seq, last_seq, min_time, max_time, data) VALUES (?, ?, ?, ?, ?)", row)
        db.commit()
    elif op == "import":
        rows = db.execute("SELECT first_seq, last_seq, min_time, max_time, data FROM audit_blocks ORDER BY first_seq").fetchall()
        old = segments(data)
        head = open(old[0], "rb").read(268) if old else None
        if rows:
            prev, first = block_format().field(rows[0][4], 4)[0], rows[0][0]
            head = SEG + struct.pack(">q", first - 1) + bytes([len(prev)]) + prev
        else:
            first = struct.unpack(">q", head[4:12])[0] + 1
            head = head[:13 + head[12]]
        out = bytearray(head)
        for row in rows:
            out += frame(*row)
        for p in old:
            os.remove(p)
        with open(os.path.join(data, "trail", "%020d.seg" % first), "wb") as fh:
            fh.write(out)
        db.execute("DELETE FROM audit_blocks")
        db.commit()
    else:
        sys.exit("unknown operation " + op)


if __name__ == "__main__":
    main()
