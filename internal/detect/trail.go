package detect

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
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

// Stored reads the stored trail's records with Seq > after, in order,
// calling fn with each, and returns the last Seq read (after when none).
// The records carry the fields the detections read (recordReader), not
// every field: fn must not keep r, which is reused.
func Stored(ctx context.Context, st store.Store, after int64, fn func(r *audit.Record)) (int64, error) {
	const batch = 1000
	var rr recordReader
	var r audit.Record
	for {
		recs, err := st.AuditRecords(ctx, after+1, batch)
		if err != nil {
			return after, err
		}
		for _, sr := range recs {
			if err := rr.decode(sr.Data, &r); err != nil {
				return after, fmt.Errorf("trail record %d: %w", sr.Seq, err)
			}
			fn(&r)
			after = sr.Seq
		}
		if len(recs) < batch {
			return after, nil
		}
	}
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
