package tempaccess_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	wsso "github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/sso/ssotest"
)

// keyHost is the host name the tests' browser reaches every replica at,
// as behind one load balancer: a WebAuthn relying party ID must be a host
// name, and every replica must be the same relying party.
const keyHost = "localhost:4566"

// authenticator is Identity Center's sign-in over a harness's store, to
// register security keys as the manage page does.
func (e *env) authenticator(t *testing.T) *wsso.Authenticator {
	t.Helper()
	sealer, err := creds.NewSealer(e.h.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	return &wsso.Authenticator{Store: e.h.Store, Dir: wsso.OrgDirectory{Orgs: e.h.Server.State}, Master: sealer, Clock: e.h.Clock.Now,
		Orgs: e.h.Server.State, PublicURL: e.h.URL}
}

// softKey registers a software security key (a passkey: user verified,
// backup eligible) for a person; with only, it removes the person's
// authenticator apps, so that the key is their only MFA device.
func (e *env) softKey(t *testing.T, user string, only bool) *ssotest.SoftKey {
	t.Helper()
	ctx := t.Context()
	auth := e.authenticator(t)
	u, err := auth.Dir.UserByName(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "http://"+keyHost+"/device", nil)
	r.RemoteAddr = "127.0.0.1:50000"
	c, err := auth.BeginWebAuthnRegistration(ctx, r, u)
	if err != nil {
		t.Fatal(err)
	}
	k := &ssotest.SoftKey{Origin: "http://" + keyHost, Flags: ssotest.FlagUP | ssotest.FlagUV | ssotest.FlagBE}
	resp, err := k.Register(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.FinishWebAuthnRegistration(ctx, r, u, c.State, resp, "Passkey"); err != nil {
		t.Fatal(err)
	}
	if only {
		apps, err := auth.TOTPDevices(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range apps {
			if _, err := auth.RemoveTOTPDevice(ctx, u.ID, a.Serial); err != nil {
				t.Fatal(err)
			}
		}
		f, err := auth.Factors(ctx, u.ID)
		if err != nil || f.Count() != 1 || len(f.WebAuthn) != 1 {
			t.Fatalf("%s's factors: %+v, %v; want the passkey only", user, f, err)
		}
	}
	return k
}

// callHost is call with the Host header the browser sends (keyHost).
func callHost(t *testing.T, base, token, method, path string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Host = keyHost
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-amz-sso_bearer_token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, string(data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
	return 200, ""
}

type challengeOut struct {
	RequestID string          `json:"requestId"`
	Action    string          `json:"action"`
	ExpiresAt time.Time       `json:"expiresAt"`
	Options   json.RawMessage `json:"credentialRequestOptions"`
}

// challenge asks a replica for a challenge of the approver's key.
func challenge(t *testing.T, base, token, id, action string) challengeOut {
	t.Helper()
	var ch challengeOut
	if st, msg := callHost(t, base, token, "POST", "/access/requests/"+id+"/webauthn-challenge", map[string]string{"action": action}, &ch); st != 200 {
		t.Fatalf("challenge for %s %s: %d %s", action, id, st, msg)
	}
	return ch
}

// answer is k's assertion for a challenge.
func answer(t *testing.T, k *ssotest.SoftKey, ch challengeOut) json.RawMessage {
	t.Helper()
	a, err := k.Assert(string(ch.Options))
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(a)
}

// TestApproveWithPasskeyAcrossReplicas: Dave, whose only MFA device is a
// passkey, approves Vera's VendorSupport request through the API with a
// WebAuthn step-up: the challenge is issued by one replica and the
// assertion verified by the other (two replicas on one PostgreSQL
// database). The negative twins are refused: an assertion for another
// request's challenge, for a challenge issued for a denial, after the
// challenge expired, from another person's credential, replayed (later,
// for a new request; and at once, on both replicas: exactly one of them
// takes the challenge); a challenge asked by someone who may not decide
// the request. A denial may carry a key's answer too, to a challenge
// issued for it. The trail names the factor and never holds the
// assertion.
func TestApproveWithPasskeyAcrossReplicas(t *testing.T) {
	needCLI(t)
	ev := &servertest.Events{}
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{Audit: ev})
	a := setUp(t, hs[0], ev, true)
	b := setUp(t, hs[1], ev, false)
	b.pws, b.people = a.pws, a.people
	together := func() { b.h.Clock.Set(a.h.Clock.Now()) }
	prod, staging := accountID(t, a.h, "Prod"), accountID(t, a.h, "Staging")
	tv, td, ta := a.signIn(t, vera), a.signIn(t, dave), a.signIn(t, alic)
	kd := a.softKey(t, dave, true)
	ka := a.softKey(t, alic, false)
	together()

	r1, st, msg := a.request(t, a.h.URL, tv, prod, "VendorSupport", "PT1H")
	if st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	r2, st, msg := a.request(t, a.h.URL, tv, staging, "VendorSupport", "PT1H")
	if st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	id1, id2 := r1.AccessRequest.ID, r2.AccessRequest.ID
	approve := func(base, id string, assertion json.RawMessage) (reqOut, int, string) {
		var out reqOut
		st, msg := callHost(t, base, td, "POST", "/access/requests/"+id+"/approve", map[string]any{"webauthnAssertion": assertion, "comment": "with my passkey"}, &out)
		return out, st, msg
	}

	// Only an approver who may decide the request gets a challenge.
	st, msg = callHost(t, a.h.URL, ta, "POST", "/access/requests/"+id1+"/webauthn-challenge", map[string]string{"action": "approve"}, nil)
	wantRefused(t, "a challenge for a person who approves nothing", st, msg, 403, "AccessDeniedException")
	st, msg = callHost(t, a.h.URL, tv, "POST", "/access/requests/"+id1+"/webauthn-challenge", nil, nil)
	wantRefused(t, "a challenge for the requester", st, msg, 403, "self-approval is forbidden")
	st, msg = callHost(t, a.h.URL, td, "POST", "/access/requests/"+id1+"/webauthn-challenge", map[string]string{"action": "revoke"}, nil)
	wantRefused(t, "a challenge for another action", st, msg, 400, "ValidationException")

	ch := challenge(t, a.h.URL, td, id1, "approve")
	var opts struct {
		PublicKey struct {
			Challenge        string `json:"challenge"`
			RPID             string `json:"rpId"`
			UserVerification string `json:"userVerification"`
			AllowCredentials []struct {
				ID string `json:"id"`
			} `json:"allowCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(ch.Options, &opts); err != nil || opts.PublicKey.Challenge == "" || opts.PublicKey.RPID != "localhost" ||
		len(opts.PublicKey.AllowCredentials) != 1 || opts.PublicKey.UserVerification != "preferred" || ch.RequestID != id1 || ch.Action != "approve" {
		t.Fatalf("challenge: %+v %s (%v)", ch, ch.Options, err)
	}
	if d := ch.ExpiresAt.Sub(a.h.Clock.Now()); d <= 0 || d > wsso.StepUpTTL {
		t.Errorf("the challenge lives %v, want at most %v", d, wsso.StepUpTTL)
	}

	// Negative twins, each answered on replica B.
	together()
	_, st, msg = approve(b.h.URL, id1, answer(t, kd, challenge(t, a.h.URL, td, id2, "approve")))
	wantRefused(t, "an assertion for another request's challenge", st, msg, 403, "issued for access:approve:"+id2)
	_, st, msg = approve(b.h.URL, id1, answer(t, kd, challenge(t, a.h.URL, td, id1, "deny")))
	wantRefused(t, "a denial's challenge used to approve", st, msg, 403, "issued for access:deny:"+id1)
	late := answer(t, kd, challenge(t, a.h.URL, td, id1, "approve"))
	a.h.Clock.Advance(wsso.StepUpTTL)
	together()
	_, st, msg = approve(b.h.URL, id1, late)
	wantRefused(t, "an expired challenge", st, msg, 403, "expired")
	_, st, msg = approve(b.h.URL, id1, answer(t, ka, challenge(t, a.h.URL, td, id1, "approve")))
	wantRefused(t, "another person's credential", st, msg, 403, "MFA failed")
	st, msg = callHost(t, b.h.URL, td, "POST", "/access/requests/"+id1+"/approve", map[string]any{"webauthnAssertion": "not an object"}, nil)
	wantRefused(t, "an assertion that is not an object", st, msg, 400, "ValidationException")
	var got reqOut
	if st, msg := call(t, a.h.URL, tv, "GET", "/access/requests/"+id1, nil, &got); st != 200 || got.AccessRequest.Status != access.Pending {
		t.Fatalf("after the refusals: %d %s %+v", st, msg, got.AccessRequest)
	}

	// The approval: challenge on A, answer on B.
	ch = challenge(t, a.h.URL, td, id1, "approve")
	good := answer(t, kd, ch)
	ok, st, msg := approve(b.h.URL, id1, good)
	if st != 200 || ok.AccessRequest.Status != access.Active || !ok.AccessRequest.ApproverMFA || ok.AccessRequest.ApproverMFAMethod != access.MFAWebAuthn ||
		ok.AccessRequest.DecidedByName != dave {
		t.Fatalf("approve with the passkey: %d %s %+v", st, msg, ok.AccessRequest)
	}
	// The credentials from B, which made the assignment (A's copy of the
	// organization catches up on its own time), used on A.
	c, _, err := b.roleCreds(t, b.portal, tv, prod, "VendorSupport")
	if err != nil {
		t.Fatal(err)
	}
	if out, ok := awsCLI(t, a.h.URL, c, "sts", "get-caller-identity"); !ok || !strings.Contains(out, "AWSReservedSSO_VendorSupport_") {
		t.Fatalf("the grant's credentials: %s", out)
	}
	_, st, msg = approve(a.h.URL, id1, good)
	wantRefused(t, "the same assertion again", st, msg, 409, "already approved")

	// A denial with a key: an approval's challenge does not deny; the
	// denial's own does, and is recorded.
	st, msg = callHost(t, b.h.URL, td, "POST", "/access/requests/"+id2+"/deny", map[string]any{"webauthnAssertion": answer(t, kd, challenge(t, a.h.URL, td, id2, "approve"))}, nil)
	wantRefused(t, "an approval's challenge used to deny", st, msg, 403, "issued for access:approve:"+id2)
	var denied reqOut
	if st, msg := callHost(t, b.h.URL, td, "POST", "/access/requests/"+id2+"/deny", map[string]any{"webauthnAssertion": answer(t, kd, challenge(t, a.h.URL, td, id2, "deny"))}, &denied); st != 200 ||
		denied.AccessRequest.Status != access.Denied || denied.AccessRequest.ApproverMFAMethod != access.MFAWebAuthn {
		t.Fatalf("deny with the passkey: %d %s %+v", st, msg, denied.AccessRequest)
	}

	// Replayed later: Vera gives the grant back and asks again; the
	// captured assertion does not approve the new request.
	if _, st, msg := a.decide(t, a.h.URL, tv, id1, "revoke", map[string]string{"reason": "done"}); st != 200 {
		t.Fatalf("give back: %d %s", st, msg)
	}
	r3, st, msg := a.request(t, a.h.URL, tv, prod, "VendorSupport", "PT1H")
	if st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	_, st, msg = approve(b.h.URL, r3.AccessRequest.ID, good)
	wantRefused(t, "a replayed assertion", st, msg, 403, "MFA failed")

	// Replayed at once, on both replicas: one takes the challenge.
	race := answer(t, kd, challenge(t, a.h.URL, td, r3.AccessRequest.ID, "approve"))
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, base := range []string{a.h.URL, b.h.URL} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, codes[i], _ = approve(base, r3.AccessRequest.ID, race)
		}()
	}
	wg.Wait()
	if (codes[0] == 200) == (codes[1] == 200) || codes[0]+codes[1] != 200+403 && codes[0]+codes[1] != 200+409 {
		t.Errorf("the same assertion on both replicas at once: %v; want one 200 and one refusal", codes)
	}

	// The trail names the factor, never the assertion.
	recs := ev.Find(access.EventSource, "ApproveAccessRequest")
	var sig struct {
		Response struct {
			Signature, ClientDataJSON string
		} `json:"response"`
	}
	json.Unmarshal(good, &sig)
	methods := 0
	for _, rec := range recs {
		if rec.UserIdentity.UserName != dave {
			continue
		}
		b, _ := json.Marshal(rec)
		if strings.Contains(string(b), sig.Response.Signature) || strings.Contains(string(b), sig.Response.ClientDataJSON) || strings.Contains(string(b), "authenticatorData") {
			t.Errorf("an assertion is in the trail: %s", b)
		}
		var p struct {
			MFAMethod string `json:"mfaMethod"`
		}
		pb, _ := json.Marshal(rec.RequestParameters)
		json.Unmarshal(pb, &p)
		if p.MFAMethod == access.MFAWebAuthn {
			methods++
		}
	}
	if methods < 8 {
		t.Errorf("%d ApproveAccessRequest records name the webauthn factor, want every one of Dave's (at least 8)", methods)
	}
	if n := len(ev.Find(access.EventSource, "CreateWebAuthnChallenge")); n < 10 {
		t.Errorf("%d CreateWebAuthnChallenge records, want each challenge (at least 10)", n)
	}
}

// TestKeyPathAtAnIPAddress: at http://127.0.0.1 (browsers refuse an IP
// address as a WebAuthn relying party ID) the access page offers an
// approver with a security key no key path, and says why; the code field
// stays.
func TestKeyPathAtAnIPAddress(t *testing.T) {
	e := start(t)
	tv := e.signIn(t, vera)
	if _, st, msg := e.request(t, e.h.URL, tv, "Prod", "VendorSupport", "PT1H"); st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	b := servertest.NewBrowser(e.h.URL)
	if _, err := b.SignIn(&servertest.Person{UserName: dave, Password: e.pws[dave], NewPassword: "Dave-0wn-passw0rd!"}, e.h.Clock.Now); err != nil {
		t.Fatal(err)
	}
	e.softKey(t, dave, false)
	pg, err := b.Get(e.h.URL + "/start/access")
	if err != nil || pg.Status != 200 {
		t.Fatalf("access page: %v %d", err, pg.Status)
	}
	if strings.Contains(pg.Body, "/start/access/approve-key") || !strings.Contains(pg.Body, "cannot be used at this address") ||
		!strings.Contains(pg.Body, `name="code"`) {
		t.Errorf("the access page at 127.0.0.1 for an approver with a key:\n%s", pg.Body)
	}
}
