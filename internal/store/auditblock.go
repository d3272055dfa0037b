package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// AuditBlock is one stored row of the audit trail: the records of one
// append (one commit group) in the framed form below, and the columns that
// readers select blocks by. The columns are derived from the records, and
// verification derives them again: a column that does not match its
// records is tampering.
type AuditBlock struct {
	FirstSeq, LastSeq int64 // the first and the last record's Seq
	MinTime, MaxTime  int64 // the earliest and the latest record's time (nanoseconds since the Unix epoch)
	Data              []byte
}

// A block's Data is framed so that each record's bytes are, in order,
// exactly what the record hash covers after the previous record's hash
// (see audit's hasher), so that verification hashes the block in place:
//
//	block  := "WAB1" || uvarint(len(prev)) || prev || uvarint(n) || record * n
//	record := seq (8 bytes, big-endian) || time (8 bytes, big-endian nanoseconds)
//	          || uvarint(len(eventID)) || eventID || uvarint(len(account)) || account
//	          || uvarint(len(data)) || data || uvarint(len(hash)) || hash
//
// prev is the PrevHash of the block's first record (empty before the first
// record of the trail); each later record's PrevHash is the Hash of the
// record before it in the block, which is not stored again.
const auditBlockMagic = "WAB1"

// ErrAuditBlockTrailing is wrapped by ReadAuditBlock's error when bytes
// follow a block's last record.
var ErrAuditBlockTrailing = errors.New("they are not part of the block")

// AuditFrame is one record of a block as ReadAuditBlock passes it. Its
// slices point into the block's Data.
type AuditFrame struct {
	Seq, Time              int64
	EventID, Account, Data []byte
	Hash                   []byte
	Head                   []byte // the bytes from Seq through Account: what the record hash covers between the previous hash and Data
	BlockPrev              []byte // the block's stored PrevHash: its first record's
	Offset                 int    // where the record starts in the block
	Index                  int    // its place in the block, from 0
}

// AuditBlockRecords returns the block's columns for recs (FirstSeq,
// LastSeq, MinTime, MaxTime) with Data the framed records appended to dst.
// The first record's PrevHash is stored as the block's; the others' are
// not stored (reading takes each to be the Hash of the record before), so
// recs must chain, as AppendAudit checks before.
func AuditBlockRecords(dst []byte, recs []AuditRecord) (AuditBlock, error) {
	if len(recs) == 0 {
		return AuditBlock{}, errors.New("store: an audit block needs at least one record")
	}
	size := len(auditBlockMagic) + 2*binary.MaxVarintLen64 + len(recs[0].PrevHash)
	for _, r := range recs {
		size += 16 + 4*binary.MaxVarintLen64 + len(r.EventID) + len(r.Account) + len(r.Data) + len(r.Hash)
	}
	if cap(dst)-len(dst) < size {
		dst = append(make([]byte, 0, len(dst)+size), dst...)
	}
	b := AuditBlock{FirstSeq: recs[0].Seq, LastSeq: recs[len(recs)-1].Seq, MinTime: math.MaxInt64, MaxTime: math.MinInt64}
	dst = append(dst, auditBlockMagic...)
	dst = appendBytes(dst, recs[0].PrevHash)
	dst = binary.AppendUvarint(dst, uint64(len(recs)))
	for i := range recs {
		r := &recs[i]
		t := r.Time.UnixNano()
		b.MinTime, b.MaxTime = min(b.MinTime, t), max(b.MaxTime, t)
		dst = binary.BigEndian.AppendUint64(dst, uint64(r.Seq))
		dst = binary.BigEndian.AppendUint64(dst, uint64(t))
		dst = appendBytes(dst, []byte(r.EventID))
		dst = appendBytes(dst, []byte(r.Account))
		dst = appendBytes(dst, r.Data)
		dst = appendBytes(dst, r.Hash)
	}
	b.Data = dst
	return b, nil
}

