package ssoportal_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

var (
	reAccountID = regexp.MustCompile(`<li class="account" id="account-(\d{12})">`)
	reNext      = regexp.MustCompile(`<a class="button secondary" rel="next" href="([^"]+)">`)
)

// manyAccounts adds n accounts in a new OU and assigns alice
// DeveloperAccess there (provisioned as an assignment of the org file is):
// with SecureCart's Dev and Staging she then holds a permission set in
// n+2 accounts.
func manyAccounts(t *testing.T, e *env, n int) {
	t.Helper()
	if _, err := e.h.Server.State.Mutate(t.Context(), func(d *state.Doc) error {
		d.Org.OUs = append(d.Org.OUs, &org.OUDef{Name: "TenantsOU", ID: "ou-4k7q-t3nants0", Parent: "Root"})
		full := d.Org.Policy(org.TypeSCP, "FullAWSAccess")
		full.Attach = append(full.Attach, "TenantsOU")
		for i := range n {
			d.Org.Accounts = append(d.Org.Accounts, &org.AccountDef{Name: fmt.Sprintf("Tenant%04d", i), ID: fmt.Sprintf("9100%08d", i),
				Email: fmt.Sprintf("aws-tenant%04d@securecart.example", i), OU: "TenantsOU"})
			full.Attach = append(full.Attach, fmt.Sprintf("Tenant%04d", i))
		}
		d.Org.IdentityCenter.Assignments = append(d.Org.IdentityCenter.Assignments,
			&org.AssignmentDef{PermissionSet: "DeveloperAccess", User: "alice@securecart.example", OUs: []string{"TenantsOU"}})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPortalThousandAccounts: a person assigned 1,002 accounts sees them
// all on the accounts page, 50 a page, by following "Next" to the last
// page; a search runs on the server over all of them and is paged too (its
// links keep the query); a page past the last shows the last.
func TestPortalThousandAccounts(t *testing.T) {
	e := start(t)
	manyAccounts(t, e, 1000)
	b := servertest.NewBrowser(e.h.URL)
	pg, err := b.SignIn(alice(e), e.h.Clock.Now)
	if err != nil {
		t.Fatalf("portal sign-in: %v", err)
	}
	if !strings.Contains(pg.Body, "1002 accounts: 1–50 shown") || !strings.Contains(pg.Body, "Page 1 of 21") {
		t.Fatalf("the first page's count:\n%s", pg.Body)
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		ids := reAccountID.FindAllStringSubmatch(pg.Body, -1)
		if want := min(50, 1002-(page-1)*50); len(ids) != want {
			t.Fatalf("page %d shows %d accounts, want %d", page, len(ids), want)
		}
		for _, m := range ids {
			if seen[m[1]] {
				t.Fatalf("account %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		m := reNext.FindStringSubmatch(pg.Body)
		if m == nil {
			if page != 21 {
				t.Fatalf("no Next on page %d of 21", page)
			}
			break
		}
		if pg, err = b.Get(e.h.URL + html.UnescapeString(m[1])); err != nil || pg.Status != 200 {
			t.Fatalf("page %d: %v %d", page+1, err, pg.Status)
		}
	}
	if len(seen) != 1002 || !seen["910000000999"] || !seen["910000000000"] {
		t.Errorf("%d accounts seen over the pages, want all 1002", len(seen))
	}

	// The search: Tenant0900 to Tenant0999 are 100 accounts, two pages.
	pg, err = b.Get(e.h.URL + "/start?q=tenant09")
	if err != nil || !strings.Contains(pg.Body, "100 of 1002 accounts match “tenant09”: 1–50 shown") || len(reAccountID.FindAllString(pg.Body, -1)) != 50 {
		t.Fatalf("search tenant09: %v\n%s", err, pg.Body)
	}
	m := reNext.FindStringSubmatch(pg.Body)
	if m == nil || html.UnescapeString(m[1]) != "/start?page=2&q=tenant09" {
		t.Fatalf("the search's Next link: %q", m)
	}
	pg, _ = b.Get(e.h.URL + html.UnescapeString(m[1]))
	if ids := reAccountID.FindAllStringSubmatch(pg.Body, -1); len(ids) != 50 || ids[49][1] != "910000000999" || reNext.MatchString(pg.Body) ||
		!strings.Contains(pg.Body, `rel="prev" href="/start?q=tenant09"`) {
		t.Errorf("the search's second page: %d accounts\n%s", len(ids), pg.Body)
	}
	pg, _ = b.Get(e.h.URL + "/start?q=tenant0999")
	if ids := reAccountID.FindAllStringSubmatch(pg.Body, -1); len(ids) != 1 || ids[0][1] != "910000000999" || strings.Contains(pg.Body, "Page 1") {
		t.Errorf("search tenant0999: %d accounts", len(ids))
	}
	// Past the last page, and nonsense: the last page, and the first.
	pg, _ = b.Get(e.h.URL + "/start?page=99")
	if !strings.Contains(pg.Body, "Page 21 of 21") || len(reAccountID.FindAllString(pg.Body, -1)) != 2 {
		t.Errorf("page 99: want the last page")
	}
	pg, _ = b.Get(e.h.URL + "/start?page=-3")
	if !strings.Contains(pg.Body, "Page 1 of 21") {
		t.Errorf("page -3: want the first page")
	}
}

// TestPortalThousandAccountsInChromium photographs the accounts page of a
// person assigned 1,002 accounts at a phone's width (and a laptop's), its
// first and second pages (WARDEN_SCREENSHOT_DIR keeps them).
func TestPortalThousandAccountsInChromium(t *testing.T) {
	e := start(t)
	manyAccounts(t, e, 1000)
	c := servertest.StartChromium(t)
	const wait = 30 * time.Second
	p := alice(e)
	c.Open(e.h.URL + "/start")
	c.WaitTitle("Sign in", wait)
	c.Type("#username", p.UserName)
	c.Type("#password", p.Password)
	c.Click(`button[type="submit"]:not([value])`)
	c.WaitTitle("Choose a new password", wait)
	c.Type("#new_password", p.NewPassword)
	c.Type("#confirm_password", p.NewPassword)
	c.Click(`button[type="submit"]`)
	c.WaitTitle("Set up your authenticator", wait)
	code, err := creds.TOTPCode(strings.TrimSpace(c.Text("main p code")), e.h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.Type("#code", code)
	c.Click(`form:has(#code) button[type="submit"]`)
	c.WaitTitle("Save your recovery codes", wait)
	c.Click(`button[type="submit"]`)
	c.WaitTitle("Your AWS accounts", wait)
	shot := func(name string) { t.Helper(); c.ShootSizes("accounts-" + name) }
	if txt := c.Text(".count"); !strings.Contains(txt, "1002 accounts") {
		t.Errorf("the count: %q", txt)
	}
	shot("1000-first")
	// The pager at the list's end, on the phone.
	c.Resize(390, 844)
	c.Click(`nav.pages a[rel="next"]`)
	deadline := time.Now().Add(wait)
	for !strings.Contains(c.Text("nav.pages"), "Page 2 of 21") {
		if time.Now().After(deadline) {
			t.Fatalf("after Next: %q", c.Text("nav.pages"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !c.Has(`nav.pages a[rel="prev"]`) {
		t.Error("no Previous on page 2")
	}
	c.Open(e.h.URL + "/start?page=2")
	shot("1000-second")
	// The pager itself, scrolled to, on a phone.
	c.Resize(390, 844)
	c.Open(e.h.URL + "/start?page=2#pages")
	if _, data := c.Screenshot("accounts-1000-pager-phone"); len(data) < 1000 {
		t.Errorf("the pager's screenshot has %d bytes", len(data))
	}
}
