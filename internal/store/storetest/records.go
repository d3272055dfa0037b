package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/securecart/warden/internal/store"
)

const nsA, nsB = "test/alpha", "test/beta"

func doc(s string) []byte { return []byte(`{"v":"` + s + `"}`) }

func testRecordsRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Record(ctx, nsA, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Record on an empty store: got %v, want ErrNotFound", err)
	}
	if rev, err := s.RecordsRevision(ctx, nsA); err != nil || rev != 0 {
		t.Fatalf("RecordsRevision of a new namespace = %d, %v; want 0", rev, err)
	}
	v1, err := s.PutRecord(ctx, nsA, "k", doc("1"), 0, at(1))
	if err != nil || v1 != 1 {
		t.Fatalf("PutRecord(new) = %d, %v; want version 1", v1, err)
	}
	r, err := s.Record(ctx, nsA, "k")
	if err != nil || string(r.Doc) != string(doc("1")) || r.Version != 1 || ts(r.Updated) != ts(at(1)) || r.Deleted ||
		r.Namespace != nsA || r.Key != "k" {
		t.Fatalf("Record = %+v, %v; want doc 1, version 1, updated at(1)", r, err)
	}
	// The same key in another namespace is another record, with its own
	// revision.
	if v, err := s.PutRecord(ctx, nsB, "k", doc("b"), 0, at(1)); err != nil || v != 1 {
		t.Fatalf("PutRecord(other namespace) = %d, %v; want 1", v, err)
	}
	v2, err := s.PutRecord(ctx, nsA, "k", doc("2"), v1, at(2))
	if err != nil || v2 != 2 {
		t.Fatalf("PutRecord(expect 1) = %d, %v; want 2", v2, err)
	}
	if rev, err := s.RecordsRevision(ctx, nsA); err != nil || rev != 2 {
		t.Errorf("RecordsRevision = %d, %v; want 2", rev, err)
	}
	if r, _ := s.Record(ctx, nsB, "k"); string(r.Doc) != string(doc("b")) {
		t.Errorf("Record(%s) = %s, want the other namespace's own document", nsB, r.Doc)
	}
}

func testRecordsConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	v, err := s.PutRecord(ctx, nsA, "k", doc("1"), 0, at(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.PutRecord(ctx, nsA, "k", doc("x"), 0, at(2))
	if !errors.Is(err, store.ErrConflict) || !errors.Is(err, store.ErrExists) {
		t.Errorf("PutRecord(expect 0) over a record: got %v, want ErrConflict and ErrExists", err)
	}
	if _, err := s.PutRecord(ctx, nsA, "k", doc("x"), v+7, at(2)); !errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExists) {
		t.Errorf("PutRecord(wrong version): got %v, want ErrConflict", err)
	}
	_, err = s.PutRecord(ctx, nsA, "missing", doc("x"), 3, at(2))
	if !errors.Is(err, store.ErrConflict) || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutRecord(expect 3) of a missing record: got %v, want ErrConflict and ErrNotFound", err)
	}
	if r, _ := s.Record(ctx, nsA, "k"); string(r.Doc) != string(doc("1")) || r.Version != v {
		t.Errorf("after refused writes, Record = %s v%d; want the first document, v%d", r.Doc, r.Version, v)
	}
	// A refused write does not move the revision.
	if rev, _ := s.RecordsRevision(ctx, nsA); rev != v {
		t.Errorf("RecordsRevision after refused writes = %d, want %d", rev, v)
	}
	// AnyVersion overwrites whatever is there, and creates.
	if v2, err := s.PutRecord(ctx, nsA, "k", doc("any"), store.AnyVersion, at(3)); err != nil || v2 <= v {
		t.Errorf("PutRecord(AnyVersion) = %d, %v; want a version above %d", v2, err, v)
	}
	if _, err := s.PutRecord(ctx, nsA, "new", doc("any"), store.AnyVersion, at(3)); err != nil {
		t.Errorf("PutRecord(AnyVersion) of a new record: %v", err)
	}
}

