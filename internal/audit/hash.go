package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"github.com/securecart/warden/internal/store"
)

// recordHashVersion names the record hash below in every digest.
const recordHashVersion = "warden-record-2"

// hasher computes record hashes: SHA-256 over the previous record's hash and
// every stored column of the record, each framed so that no two different
// rows hash the same:
//
//	len(prev) (uvarint) || prev || seq (8 bytes, big-endian) || time (8 bytes: nanoseconds)
//	|| len(eventID) (uvarint) || eventID || len(account) (uvarint) || account || data
//
// The columns that readers filter on (time, account, event ID) and the
// sequence number are covered as well as the CloudTrail record itself, so
// that none can be edited without breaking the chain. A hasher is reused
// across records and is not safe for concurrent use.
type hasher struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

func newHasher() *hasher { return &hasher{h: sha256.New(), buf: make([]byte, 0, 128)} }

// sum returns the hash of one row; the result is valid until the next call.
func (x *hasher) row(prev []byte, seq, timeNanos int64, eventID, account, data []byte) []byte {
	b := binary.AppendUvarint(x.buf[:0], uint64(len(prev)))
	b = append(b, prev...)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	b = binary.BigEndian.AppendUint64(b, uint64(timeNanos))
	b = binary.AppendUvarint(b, uint64(len(eventID)))
	b = append(b, eventID...)
	b = binary.AppendUvarint(b, uint64(len(account)))
	b = append(b, account...)
	x.buf = b
	x.h.Reset()
	x.h.Write(b)
	x.h.Write(data)
	return x.h.Sum(x.sum[:0])
}

// frame returns the hash of a record stored in a block, whose bytes from
// its number through its account (head) are framed there as the hash
// frames them; the result is valid until the next call.
func (x *hasher) frame(prev, head, data []byte) []byte {
	b := binary.AppendUvarint(x.buf[:0], uint64(len(prev)))
	b = append(b, prev...)
	x.buf = b
	x.h.Reset()
	x.h.Write(b)
	x.h.Write(head)
	x.h.Write(data)
	return x.h.Sum(x.sum[:0])
}

// RecordHash is the hash a stored record must have, given the previous
// record's hash (nil for the first record).
func RecordHash(prev []byte, r *store.AuditRecord) []byte {
	return append([]byte(nil), newHasher().row(prev, r.Seq, r.Time.UnixNano(), []byte(r.EventID), []byte(r.Account), r.Data)...)
}

// frameAs returns the hash a framed record would have under number seq
// (its head's first eight bytes); the result is valid until the next call.
func (x *hasher) frameAs(prev []byte, seq int64, head, data []byte) []byte {
	b := binary.AppendUvarint(x.buf[:0], uint64(len(prev)))
	b = append(b, prev...)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	x.buf = b
	x.h.Reset()
	x.h.Write(b)
	x.h.Write(head[8:])
	x.h.Write(data)
	return x.h.Sum(x.sum[:0])
}
