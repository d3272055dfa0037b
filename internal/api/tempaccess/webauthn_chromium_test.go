package tempaccess_test

import (
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/server/servertest"
)

// TestPasskeyApproverInChromium: Dave's only MFA device is a passkey
// (registered in headless Chromium's virtual authenticator when he first
// signs in to the portal). Vera asks for VendorSupport in Prod; Dave finds
// her request on the Temporary access page, chooses "Use your security key
// or passkey", and approves on the next page with the passkey
// (webauthn.js, no inline script); Vera's credentials of the grant then
// work with the aws CLI. The pages are photographed at laptop and phone
// widths (WARDEN_SCREENSHOT_DIR keeps them) and checked not to be blank.
func TestPasskeyApproverInChromium(t *testing.T) {
	needCLI(t)
	e := start(t)
	c := servertest.StartChromium(t)
	auth := c.AddVirtualAuthenticator()
	base := servertest.Localhost(e.h.URL)
	const wait = 30 * time.Second
	shot := func(name string) { t.Helper(); c.ShootSizes("access-passkey-" + name) }

	// Vera asks (through the API, as warden access request does).
	prod := accountID(t, e.h, "Prod")
	tv := e.signIn(t, vera)
	r, st, msg := e.request(t, e.h.URL, tv, prod, "VendorSupport", "PT2H")
	if st != 200 {
		t.Fatalf("request: %d %s", st, msg)
	}
	id := r.AccessRequest.ID

	// Dave signs in to the portal for the first time and makes a passkey
	// his only MFA device.
	c.Open(base + "/start")
	c.WaitTitle("Sign in", wait)
	c.Type("#username", dave)
	c.Type("#password", e.pws[dave])
	c.Click(`button[type="submit"]:not([value])`)
	c.WaitTitle("Choose a new password", wait)
	c.Type("#new_password", "Dave-0wn-passw0rd!")
	c.Type("#confirm_password", "Dave-0wn-passw0rd!")
	c.Click(`button[type="submit"]`)
	c.WaitTitle("Set up your authenticator", wait)
	c.Type("#key_name", "Laptop passkey")
	c.Click(`button[value="webauthn"]`)
	c.WaitTitle("Save your recovery codes", wait)
	c.Click(`button[type="submit"]`)
	c.WaitTitle("Your AWS accounts", wait)
	if n := len(auth.Credentials()); n != 1 {
		t.Fatalf("the virtual authenticator holds %d credentials, want Dave's passkey", n)
	}

	// The request waits for him; the key is offered beside the code field
	// (which takes a recovery code: he has no authenticator app).
	c.Open(base + "/start/access")
	c.WaitTitle("Temporary access", wait)
	if txt := c.Text("#decide"); !strings.Contains(txt, vera) || !strings.Contains(txt, "NW-4411") || !strings.Contains(txt, "A recovery code") {
		t.Fatalf("Dave's decisions: %q", txt)
	}
	if !c.Has(`form[action="/start/access/approve-key"] button`) {
		t.Fatal("no security key path in the approval form")
	}
	shot("decide")
	c.Click(`form[action="/start/access/approve-key"] button`)
	c.WaitTitle("Approve with your security key", wait)
	if txt := c.Text("main"); !strings.Contains(txt, vera) || !strings.Contains(txt, id) || !strings.Contains(txt, "VendorSupport") {
		t.Errorf("the key page: %q", txt)
	}
	shot("key")
	c.Type("#comment", "approved with my passkey")
	c.Click(`button[data-webauthn="get"]`)
	c.WaitTitle("Temporary access", wait)
	if txt := c.Text("[role=status]"); !strings.Contains(txt, "You approved") {
		t.Fatalf("approval: %q", c.Text("main"))
	}
	shot("approved")
	if src := c.Source(); strings.Contains(src, "<script>") {
		t.Error("a page has an inline script")
	}
	if n := auth.Credentials()[0].SignCount; n < 1 {
		t.Errorf("the passkey signed %d times, want at least 1", n)
	}

	// The grant: approved by Dave with his passkey; Vera's credentials work.
	var got reqOut
	if st, msg := call(t, e.h.URL, tv, "GET", "/access/requests/"+id, nil, &got); st != 200 || got.AccessRequest.Status != access.Active ||
		got.AccessRequest.ApproverMFAMethod != access.MFAWebAuthn || got.AccessRequest.DecidedByName != dave || got.AccessRequest.Comment != "approved with my passkey" {
		t.Fatalf("the request after the approval: %d %s %+v", st, msg, got.AccessRequest)
	}
	cr, _, err := e.roleCreds(t, e.portal, tv, prod, "VendorSupport")
	if err != nil {
		t.Fatal(err)
	}
	if out, ok := awsCLI(t, e.h.URL, cr, "sts", "get-caller-identity"); !ok || !strings.Contains(out, "AWSReservedSSO_VendorSupport_") || !strings.Contains(out, vera) {
		t.Fatalf("Vera's credentials of the grant: %s", out)
	}
}