func testRecordsRejectBadInput(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, c := range []struct {
		name, ns, key string
		doc           []byte
	}{
		{"empty namespace", "", "k", doc("1")},
		{"upper-case namespace", "Test/Alpha", "k", doc("1")},
		{"empty namespace segment", "test//alpha", "k", doc("1")},
		{"empty key", nsA, "", doc("1")},
		{"non-UTF-8 key", nsA, "\xff\xfe", doc("1")},
		{"overlong key", nsA, string(make([]byte, store.MaxRecordKey+1)), doc("1")},
		{"not JSON", nsA, "k", []byte("{not json")},
		{"no document", nsA, "k", nil},
	} {
		if _, err := s.PutRecord(ctx, c.ns, c.key, c.doc, 0, at(1)); err == nil {
			t.Errorf("PutRecord with %s: got no error", c.name)
		}
	}
	if _, err := s.ApplyRecords(ctx, []store.RecordOp{{Namespace: nsA, Key: "z", Doc: doc("1")}}); err == nil {
		t.Errorf("ApplyRecords without At: got no error")
	}
	_, err := s.ApplyRecords(ctx, []store.RecordOp{
		{Namespace: nsA, Key: "d", Doc: doc("1"), At: at(1)},
		{Namespace: nsA, Key: "d", Doc: doc("2"), Expect: store.AnyVersion, At: at(1)},
	})
	if err == nil {
		t.Errorf("ApplyRecords writing one key twice: got no error")
	}
	if _, err := s.Record(ctx, nsA, "d"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused batch stored a record: %v", err)
	}
}

func testRecordsDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	v, _ := s.PutRecord(ctx, nsA, "k", doc("1"), 0, at(1))
	if err := s.DeleteRecord(ctx, nsA, "k", v+1, at(2)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DeleteRecord(wrong version): got %v, want ErrConflict", err)
	}
	if err := s.DeleteRecord(ctx, nsA, "k", v, at(2)); err != nil {
		t.Fatalf("DeleteRecord: %v", err)
	}
	if _, err := s.Record(ctx, nsA, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Record after delete: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteRecord(ctx, nsA, "k", store.AnyVersion, at(3)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteRecord twice: got %v, want ErrNotFound", err)
	}
	if recs, _ := s.ListRecords(ctx, nsA, store.RecordQuery{Limit: 10}); len(recs) != 0 {
		t.Errorf("ListRecords after delete = %v, want none", recs)
	}
	// A deleted key can be created again (expect 0), with a newer version.
	v3, err := s.PutRecord(ctx, nsA, "k", doc("again"), 0, at(4))
	if err != nil || v3 <= v+1 {
		t.Errorf("PutRecord after delete = %d, %v; want a version above %d", v3, err, v+1)
	}
}

func testRecordsBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	vk, _ := s.PutRecord(ctx, nsA, "keep", doc("1"), 0, at(1))
	vs, err := s.ApplyRecords(ctx, []store.RecordOp{
		{Namespace: nsA, Key: "a", Doc: doc("a"), At: at(2)},
		{Namespace: nsB, Key: "b", Doc: doc("b"), At: at(2)},
		{Namespace: nsA, Key: "keep", Delete: true, Expect: vk, At: at(2)},
	})
	if err != nil || len(vs) != 3 || vs[0] != vk+1 || vs[1] != 1 || vs[2] != vk+2 {
		t.Fatalf("ApplyRecords = %v, %v; want [%d 1 %d]", vs, err, vk+1, vk+2)
	}
	// One stale op refuses the whole batch.
	_, err = s.ApplyRecords(ctx, []store.RecordOp{
		{Namespace: nsA, Key: "c", Doc: doc("c"), At: at(3)},
		{Namespace: nsB, Key: "b", Doc: doc("b2"), Expect: 99, At: at(3)},
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("ApplyRecords with a stale op: got %v, want ErrConflict", err)
	}
	if _, err := s.Record(ctx, nsA, "c"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused batch stored its first op: %v", err)
	}
	if rev, _ := s.RecordsRevision(ctx, nsA); rev != vk+2 {
		t.Errorf("a refused batch moved the revision to %d, want %d", rev, vk+2)
	}
}

