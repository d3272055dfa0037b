package store_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

func blockRecords() []store.AuditRecord {
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var recs []store.AuditRecord
	prev := []byte(nil)
	for i := range 3 {
		h := []byte(fmt.Sprintf("%032d", i))
		recs = append(recs, store.AuditRecord{Seq: int64(41 + i), Time: t0.Add(time.Duration(2-i) * time.Second), EventID: fmt.Sprintf("e%d", i),
			Account: "111122223333", Data: []byte(strings.Repeat("x", 200*i+1)), PrevHash: prev, Hash: h})
		prev = h
	}
	recs[0].PrevHash = []byte("the hash of record 40, 32 bytes.")
	return recs
}

// A block gives back its records, PrevHash of each included, and its
// columns are theirs.
func TestAuditBlockRoundTrip(t *testing.T) {
	recs := blockRecords()
	b, err := store.AuditBlockRecords([]byte("kept"), recs)
	if err != nil {
		t.Fatal(err)
	}
	if string(b.Data[:4]) != "kept" {
		t.Errorf("AuditBlockRecords does not append to dst: %q", b.Data[:4])
	}
	b.Data = b.Data[4:]
	if b.FirstSeq != 41 || b.LastSeq != 43 || b.MinTime != recs[2].Time.UnixNano() || b.MaxTime != recs[0].Time.UnixNano() {
		t.Errorf("columns %d-%d, %d-%d; want 41-43 and the records' earliest and latest times", b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime)
	}
	got, err := store.DecodeAuditBlock(b.Data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, recs)
	}
	if _, err := store.AuditBlockRecords(nil, nil); err == nil {
		t.Error("a block of no records was made")
	}
}

// A block cut anywhere, or with bytes after its last record, or without its
// mark, is an error that says where.
func TestAuditBlockMalformed(t *testing.T) {
	b, _ := store.AuditBlockRecords(nil, blockRecords())
	for n := range len(b.Data) {
		if _, err := store.DecodeAuditBlock(b.Data[:n]); err == nil {
			t.Fatalf("block cut to %d of %d bytes: no error", n, len(b.Data))
		}
	}
	for _, tc := range []struct {
		data []byte
		want string
	}{
		{append(b.Data[:len(b.Data):len(b.Data)], 0), "1 bytes follow its last record"},
		{append([]byte("WAB2"), b.Data[4:]...), "does not start with the block format's mark"},
		{b.Data[:len(b.Data)-10], "record 3 of 3, at byte"},
	} {
		if _, err := store.DecodeAuditBlock(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error saying %q", err, tc.want)
		}
	}
}
