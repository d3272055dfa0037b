package sqlite

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/storetest"
)

// childEnv, when set, makes TestDurabilityAfterKill the child: it appends
// to the store in that directory until it is killed.
const childEnv = "WARDEN_SQLITE_DURABILITY_CHILD"

// childSyncEnv is the child's SetAuditSyncDelay (unset: 0).
const childSyncEnv = "WARDEN_SQLITE_DURABILITY_SYNC"

// TestDurabilityAfterKill runs a child process that appends audit batches
// and prints the Seq of every record once AppendAudit has returned; the
// test SIGKILLs it mid-stream, reopens the database and checks that every
// acknowledged record is there and the chain is intact. Five rounds, each
// continuing the chain the last one left; the odd ones leave the syncs to
// the background (SetAuditSyncDelay) with a delay longer than the round,
// so that what they acknowledged was written but never synced.
func TestDurabilityAfterKill(t *testing.T) {
	if dir := os.Getenv(childEnv); dir != "" {
		durabilityChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	var prevAcked int64
	for round := range 5 {
		acked := runAndKill(t, dir, round%2 == 1, 1000+mrand.IntN(3000), time.Duration(mrand.IntN(20_000))*time.Microsecond)
		if acked <= prevAcked {
			t.Fatalf("round %d: the child acknowledged nothing new (last Seq %d)", round, acked)
		}
		prevAcked = acked

		s, err := Open(t.Context(), dir)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		recs, err := s.AuditRecords(t.Context(), 1, 1<<30)
		if err != nil {
			t.Fatalf("round %d: AuditRecords: %v", round, err)
		}
		if err := storetest.VerifyChain(0, nil, recs); err != nil {
			t.Errorf("round %d: chain after kill: %v", round, err)
		}
		if n := int64(len(recs)); n < acked {
			t.Errorf("round %d: %d records survived the kill, but the child acknowledged Seq %d", round, n, acked)
		}
		last, _, err := s.LastAudit(t.Context())
		if err != nil || last != int64(len(recs)) {
			t.Errorf("round %d: LastAudit = %d, %v; want %d", round, last, err, len(recs))
		}
		t.Logf("round %d: acknowledged up to %d, stored %d", round, acked, len(recs))
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

// runAndKill starts the child on dir, kills it delay after it has
// acknowledged minAcks records (so at a random point of a batch), and
// returns the highest acknowledged Seq. Every acknowledged Seq must follow
// the one before it.
func runAndKill(t *testing.T, dir string, background bool, minAcks int, delay time.Duration) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityAfterKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	if background {
		cmd.Env = append(cmd.Env, childSyncEnv+"=1h")
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	timeout := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer timeout.Stop()

	var last, first int64
	n := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		seqText, ok := strings.CutPrefix(line, "ACK ")
		if !ok {
			continue // test framework output
		}
		seq, err := strconv.ParseInt(seqText, 10, 64)
		if err != nil {
			continue // a line cut short by the kill
		}
		if first == 0 {
			first = seq
		} else if seq != last+1 {
			t.Errorf("child acknowledged Seq %d after %d", seq, last)
		}
		last = seq
		if n++; n == minAcks {
			// SIGKILL: no chance to flush or close.
			time.AfterFunc(delay, func() { cmd.Process.Kill() })
		}
	}
	err = cmd.Wait()
	if n < minAcks {
		t.Fatalf("child stopped after %d acknowledgements (%v); stderr:\n%s", n, err, stderr.String())
	}
	return last
}

// durabilityChild appends batches of 50 records of about 1 KB until killed,
// printing "ACK seq" for each record once its batch is committed.
func durabilityChild(dir string) {
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if d, err := time.ParseDuration(os.Getenv(childSyncEnv)); err == nil {
		s.SetAuditSyncDelay(d)
	}
	for {
		var recs []store.AuditRecord
		err := s.AppendAudit(ctx, func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
			data := make([][]byte, 50)
			for i := range data {
				data[i] = fmt.Appendf(nil, `{"seq":%d,"pad":"%s"}`, lastSeq+1+int64(i), strings.Repeat(rand.Text(), 38))
			}
			recs = storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return time.Unix(1_800_000_000, 0) }, data...)
			return recs, nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var b strings.Builder
		for _, r := range recs {
			fmt.Fprintf(&b, "ACK %d\n", r.Seq)
		}
		os.Stdout.WriteString(b.String())
	}
}
