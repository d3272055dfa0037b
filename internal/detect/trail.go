package detect

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/store"
)

// ReadStored observes the stored trail's records with Seq > after, in
// order, and returns the last Seq read (after when none). progress (may be
// nil) is called with it every progressEvery records and at the end; ctx
// is checked as often (the read stops with ctx.Err()).
//
// A record it cannot read (not a record as the trail writes them: a
// damaged store) is skipped, not observed: the detections go on with the
// records after it, and ReadStored returns, with the last Seq read, a
// *SkippedError naming it (joined to the store's error, if any), once,
// for the caller to report (the trail's hashes, `warden audit verify`,
// tell what happened to it).
//
// It reads each record as views of the stored bytes, which the store
// passes without copying them (store.AuditScanner): by its shape when a
// record of the same shape came before (shapes), else with recordReader's
// view mode; either gives every field the detections read, nothing
// copied, enough to read its time and to tell whether a rule acts on it
// (Detector.acts). Only a record a rule acts on is made its own (copied)
// and observed. Under load nearly every record is a call no rule acts on:
// GetCallerIdentity calls by a few callers, each like the one before but
// for its time and IDs (the shapes remember up to maxShapes, 1024, and
// bound their work on a trail of records that do not repeat). The detector is left as Observe leaves it
// (TestReadStoredSameAsFullDecoding).
func (d *Detector) ReadStored(ctx context.Context, st store.Store, after int64, progress func(seq int64)) (int64, error) {
	// A store that passes its records without copying them (every store
	// Warden has) is read in larger batches: each starts by finding its
	// first block.
	scanner, scans := st.(store.AuditScanner)
	batch := 1000
	if scans {
		batch = 50000
	}
	if d.reader == nil {
		d.reader = &storedReader{view: recordReader{view: true}}
	}
	var skipped *SkippedError
	done := func(err error) (int64, error) {
		d.reader.forget()
		if skipped == nil {
			return after, err
		}
		if err == nil {
			return after, skipped
		}
		return after, errors.Join(err, skipped)
	}
	var r audit.Record
	for {
		n := 0
		read := func(seq int64, data []byte) error {
			if err := d.readStored(d.reader, &r, data); err != nil {
				if skipped == nil {
					skipped = &SkippedError{}
				}
				skipped.add(seq, err)
			}
			after, n = seq, n+1
			if n%progressEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if progress != nil {
					progress(after)
				}
			}
			return nil
		}
		if scans {
			if err := scanner.ScanAudit(ctx, after+1, batch, read); err != nil {
				return done(err)
			}
		} else {
			recs, err := st.AuditRecords(ctx, after+1, batch)
			if err != nil {
				return done(err)
			}
			for _, sr := range recs {
				if err := read(sr.Seq, sr.Data); err != nil {
					return done(err)
				}
			}
		}
		if progress != nil && n%progressEvery != 0 {
			progress(after)
		}
		if n < batch {
			return done(nil)
		}
	}
}

// progressEvery is how many records ReadStored reads between progress
// reports and looks at its context.
const progressEvery = 4096

// SkippedError reports the trail records ReadStored could not read and
// skipped.
type SkippedError struct {
	// Count is how many; Records the first of them (at most
	// maxSkippedListed), in order.
	Count   int
	Records []SkippedRecord
}

// SkippedRecord is a record ReadStored skipped: its Seq, and why.
type SkippedRecord struct {
	Seq int64
	Err error
}

// maxSkippedListed bounds SkippedError.Records.
const maxSkippedListed = 100

func (e *SkippedError) add(seq int64, err error) {
	e.Count++
	if len(e.Records) < maxSkippedListed {
		e.Records = append(e.Records, SkippedRecord{seq, err})
	}
}

func (e *SkippedError) Error() string {
	first := e.Records[0]
	if e.Count == 1 {
		return fmt.Sprintf("trail record %d is unreadable, skipped: %v", first.Seq, first.Err)
	}
	return fmt.Sprintf("%d trail records are unreadable, skipped; the first, record %d: %v", e.Count, first.Seq, first.Err)
}

// storedReader reads stored records for ReadStored: as views (view, or
// by their shape), and whole (own).
type storedReader struct {
	view, own recordReader
	shapes    shapes
}

// forget drops the views into the store's buffers, which it reuses once
// ReadStored returns.
func (rd *storedReader) forget() {
	rd.view.forget()
	rd.own.forget()
	rd.shapes.vals = [len(cutNames)][]byte{}
}

// readStored observes one stored record, as Observe does: read as views,
// then, when a rule acts on it, copied.
func (d *Detector) readStored(rd *storedReader, r *audit.Record, data []byte) error {
	if !rd.shapes.read(data, r) {
		if err := rd.view.decode(data, r); err != nil {
			return err
		}
		rd.shapes.remember(data, &rd.view, &rd.own)
	}
	at, ok := d.time(r)
	if !ok || !d.acts(r) {
		return nil
	}
	rd.own.own(r)
	d.observe(r, at)
	return nil
}

// ReadLogs reads CloudTrail records from files: CloudTrail log files
// ({"Records":[...]}, gzipped or not, as AWS delivers them and `warden
// audit export` writes them) or one record per line (`warden audit lookup
// --format json`). A directory is read whole. The records are returned in
// order of eventTime.
func ReadLogs(paths []string) ([]*audit.Record, error) {
	var out []*audit.Record
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				return nil
			}
			recs, err := readLog(path)
			if err != nil {
				return err
			}
			out = append(out, recs...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime < out[j].EventTime })
	return out, nil
}

func readLog(path string) ([]*audit.Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if b, err = io.ReadAll(z); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return nil, nil
	}
	var file struct {
		Records []*audit.Record `json:"Records"`
	}
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &file) == nil && file.Records != nil {
		return file.Records, nil
	}
	var out []*audit.Record
	sc := bufio.NewScanner(bytes.NewReader(trimmed))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var r audit.Record
		if err := json.Unmarshal([]byte(text), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: not a CloudTrail record: %v", path, line, err)
		}
		if r.EventTime == "" {
			return nil, fmt.Errorf("%s:%d: not a CloudTrail record (no eventTime)", path, line)
		}
		out = append(out, &r)
	}
	return out, sc.Err()
}
