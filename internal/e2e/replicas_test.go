package e2e

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/securecart/warden/internal/store/postgres"
)

// freshDatabaseURL creates an empty database on the server that
// WARDEN_TEST_POSTGRES (a postgres:// URL) names, skipping the test when it
// is not set, drops it when the test ends, and returns its URL.
func freshDatabaseURL(t *testing.T) string {
	t.Helper()
	adminURL := os.Getenv("WARDEN_TEST_POSTGRES")
	if adminURL == "" {
		t.Skip("WARDEN_TEST_POSTGRES not set")
	}
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("WARDEN_TEST_POSTGRES must be a postgres:// URL (warden serve --database takes one): %q", adminURL)
	}
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		t.Fatalf("connect to WARDEN_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	name := "warden_e2e_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	// Registered before the servers start, so it runs after they are gone.
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// TestReplicasShareOnePostgreSQL runs two `warden serve` processes on one
// PostgreSQL database with one master key: what one issues or changes, the
// other honours at once, and both append to one trail that verifies.
func TestReplicasShareOnePostgreSQL(t *testing.T) {
	t.Parallel()
	dbURL := freshDatabaseURL(t)
	env := []string{"WARDEN_MASTER_KEY=" + base64.StdEncoding.EncodeToString([]byte(rand.Text() + rand.Text())[:32])}
	dirA, dirB := t.TempDir(), t.TempDir()
	a := startServer(t, env, "--database", dbURL, "--data", dirA)
	b := startServer(t, env, "--database", dbURL, "--data", dirB)

	// A seeded the store and wrote the credentials; B found it seeded.
	admin := adminCreds(t, dirA)
	if _, err := os.Stat(filepath.Join(dirB, "credentials")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("replica B wrote %s/credentials (%v); only the replica that seeds the store writes one", dirB, err)
	}
	if strings.Contains(b.Stderr.String(), "credentials") {
		t.Errorf("replica B logs credentials:\n%s", b.Stderr)
	}
	for _, s := range []*server{a, b} {
		if !strings.Contains(s.Stderr.String(), `"store":"postgres"`) {
			t.Errorf("a replica does not log serving from postgres:\n%s", s.Stderr)
		}
	}

	hc := httpClient()
	var mu sync.Mutex
	ids := map[string]string{} // request ID -> replica
	note := func(replica, id string) {
		mu.Lock()
		ids[id] = replica
		mu.Unlock()
	}

	t.Run("temporary credentials from A work on B", func(t *testing.T) {
		out, err := stsClient(a.URL, admin, hc).AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String(devAdminARN), RoleSessionName: aws.String("replicas")})
		if err != nil {
			t.Fatalf("AssumeRole through A: %v", err)
		}
		note("A", sdkRequestID(t, out.ResultMetadata))
		me, err := stsClient(b.URL, sessionCreds(out), hc).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity through B with A's session: %v", err)
		}
		note("B", sdkRequestID(t, me.ResultMetadata))
		if want := "arn:aws:sts::" + devAccount + ":assumed-role/OrganizationAccountAccessRole/replicas"; aws.ToString(me.Arn) != want {
			t.Errorf("Arn %q, want %q", aws.ToString(me.Arn), want)
		}
	})

	t.Run("a role created through A is assumed through B within the bound", func(t *testing.T) {
		const role = "ReplicatedRole"
		roleARN := "arn:aws:iam::" + mgmtAccount + ":role/" + role
		ia := iamClient(a.URL, admin, hc)
		cr, err := ia.CreateRole(bg(), &iam.CreateRoleInput{RoleName: aws.String(role),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + adminARN + `"},"Action":"sts:AssumeRole"}]}`)})
		if err != nil {
			t.Fatalf("CreateRole through A: %v", err)
		}
		note("A", sdkRequestID(t, cr.ResultMetadata))
		pr, err := ia.PutRolePolicy(bg(), &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("get-self"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"` + roleARN + `"}]}`)})
		if err != nil {
			t.Fatalf("PutRolePolicy through A: %v", err)
		}
		note("A", sdkRequestID(t, pr.ResultMetadata))

		written := time.Now()
		var out *sts.AssumeRoleOutput
		withinBound(t, written, "AssumeRole through B after CreateRole through A", func() (err error) {
			out, err = stsClient(b.URL, admin, hc).AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("on-b")})
			return err
		})
		note("B", sdkRequestID(t, out.ResultMetadata))
		if want := "arn:aws:sts::" + mgmtAccount + ":assumed-role/" + role + "/on-b"; aws.ToString(out.AssumedRoleUser.Arn) != want {
			t.Errorf("assumed %q, want %q", aws.ToString(out.AssumedRoleUser.Arn), want)
		}
		sess := sessionCreds(out)
		// B applies the inline policy written through A...
		gr, err := iamClient(b.URL, sess, hc).GetRole(bg(), &iam.GetRoleInput{RoleName: aws.String(role)})
		if err != nil {
			t.Errorf("GetRole through B as the role, which its inline policy allows: %v", err)
		} else {
			note("B", sdkRequestID(t, gr.ResultMetadata))
		}
		if _, err := iamClient(b.URL, sess, hc).ListRoles(bg(), &iam.ListRolesInput{}); apiCode(err) != "AccessDenied" {
			t.Errorf("ListRoles through B as the role: %v, want AccessDenied", err)
		}
		// ...and A at once applies its removal through B.
		dr, err := iamClient(b.URL, admin, hc).DeleteRolePolicy(bg(), &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("get-self")})
		if err != nil {
			t.Fatalf("DeleteRolePolicy through B: %v", err)
		}
		note("B", sdkRequestID(t, dr.ResultMetadata))
		withinBound(t, time.Now(), "GetRole through A denied after DeleteRolePolicy through B", func() error {
			if _, err := iamClient(a.URL, sess, hc).GetRole(bg(), &iam.GetRoleInput{RoleName: aws.String(role)}); apiCode(err) != "AccessDenied" {
				return fmt.Errorf("%v, want AccessDenied", err)
			}
			return nil
		})
	})

	t.Run("an access key created through A authenticates at once through B", func(t *testing.T) {
		ia := iamClient(a.URL, admin, hc)
		ck, err := ia.CreateAccessKey(bg(), &iam.CreateAccessKeyInput{})
		if err != nil {
			t.Fatalf("CreateAccessKey through A: %v", err)
		}
		note("A", sdkRequestID(t, ck.ResultMetadata))
		key := aws.Credentials{AccessKeyID: aws.ToString(ck.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(ck.AccessKey.SecretAccessKey)}
		for _, r := range []struct{ name, url string }{{"B", b.URL}, {"A", a.URL}} {
			me, err := stsClient(r.url, key, hc).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("GetCallerIdentity through %s with the new key: %v", r.name, err)
			}
			note(r.name, sdkRequestID(t, me.ResultMetadata))
			if aws.ToString(me.Arn) != adminARN {
				t.Errorf("Arn %q, want %q", aws.ToString(me.Arn), adminARN)
			}
		}
		// Deactivated through A: A refuses it at once, B within its key
		// cache's lifetime (2 s).
		uk, err := ia.UpdateAccessKey(bg(), &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(key.AccessKeyID), Status: iamtypes.StatusTypeInactive})
		if err != nil {
			t.Fatalf("UpdateAccessKey through A: %v", err)
		}
		note("A", sdkRequestID(t, uk.ResultMetadata))
		deactivated := time.Now()
		if _, err := stsClient(a.URL, key, hc).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
			t.Errorf("the deactivated key through A: %v, want InvalidClientTokenId at once", err)
		}
		for {
			started := time.Now()
			_, err := stsClient(b.URL, key, hc).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
			if apiCode(err) == "InvalidClientTokenId" {
				t.Logf("replica B refused the key deactivated through A after %v", time.Since(deactivated).Round(time.Millisecond))
				break
			}
			if err != nil {
				t.Fatalf("the deactivated key through B: %v", err)
			}
			if started.Sub(deactivated) > 3*time.Second { // a call sent this late was accepted
				t.Fatal("replica B still accepts a key deactivated through A 3 s later (its key cache lives 2 s)")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("Organizations through B", func(t *testing.T) {
		out, err := orgClient(b.URL, admin, hc).ListAccounts(bg(), &organizations.ListAccountsInput{})
		if err != nil {
			t.Fatalf("ListAccounts through B: %v", err)
		}
		note("B", sdkRequestID(t, out.ResultMetadata))
		if len(out.Accounts) != 6 {
			t.Errorf("%d accounts, want SecureCart's 6", len(out.Accounts))
		}
	})

	// Both replicas under concurrent load append to the one trail.
	var wg sync.WaitGroup
	var failed []string
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				name, u := "A", a.URL
				if (w+i)%2 == 1 {
					name, u = "B", b.URL
				}
				c := stsClient(u, admin, hc)
				var id string
				var err error
				if i%3 == 0 {
					var out *sts.AssumeRoleOutput
					if out, err = c.AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String(devAdminARN), RoleSessionName: aws.String(fmt.Sprintf("load-%d-%d", w, i))}); err == nil {
						id, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
					}
				} else {
					var out *sts.GetCallerIdentityOutput
					if out, err = c.GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{}); err == nil {
						id, _ = awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
					}
				}
				mu.Lock()
				switch {
				case err != nil:
					failed = append(failed, name+": "+err.Error())
				case id == "":
					failed = append(failed, name+": a 200 response without a request ID")
				default:
					ids[id] = name
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range failed {
		t.Errorf("call under load failed: %s", f)
	}
	hc.CloseIdleConnections()

	// Stop: A plainly, B with a request in flight.
	if code := a.stop(sigterm); code != 0 {
		t.Errorf("replica A: exit %d after SIGTERM, want 0:\n%s", code, a.Stderr)
	}
	stopWithRequestInFlight(t, b, admin, adminARN)

	// One trail holds both replicas' calls, and verifies.
	if code, out := runWarden(t, env, "audit", "verify", "--database", dbURL); code != 0 || !strings.Contains(out, "trail intact") {
		t.Errorf("audit verify --database: exit %d, want 0:\n%s", code, out)
	} else {
		t.Logf("%s", strings.TrimSpace(out))
	}
	st, err := postgres.Open(bg(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	inTrail := map[string]bool{}
	for from := int64(1); ; {
		rows, err := st.AuditRecords(bg(), from, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			var rec struct {
				RequestID string `json:"requestID"`
			}
			if err := json.Unmarshal(row.Data, &rec); err != nil {
				t.Fatalf("record %d: %v", row.Seq, err)
			}
			inTrail[rec.RequestID] = true
			if strings.Contains(string(row.Data), admin.SecretAccessKey) {
				t.Errorf("record %d holds the administrator's secret", row.Seq)
			}
			from = row.Seq + 1
		}
		if len(rows) < 1000 {
			break
		}
	}
	perReplica := map[string]int{}
	for id, replica := range ids {
		if !inTrail[id] {
			t.Errorf("request %s answered by replica %s is not in the trail", id, replica)
		}
		perReplica[replica]++
	}
	if perReplica["A"] < 50 || perReplica["B"] < 50 {
		t.Errorf("calls per replica %v, want both replicas in the trail", perReplica)
	}
}

// withinBound calls try until it succeeds, failing the test if an attempt
// that started more than the state's bound on staleness (250 ms:
// postgres.VersionBound) after written still fails. The change normally
// arrives by notification within a millisecond.
func withinBound(t *testing.T, written time.Time, what string, try func() error) {
	t.Helper()
	for {
		started := time.Now()
		err := try()
		if err == nil {
			t.Logf("%s: after %v", what, time.Since(written).Round(time.Microsecond))
			return
		}
		if started.Sub(written) > postgres.VersionBound {
			t.Fatalf("%s, %v after the change (bound %v): %v", what, started.Sub(written).Round(time.Millisecond), postgres.VersionBound, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