func testRecordsList(t *testing.T, s store.Store) {
	ctx := t.Context()
	keys := []string{"acct/1", "acct/10", "acct/2", "acct/2/x", "acctz", "b", "\u00e9t\u00e9", "acct/\u00ff", "acct0"}
	var ops []store.RecordOp
	for _, k := range keys {
		ops = append(ops, store.RecordOp{Namespace: nsA, Key: k, Doc: doc(k), At: at(1)})
	}
	ops = append(ops, store.RecordOp{Namespace: nsB, Key: "acct/3", Doc: doc("other"), At: at(1)})
	if _, err := s.ApplyRecords(ctx, ops); err != nil {
		t.Fatal(err)
	}
	list := func(q store.RecordQuery) string {
		t.Helper()
		recs, err := s.ListRecords(ctx, nsA, q)
		if err != nil {
			t.Fatalf("ListRecords(%+v): %v", q, err)
		}
		var out []string
		for _, r := range recs {
			if string(r.Doc) != string(doc(r.Key)) || r.Namespace != nsA || r.Deleted {
				t.Errorf("ListRecords: record %q has doc %s", r.Key, r.Doc)
			}
			out = append(out, r.Key)
		}
		return fmt.Sprint(out)
	}
	// Byte order, whatever the database's collation.
	if got, want := list(store.RecordQuery{Limit: 100}), "[acct/1 acct/10 acct/2 acct/2/x acct/\u00ff acct0 acctz b \u00e9t\u00e9]"; got != want {
		t.Errorf("all = %s, want %s", got, want)
	}
	if got, want := list(store.RecordQuery{Prefix: "acct/", Limit: 100}), "[acct/1 acct/10 acct/2 acct/2/x acct/\u00ff]"; got != want {
		t.Errorf("prefix acct/ = %s, want %s", got, want)
	}
	if got, want := list(store.RecordQuery{Prefix: "acct/", After: "acct/10", Limit: 2}), "[acct/2 acct/2/x]"; got != want {
		t.Errorf("prefix acct/ after acct/10, 2 = %s, want %s", got, want)
	}
	if got, want := list(store.RecordQuery{Prefix: "acct/\u00ff", Limit: 100}), "[acct/\u00ff]"; got != want {
		t.Errorf("prefix with a multi-byte character = %s, want %s", got, want)
	}
	if got := list(store.RecordQuery{Limit: 0}); got != "[]" {
		t.Errorf("limit 0 = %s, want nothing", got)
	}
	if got := list(store.RecordQuery{Prefix: "zzz", Limit: 10}); got != "[]" {
		t.Errorf("prefix zzz = %s, want nothing", got)
	}
	// Paging through every record, two at a time, with AllRecords' loop.
	var paged []string
	q := store.RecordQuery{Limit: 2}
	for {
		recs, err := s.ListRecords(ctx, nsA, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			paged = append(paged, r.Key)
		}
		if len(recs) < q.Limit {
			break
		}
		q.After = recs[len(recs)-1].Key
	}
	if len(paged) != len(keys) {
		t.Errorf("paging read %d records, want %d: %v", len(paged), len(keys), paged)
	}
	all, err := store.AllRecords(ctx, s, nsA, "acct/")
	if err != nil || len(all) != 5 {
		t.Errorf("AllRecords(acct/) = %d records, %v; want 5", len(all), err)
	}
}