func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

// ReadAuditBlock reads a block's Data: it returns the first record's
// PrevHash and calls fn with each record in order, stopping at fn's first
// error. A block that is not framed as AuditBlockRecords frames it is an
// error that says where (fn has seen the records before that point).
func ReadAuditBlock(data []byte, fn func(f *AuditFrame) error) (prev []byte, err error) {
	rd := blockReader{data: data}
	if len(data) < len(auditBlockMagic) || string(data[:len(auditBlockMagic)]) != auditBlockMagic {
		return nil, errors.New("it does not start with the block format's mark (WAB1)")
	}
	rd.off = len(auditBlockMagic)
	prev = rd.bytes("the previous record's hash")
	n := rd.uvarint("the number of records")
	if rd.err != nil {
		return nil, rd.err
	}
	if n == 0 || n > uint64(len(data)) {
		return nil, fmt.Errorf("it says it holds %d records", n)
	}
	f := AuditFrame{BlockPrev: prev}
	for i := uint64(0); i < n; i++ {
		f.Offset, f.Index = rd.off, int(i)
		if rd.off+16 > len(data) {
			return prev, fmt.Errorf("record %d of %d, at byte %d: the block ends before its number and time", i+1, n, rd.off)
		}
		f.Seq = int64(binary.BigEndian.Uint64(data[rd.off:]))
		f.Time = int64(binary.BigEndian.Uint64(data[rd.off+8:]))
		rd.off += 16
		rd.rec, rd.n = i+1, n
		f.EventID = rd.bytes("event ID")
		f.Account = rd.bytes("account")
		f.Head = data[f.Offset:rd.off]
		f.Data = rd.bytes("data")
		f.Hash = rd.bytes("hash")
		if rd.err != nil {
			return prev, rd.err
		}
		if err := fn(&f); err != nil {
			return prev, err
		}
	}
	if rd.off != len(data) {
		return prev, fmt.Errorf("%d bytes follow its last record: %w", len(data)-rd.off, ErrAuditBlockTrailing)
	}
	return prev, nil
}

// DecodeAuditBlock returns the records of a block's Data, copied, each with
// its PrevHash.
func DecodeAuditBlock(data []byte) ([]AuditRecord, error) {
	var recs []AuditRecord
	prev, err := ReadAuditBlock(data, func(f *AuditFrame) error {
		recs = append(recs, AuditRecord{Seq: f.Seq, Time: time.Unix(0, f.Time).UTC(), EventID: string(f.EventID), Account: string(f.Account),
			Data: append([]byte(nil), f.Data...), Hash: append([]byte(nil), f.Hash...)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	p := append([]byte(nil), prev...)
	for i := range recs {
		recs[i].PrevHash = p
		p = recs[i].Hash
	}
	return recs, nil
}

// blockReader reads uvarint-framed fields, remembering the first error.
type blockReader struct {
	data   []byte
	off    int
	rec, n uint64 // the record being read (from 1) and how many the block holds, for errors
	err    error
}

func (r *blockReader) fail(format string, args ...any) {
	if r.err == nil {
		msg := fmt.Sprintf(format, args...)
		if r.rec > 0 {
			msg = fmt.Sprintf("record %d of %d, %s", r.rec, r.n, msg)
		}
		r.err = errors.New(msg)
	}
}

func (r *blockReader) uvarint(field string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data[r.off:])
	if n <= 0 {
		r.fail("at byte %d: the length of its %s is not a valid number", r.off, field)
		return 0
	}
	r.off += n
	return v
}

func (r *blockReader) bytes(field string) []byte {
	at := r.off
	n := r.uvarint(field)
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.data)-r.off) {
		r.fail("at byte %d: its %s of %d bytes runs past the end of the block (%d bytes)", at, field, n, len(r.data))
		return nil
	}
	b := r.data[r.off : r.off+int(n) : r.off+int(n)]
	r.off += int(n)
	return b
}
