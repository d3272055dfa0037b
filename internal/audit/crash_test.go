package audit_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store/sqlite"
)

// TestCrashLosesNoAcknowledgedRecord kills a process that is appending under
// load with SIGKILL, then checks that every record it acknowledged is stored
// and that the trail verifies.
// It runs twice: with each record synced before it is acknowledged, and
// with the syncs left to the background (as serve's --audit-sync does) with
// a delay longer than the run, so that only the digests' syncs reach the
// disk: the records acknowledged since the last digest were written but
// never synced, and a kill loses none of them either.
func TestCrashLosesNoAcknowledgedRecord(t *testing.T) {
	if os.Getenv("WARDEN_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	for _, delay := range []string{"0s", "1h"} {
		t.Run("sync-delay="+delay, func(t *testing.T) { crashParent(t, delay) })
	}
}

func crashParent(t *testing.T, delay string) {
	dir := t.TempDir()
	key := creds.NewKey()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestCrashLosesNoAcknowledgedRecord$")
	cmd.Env = append(os.Environ(), "WARDEN_CRASH_CHILD=1", "WARDEN_CRASH_DIR="+dir, fmt.Sprintf("WARDEN_CRASH_KEY=%x", key), "WARDEN_CRASH_SYNC="+delay)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(1500 * time.Millisecond)
	for sc.Scan() {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "ACK "); ok {
			acked[id] = true
		}
		if time.Now().After(deadline) && len(acked) > 200 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	// Read what was printed before the kill: those were acknowledged too.
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			acked[id] = true
		}
	}
	cmd.Wait()
	if len(acked) < 100 {
		t.Fatalf("the child acknowledged only %d records before the kill", len(acked))
	}

	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored := map[string]bool{}
	for next := int64(0); ; {
		recs, err := st.AuditRecords(ctx, next, 5000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			var rec audit.Record
			json.Unmarshal(r.Data, &rec)
			stored[rec.RequestID] = true
			next = r.Seq + 1
		}
		if len(recs) < 5000 {
			break
		}
	}
	lost := 0
	for id := range acked {
		if !stored[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged records were lost", lost, len(acked))
	}
	sealer, _ := creds.NewSealer(key)
	keys, err := audit.PublicKeys(ctx, st, sealer)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, st, keys, audit.VerifyOptions{Now: time.Now(), Unsealed: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("the trail does not verify after the crash: %v", rep.Problems)
	}
	t.Logf("acknowledged %d, stored %d records, %d digests", len(acked), rep.Records, rep.Digests)
}

// crashChild appends from 16 goroutines and prints each acknowledged request
// ID, until it is killed.
func crashChild() {
	ctx := context.Background()
	var key []byte
	fmt.Sscanf(os.Getenv("WARDEN_CRASH_KEY"), "%x", &key)
	sealer, _ := creds.NewSealer(key)
	st, err := sqlite.Open(ctx, os.Getenv("WARDEN_CRASH_DIR"))
	if err != nil {
		panic(err)
	}
	delay, err := time.ParseDuration(os.Getenv("WARDEN_CRASH_SYNC"))
	if err != nil {
		panic(err)
	}
	st.SetAuditSyncDelay(delay)
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271", DigestEvery: 100})
	if err != nil {
		panic(err)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				e := event(i, time.Now())
				e.Call.RequestID = fmt.Sprintf("g%d-%d", g, i)
				if err := tr.Record(ctx, e); err != nil {
					panic(err)
				}
				mu.Lock()
				fmt.Fprintf(w, "ACK %s\n", e.Call.RequestID)
				w.Flush()
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
}