func testRecordChanges(t *testing.T, s store.Store) {
	ctx := t.Context()
	s.PutRecord(ctx, nsA, "a", doc("a"), 0, at(1))
	s.PutRecord(ctx, nsA, "b", doc("b"), 0, at(1))
	rev, _ := s.RecordsRevision(ctx, nsA)
	s.PutRecord(ctx, nsA, "a", doc("a2"), store.AnyVersion, at(2))
	s.DeleteRecord(ctx, nsA, "b", store.AnyVersion, at(3))
	s.PutRecord(ctx, nsA, "c", doc("c"), 0, at(4))
	s.PutRecord(ctx, nsB, "z", doc("z"), 0, at(4))
	changes, err := s.RecordChanges(ctx, nsA, rev, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprintf("%s@%d:%s:%t", c.Key, c.Version, c.Doc, c.Deleted))
	}
	want := fmt.Sprint([]string{`a@3:{"v":"a2"}:false`, "b@4::true", `c@5:{"v":"c"}:false`})
	if fmt.Sprint(got) != want {
		t.Errorf("RecordChanges since %d = %v, want %s", rev, got, want)
	}
	if changes, _ := s.RecordChanges(ctx, nsA, rev, 1); len(changes) != 1 || changes[0].Key != "a" {
		t.Errorf("RecordChanges limit 1 = %v, want a", changes)
	}
	if changes, _ := s.RecordChanges(ctx, nsA, 5, 100); len(changes) != 0 {
		t.Errorf("RecordChanges since the revision = %v, want none", changes)
	}

	// Purging tombstones older than at(3) keeps b's (made at at(3)); older
	// than at(4) forgets it, and changes since before it are then stale.
	if n, err := s.PurgeRecordTombstones(ctx, nsA, at(3)); err != nil || n != 0 {
		t.Errorf("PurgeRecordTombstones(at 3) = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeRecordTombstones(ctx, nsA, at(4)); err != nil || n != 1 {
		t.Errorf("PurgeRecordTombstones(at 4) = %d, %v; want 1", n, err)
	}
	if _, err := s.RecordChanges(ctx, nsA, rev, 100); !errors.Is(err, store.ErrStale) {
		t.Errorf("RecordChanges from before a purged deletion: got %v, want ErrStale", err)
	}
	if changes, err := s.RecordChanges(ctx, nsA, 4, 100); err != nil || len(changes) != 1 || changes[0].Key != "c" {
		t.Errorf("RecordChanges since the purged deletion = %v, %v; want c", changes, err)
	}
	if changes, err := s.RecordChanges(ctx, nsB, 0, 100); err != nil || len(changes) != 1 {
		t.Errorf("RecordChanges of the other namespace = %v, %v; want its one record", changes, err)
	}
	// The deleted key can be created again after its tombstone is gone.
	if _, err := s.PutRecord(ctx, nsA, "b", doc("b2"), 0, at(5)); err != nil {
		t.Errorf("PutRecord after the purge: %v", err)
	}
}

// testRecordsConcurrentWriters: read-modify-write loops retrying on
// ErrConflict lose no update, in one namespace and across two, and the
// versions handed out in a namespace are distinct.
func testRecordsConcurrentWriters(t *testing.T, s store.Store) {
	ctx := t.Context()
	const writers, each = 6, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for {
					r, err := s.Record(ctx, nsA, "counter")
					expect, n := int64(0), 0
					switch {
					case err == nil:
						expect = r.Version
						n, _ = strconv.Atoi(string(r.Doc))
					case !errors.Is(err, store.ErrNotFound):
						errs <- err
						return
					}
					_, err = s.ApplyRecords(ctx, []store.RecordOp{
						{Namespace: nsA, Key: "counter", Doc: []byte(strconv.Itoa(n + 1)), Expect: expect, At: at(1)},
						{Namespace: nsB, Key: fmt.Sprintf("w%d", w), Doc: []byte(strconv.Itoa(n + 1)), Expect: store.AnyVersion, At: at(1)},
					})
					if err == nil {
						break
					}
					if !errors.Is(err, store.ErrConflict) {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, err := s.Record(ctx, nsA, "counter")
	if err != nil || string(r.Doc) != strconv.Itoa(writers*each) {
		t.Errorf("counter = %s, %v; want %d", r.Doc, err, writers*each)
	}
	if rev, _ := s.RecordsRevision(ctx, nsB); rev != writers*each {
		t.Errorf("revision of %s = %d, want %d (one per committed batch)", nsB, rev, writers*each)
	}
	changes, err := s.RecordChanges(ctx, nsA, 0, 1000)
	if err != nil || len(changes) != 1 || changes[0].Version != writers*each {
		t.Errorf("changes of %s = %v, %v; want the counter at version %d", nsA, changes, err, writers*each)
	}
}
