package audit

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Export writes the trail as CloudTrail log files and digest files under dir
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html):
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<seq>.json.gz
// holding {"Records": [...]}, one file per account, region and hour; and
// AWSLogs/<owner>/CloudTrail-Digest/<region>/YYYY/MM/DD/..._CloudTrail-Digest_... for the digests.
// It returns the number of records and files written.
func Export(ctx context.Context, st store.Store, dir string) (int64, int, error) {
	type key struct {
		account, region string
		hour            time.Time
	}
	groups := map[key][]json.RawMessage{}
	firstSeq := map[key]int64{}
	var n int64
	next := int64(0)
	for {
		batch, err := st.AuditRecords(ctx, next, 10000)
		if err != nil {
			return 0, 0, err
		}
		for _, row := range batch {
			var head struct {
				AWSRegion string `json:"awsRegion"`
			}
			json.Unmarshal(row.Data, &head)
			k := key{account: row.Account, region: head.AWSRegion, hour: row.Time.UTC().Truncate(time.Hour)}
			if _, ok := firstSeq[k]; !ok {
				firstSeq[k] = row.Seq
			}
			groups[k] = append(groups[k], json.RawMessage(row.Data))
			n++
			next = row.Seq + 1
		}
		if len(batch) < 10000 {
			break
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return firstSeq[keys[i]] < firstSeq[keys[j]] })
	files := 0
	for _, k := range keys {
		p := filepath.Join(dir, "AWSLogs", k.account, "CloudTrail", k.region, k.hour.Format("2006/01/02"),
			fmt.Sprintf("%s_CloudTrail_%s_%s_%d.json.gz", k.account, k.region, k.hour.Format("20060102T1504Z"), firstSeq[k]))
		if err := writeGzipJSON(p, map[string]any{"Records": groups[k]}); err != nil {
			return n, files, err
		}
		files++
	}
	digests, err := st.AuditDigests(ctx)
	if err != nil {
		return n, files, err
	}
	for _, d := range digests {
		var doc DigestDoc
		if json.Unmarshal(d.Data, &doc) != nil {
			continue
		}
		t := d.Time.UTC()
		p := filepath.Join(dir, "AWSLogs", doc.OwnerAccountID, "CloudTrail-Digest", "us-east-1", t.Format("2006/01/02"),
			fmt.Sprintf("%s_CloudTrail-Digest_us-east-1_%s_%s_%d.json.gz", doc.OwnerAccountID, doc.Trail, t.Format("20060102T150405Z"), d.No))
		body := map[string]any{"digest": json.RawMessage(d.Data), "signature": fmt.Sprintf("%x", d.Sig), "keyId": d.KeyID}
		if err := writeGzipJSON(p, body); err != nil {
			return n, files, err
		}
		files++
	}
	return n, files, nil
}

func writeGzipJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	err = json.NewEncoder(zw).Encode(v)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
