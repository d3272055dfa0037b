package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/securecart/warden/internal/store/sqlite"
)

// ackedID returns the X-Amzn-Requestid header of a 200 response, which the
// SDK hands back with the result.
func ackedID(md middleware.Metadata) (string, error) {
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		return "", fmt.Errorf("no raw response in the result")
	}
	if raw.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", raw.StatusCode)
	}
	id := raw.Header.Get("X-Amzn-Requestid")
	if sdkID, _ := awsmiddleware.GetRequestIDMetadata(md); id == "" || sdkID != id {
		return "", fmt.Errorf("X-Amzn-Requestid %q, SDK's request ID %q", id, sdkID)
	}
	return id, nil
}

// TestCrashKeepsEveryAcknowledgedCall drives `warden serve` with 16
// concurrent SDK clients, kills it with SIGKILL under load, and checks that
// every call it answered with 200 is in the trail and that the trail
// verifies; then that a restart on the same directory carries on.
//
// It does not run in parallel with the other tests, so that the load is the
// server's alone.
func TestCrashKeepsEveryAcknowledgedCall(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir)
	admin := adminCreds(t, dir)
	hc := httpClient()
	client := stsClient(srv.URL, admin, hc)

	const workers = 16
	var (
		mu       sync.Mutex
		acked    = map[string]string{} // request ID -> action
		failures []string
		wg       sync.WaitGroup
		stop     = make(chan struct{})
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var md middleware.Metadata
				var err error
				action := "GetCallerIdentity"
				if (w+i)%2 == 0 {
					var out *sts.GetCallerIdentityOutput
					if out, err = client.GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{}); err == nil {
						md = out.ResultMetadata
						if aws.ToString(out.Arn) != adminARN {
							err = fmt.Errorf("GetCallerIdentity: Arn %q, want %q", aws.ToString(out.Arn), adminARN)
						}
					}
				} else {
					action = "AssumeRole"
					var out *sts.AssumeRoleOutput
					if out, err = client.AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String(devAdminARN),
						RoleSessionName: aws.String(fmt.Sprintf("crash-%d-%d", w, i))}); err == nil {
						md = out.ResultMetadata
					}
				}
				if err != nil {
					select {
					case <-stop: // the server is gone: expected
						return
					default:
					}
					mu.Lock()
					failures = append(failures, action+": "+err.Error())
					mu.Unlock()
					return
				}
				id, err := ackedID(md)
				mu.Lock()
				if err != nil {
					failures = append(failures, action+": "+err.Error())
				} else {
					acked[id] = action
				}
				mu.Unlock()
			}
		}()
	}
	// The kill comes under load: once at least 1.5 s have passed and 200
	// calls were answered (a loaded machine may need longer for them; the
	// count, not the time, is what the test needs).
	start := time.Now()
	time.Sleep(1500 * time.Millisecond)
	for waitUntil := time.Now().Add(60 * time.Second); time.Now().Before(waitUntil); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n, failed := len(acked), len(failures)
		mu.Unlock()
		if n >= 200 || failed > 0 {
			break
		}
	}
	srv.cmd.Process.Kill() // SIGKILL: no shutdown, no last digest
	killedAt := time.Since(start)
	close(stop)
	wg.Wait()
	if code := srv.wait(time.Minute); code != -1 {
		t.Errorf("exit code %d after SIGKILL, want death by signal", code)
	}
	hc.CloseIdleConnections()
	for _, f := range failures {
		t.Errorf("call failed before the kill: %s", f)
	}
	if len(acked) < 100 {
		t.Fatalf("only %d calls answered in %v under load; the test needs load to mean anything", len(acked), killedAt)
	}

	// Every acknowledged call is in the trail.
	st, err := sqlite.Open(bg(), dir)
	if err != nil {
		t.Fatalf("opening the store after the crash: %v", err)
	}
	inTrail := map[string]bool{}
	var records int
	for from := int64(1); ; {
		rows, err := st.AuditRecords(bg(), from, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			var rec struct {
				RequestID string `json:"requestID"`
				EventName string `json:"eventName"`
			}
			if err := json.Unmarshal(row.Data, &rec); err != nil {
				t.Fatalf("record %d: %v", row.Seq, err)
			}
			inTrail[rec.RequestID] = true
			records++
			from = row.Seq + 1
		}
		if len(rows) < 1000 {
			break
		}
	}
	st.Close()
	var missing []string
	for id, action := range acked {
		if !inTrail[id] {
			missing = append(missing, action+" "+id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d acknowledged calls are not in the trail, e.g. %v", len(missing), len(acked), missing[:min(5, len(missing))])
	}
	t.Logf("killed after %v: %d calls acknowledged (%.0f/s), %d trail records from %d requests, %d committed but not acknowledged",
		killedAt.Round(time.Millisecond), len(acked), float64(len(acked))/killedAt.Seconds(), records, len(inTrail), len(inTrail)-len(acked))

	// The trail verifies; the records written since the last digest are
	// unsealed, which --unsealed 1h allows.
	if code, out := runWarden(t, nil, "audit", "verify", "--data", dir, "--unsealed", "1h"); code != 0 || !strings.Contains(out, "trail intact") {
		t.Errorf("audit verify --unsealed 1h after the crash: exit %d, want 0:\n%s", code, out)
	}

	// A restart on the same directory serves with the same key and carries
	// the chain on; its graceful stop seals everything.
	srv2 := startServer(t, nil, "--data", dir)
	out, err := stsClient(srv2.URL, admin, httpClient()).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Arn) != adminARN {
		t.Errorf("GetCallerIdentity after the restart: %v, %v", err, out)
	}
	if code := srv2.stop(sigterm); code != 0 {
		t.Errorf("SIGTERM: exit %d, want 0\n%s", code, srv2.Stderr)
	}
	if code, out := runWarden(t, nil, "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out, "trail intact") {
		t.Errorf("audit verify after a restart and a graceful stop: exit %d, want 0:\n%s", code, out)
	}
}
