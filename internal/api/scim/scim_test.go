package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/scim"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sso"
)

type events struct {
	mu   sync.Mutex
	recs []*audit.Record
}

func (e *events) Record(_ context.Context, ev *api.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.recs = append(e.recs, audit.Records(ev)...)
	return nil
}

// scimEvents are the trail's SCIM records as "EventName ErrorCode".
func (e *events) scimEvents() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, r := range e.recs {
		if r.EventSource == scim.EventSource {
			out = append(out, strings.TrimSpace(r.EventName+" "+r.ErrorCode))
		}
	}
	return out
}

type client struct {
	t     *testing.T
	base  string
	token string
}

type reply struct {
	status int
	body   map[string]any
	raw    string
}

func (c *client) do(method, path string, body any) reply {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		if s, ok := body.(string); ok {
			b = []byte(s)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+scim.Prefix+path, rd)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", scim.MediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != scim.MediaType {
		c.t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return r
}

// must checks the status and returns the body.
func (r reply) must(t *testing.T, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r.body
}

// scimError checks a SCIM error response.
func (r reply) scimError(t *testing.T, status int, scimType string) {
	t.Helper()
	b := r.must(t, status)
	if s, _ := b["schemas"].([]any); len(s) != 1 || s[0] != scim.ErrorSchema {
		t.Errorf("error schemas %v", b["schemas"])
	}
	if b["status"] != itoa(status) || (scimType != "" && b["scimType"] != scimType) || b["detail"] == "" {
		t.Errorf("error %v, want status %d scimType %q", b, status, scimType)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func resources(t *testing.T, b map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range b["Resources"].([]any) {
		out = append(out, r.(map[string]any))
	}
	if int(b["itemsPerPage"].(float64)) != len(out) {
		t.Errorf("itemsPerPage %v for %d resources", b["itemsPerPage"], len(out))
	}
	return out
}

func q(filter string) string { return "?filter=" + url.QueryEscape(filter) }

func start(t *testing.T) (*servertest.Harness, *events, *client, *identitystore.Client, string) {
	ev := &events{}
	h := servertest.Start(t, servertest.Options{Audit: ev})
	ctx := servertest.Ctx(t)
	_, secret, err := scim.CreateToken(ctx, h.Store, h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	o, err := h.Server.State.Org(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return h, ev, &client{t: t, base: h.URL, token: secret}, identitystore.NewFromConfig(h.Config("", "", "")), o.IdentityCenter.IdentityStoreID
}

// Okta's provisioning, as Okta sends it (Okta's SCIM 2.0 guide): look the
// user up by userName, create it, update its profile with PUT, push a
// group, add and remove members with PATCH, rename the group; each change
// visible at once through the identitystore API and recorded in the trail.
func TestOkta(t *testing.T) {
	h, ev, c, is, store := start(t)
	ctx := servertest.Ctx(t)

	b := c.do("GET", "/Users"+q(`userName eq "dana@securecart.example"`)+"&startIndex=1&count=100", nil).must(t, 200)
	if b["totalResults"].(float64) != 0 || len(resources(t, b)) != 0 {
		t.Fatalf("unknown user found: %v", b)
	}
	user := map[string]any{"schemas": []string{scim.UserSchema}, "userName": "dana@securecart.example",
		"name": map[string]any{"givenName": "Dana", "familyName": "Smith"}, "displayName": "Dana Smith", "locale": "en-US",
		"externalId": "00u1okta", "emails": []any{map[string]any{"primary": true, "value": "dana@securecart.example", "type": "work"}},
		"active": true, "groups": []any{}, "password": "ignored-Secret1"}
	created := c.do("POST", "/Users", user).must(t, 201)
	id, _ := created["id"].(string)
	if id == "" || created["userName"] != "dana@securecart.example" || created["externalId"] != "00u1okta" || created["active"] != true {
		t.Fatalf("created %v", created)
	}
	if strings.Contains(c.do("GET", "/Users/"+id, nil).raw, "ignored-Secret1") {
		t.Error("a password was kept")
	}
	// The identity store has the user at once, by the same ID.
	got, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.UserName) != "dana@securecart.example" || aws.ToString(got.Name.GivenName) != "Dana" ||
		len(got.Emails) != 1 || aws.ToString(got.Emails[0].Value) != "dana@securecart.example" ||
		len(got.ExternalIds) != 1 || aws.ToString(got.ExternalIds[0].Id) != "00u1okta" || aws.ToString(got.ExternalIds[0].Issuer) != scim.ExternalIDIssuer {
		t.Errorf("identitystore DescribeUser: %+v", got)
	}
	// Okta updates a profile with PUT of the whole user.
	user["title"] = "Engineer"
	user["name"] = map[string]any{"givenName": "Dana", "familyName": "Jones"}
	put := c.do("PUT", "/Users/"+id, user).must(t, 200)
	if put["title"] != "Engineer" || put["name"].(map[string]any)["familyName"] != "Jones" {
		t.Errorf("PUT answered %v", put)
	}
	got, _ = is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if aws.ToString(got.Title) != "Engineer" || aws.ToString(got.Name.FamilyName) != "Jones" {
		t.Errorf("after PUT, identitystore has %+v", got)
	}
	// Okta's deactivation: PATCH active false disables the user (UserStatus
	// DISABLED): sign-in no longer finds the person; reactivation restores it.
	dir := sso.OrgDirectory{Orgs: h.Server.State}
	if _, err := dir.UserByName(ctx, "dana@securecart.example"); err != nil {
		t.Fatalf("sign-in lookup of an active user: %v", err)
	}
	off := c.do("PATCH", "/Users/"+id, map[string]any{"schemas": []string{scim.PatchSchema},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}}}).must(t, 200)
	if off["active"] != false {
		t.Errorf("after deactivation: %v", off)
	}
	got, _ = is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if got.UserStatus != istypes.UserStatusDisabled {
		t.Errorf("identitystore UserStatus %q after deactivation", got.UserStatus)
	}
	for _, lookup := range []func() error{
		func() error { _, err := dir.UserByName(ctx, "dana@securecart.example"); return err },
		func() error { _, err := dir.UserByEmail(ctx, "dana@securecart.example"); return err },
		func() error { _, err := dir.UserByID(ctx, id); return err },
		func() error { _, err := dir.Roles(ctx, id); return err },
	} {
		if err := lookup(); !errors.Is(err, sso.ErrNoUser) {
			t.Errorf("a disabled user is found by sign-in: %v", err)
		}
	}
	c.do("PATCH", "/Users/"+id, map[string]any{"schemas": []string{scim.PatchSchema},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": true}}}}).must(t, 200)
	got, _ = is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if _, err := dir.UserByID(ctx, id); err != nil || got.UserStatus != istypes.UserStatusEnabled {
		t.Errorf("after reactivation: %v, UserStatus %q", err, got.UserStatus)
	}

	// Push groups: create, add a member, rename, remove the member.
	gb := c.do("POST", "/Groups", map[string]any{"schemas": []string{scim.GroupSchema}, "displayName": "Platform", "members": []any{}}).must(t, 201)
	gid := gb["id"].(string)
	c.do("PATCH", "/Groups/"+gid, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": id, "display": "dana@securecart.example"}}}}}).must(t, 204)
	mid, err := is.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &store, GroupId: &gid,
		MemberId: &istypes.MemberIdMemberUserId{Value: id}})
	if err != nil || aws.ToString(mid.MembershipId) == "" {
		t.Fatalf("membership after PATCH add: %v", err)
	}
	g := c.do("GET", "/Groups/"+gid, nil).must(t, 200)
	if m := g["members"].([]any); len(m) != 1 || m[0].(map[string]any)["value"] != id {
		t.Errorf("group members %v", g["members"])
	}
	c.do("PATCH", "/Groups/"+gid, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "replace", "value": map[string]any{"id": gid, "displayName": "Platform Engineering"}}}}).must(t, 204)
	lg, err := is.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: &store,
		Filters: []istypes.Filter{{AttributePath: aws.String("DisplayName"), AttributeValue: aws.String("Platform Engineering")}}})
	if err != nil || len(lg.Groups) != 1 || aws.ToString(lg.Groups[0].GroupId) != gid {
		t.Fatalf("identitystore ListGroups after the rename: %+v %v", lg, err)
	}
	c.do("PATCH", "/Groups/"+gid, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "remove", "path": `members[value eq "` + id + `"]`}}}).must(t, 204)
	if _, err := is.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &store, GroupId: &gid,
		MemberId: &istypes.MemberIdMemberUserId{Value: id}}); err == nil {
		t.Error("the membership survived PATCH remove")
	}
	c.do("DELETE", "/Groups/"+gid, nil).must(t, 204)
	c.do("GET", "/Groups/"+gid, nil).scimError(t, 404, "")

	want := []string{"ListUsers", "CreateUser", "GetUser", "PutUser", "PatchUser", "PatchUser", "CreateGroup", "PatchGroup", "GetGroup",
		"PatchGroup", "PatchGroup", "DeleteGroup", "GetGroup ResourceNotFoundException"}
	if got := ev.scimEvents(); !slices.Equal(got, want) {
		t.Errorf("trail: %v\nwant %v", got, want)
	}
}

// Microsoft Entra ID's provisioning, as Entra sends it (Microsoft's "Tutorial:
// Develop and plan provisioning for a SCIM endpoint"): PATCH with
// capitalized ops, paths with value filters, the enterprise extension,
// "False" as a string, the membership check by filter, and removal of
// members listed in the value.
func TestEntra(t *testing.T) {
	_, _, c, is, store := start(t)
	ctx := servertest.Ctx(t)
	created := c.do("POST", "/Users", map[string]any{
		"schemas":    []string{scim.UserSchema, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"externalId": "8f9a-entra", "userName": "Erin@SecureCart.example", "active": "True",
		"emails": []any{map[string]any{"primary": true, "type": "work", "value": "erin@securecart.example"}},
		"name":   map[string]any{"formatted": "Erin Lee", "familyName": "Lee", "givenName": "Erin"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Security"},
	}).must(t, 201)
	id := created["id"].(string)
	// Lookups Entra makes: by userName (ignoring case) and by externalId (exact).
	for _, f := range []string{`userName eq "erin@securecart.example"`, `externalId eq "8f9a-entra"`, `id eq "` + id + `"`,
		`emails.value eq "ERIN@securecart.example"`} {
		if r := resources(t, c.do("GET", "/Users"+q(f), nil).must(t, 200)); len(r) != 1 || r[0]["id"] != id {
			t.Errorf("filter %s: %v", f, r)
		}
	}
	if r := resources(t, c.do("GET", "/Users"+q(`externalId eq "8F9A-ENTRA"`), nil).must(t, 200)); len(r) != 0 {
		t.Errorf("externalId is case-exact: %v", r)
	}
	c.do("PATCH", "/Users/"+id, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "Replace", "path": "title", "value": "Security Lead"},
		map[string]any{"op": "Replace", "path": `emails[type eq "work"].value`, "value": "erin.lee@securecart.example"},
		map[string]any{"op": "Replace", "path": "name.familyName", "value": "Lee-Park"},
		map[string]any{"op": "Add", "path": `phoneNumbers[type eq "work"].value`, "value": "+1 555 0100"},
		map[string]any{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sec"},
		map[string]any{"op": "Replace", "path": "active", "value": "True"},
	}}).must(t, 200)
	got, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Title) != "Security Lead" || aws.ToString(got.Emails[0].Value) != "erin.lee@securecart.example" ||
		aws.ToString(got.Name.FamilyName) != "Lee-Park" || len(got.PhoneNumbers) != 1 || aws.ToString(got.PhoneNumbers[0].Value) != "+1 555 0100" {
		t.Errorf("identitystore after PATCH: %+v", got)
	}
	// Entra renames a user by replacing userName: the ID stays.
	c.do("PATCH", "/Users/"+id, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "Replace", "path": "userName", "value": "erin.lee@securecart.example"}}}).must(t, 200)
	lu, err := is.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: &store,
		Filters: []istypes.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String("erin.lee@securecart.example")}}})
	if err != nil || len(lu.Users) != 1 || aws.ToString(lu.Users[0].UserId) != id {
		t.Fatalf("ListUsers after the rename: %+v %v", lu, err)
	}

	g := c.do("POST", "/Groups", map[string]any{"schemas": []string{scim.GroupSchema}, "displayName": "Responders", "externalId": "grp-1"}).must(t, 201)
	gid := g["id"].(string)
	if r := resources(t, c.do("GET", "/Groups"+q(`displayName eq "responders"`), nil).must(t, 200)); len(r) != 1 || r[0]["id"] != gid {
		t.Errorf("group by displayName: %v", r)
	}
	c.do("PATCH", "/Groups/"+gid, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": id}}}}}).must(t, 204)
	member := "/Groups" + q(`id eq "`+gid+`" and members eq "`+id+`"`) + "&excludedAttributes=members"
	r := resources(t, c.do("GET", member, nil).must(t, 200))
	if len(r) != 1 || r[0]["members"] != nil {
		t.Errorf("membership check: %v", r)
	}
	ms, err := is.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &store, GroupId: &gid})
	if err != nil || len(ms.GroupMemberships) != 1 {
		t.Fatalf("identitystore memberships: %+v %v", ms, err)
	}
	c.do("PATCH", "/Groups/"+gid, map[string]any{"schemas": []string{scim.PatchSchema}, "Operations": []any{
		map[string]any{"op": "Remove", "path": "members", "value": []any{map[string]any{"value": id}}}}}).must(t, 204)
	if r := resources(t, c.do("GET", member, nil).must(t, 200)); len(r) != 0 {
		t.Errorf("membership after Remove: %v", r)
	}
	// Deprovisioning deletes the user.
	c.do("DELETE", "/Users/"+id, nil).must(t, 204)
	var nf *istypes.ResourceNotFoundException
	if _, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id}); !errors.As(err, &nf) {
		t.Errorf("DescribeUser after SCIM DELETE: %v", err)
	}
	c.do("DELETE", "/Users/"+id, nil).scimError(t, 404, "")
}

// Errors: uniqueness, filters, bodies, paging; and the discovery endpoints.
func TestErrorsAndDiscovery(t *testing.T) {
	_, _, c, _, _ := start(t)
	// alice exists in the SecureCart directory: another case of her name is taken.
	c.do("POST", "/Users", map[string]any{"userName": "ALICE@securecart.example", "displayName": "A"}).scimError(t, 409, "uniqueness")
	c.do("POST", "/Groups", map[string]any{"displayName": "x"}).must(t, 201)
	c.do("POST", "/Groups", map[string]any{"displayName": "X"}).scimError(t, 409, "uniqueness")
	for _, f := range []string{`userName co "a"`, `userName eq`, `userName eq "a" or userName eq "b"`, `(userName eq "a")`,
		`title eq "x"`, `userName eq "unclosed`, `emails[type eq "work"]`} {
		c.do("GET", "/Users"+q(f), nil).scimError(t, 400, "invalidFilter")
	}
	c.do("POST", "/Users", `{"userName": 3}`).scimError(t, 400, "invalidSyntax")
	c.do("POST", "/Users", map[string]any{"displayName": "no name"}).scimError(t, 400, "invalidValue")
	c.do("PATCH", "/Users/"+"nope", map[string]any{"Operations": []any{}}).scimError(t, 404, "")
	c.do("GET", "/Bulk", nil).scimError(t, 404, "")
	// Paging: startIndex is 1-based, count bounds the page.
	all := c.do("GET", "/Users", nil).must(t, 200)
	total := int(all["totalResults"].(float64))
	if total < 3 {
		t.Fatalf("SecureCart has %d users", total)
	}
	p := c.do("GET", "/Users?startIndex=2&count=2", nil).must(t, 200)
	if r := resources(t, p); len(r) != 2 || p["startIndex"].(float64) != 2 || int(p["totalResults"].(float64)) != total ||
		r[0]["id"] != resources(t, all)[1]["id"] {
		t.Errorf("page: %v", p)
	}
	spc := c.do("GET", "/ServiceProviderConfig", nil).must(t, 200)
	if spc["patch"].(map[string]any)["supported"] != true || spc["bulk"].(map[string]any)["supported"] != false {
		t.Errorf("ServiceProviderConfig %v", spc)
	}
	if r := resources(t, c.do("GET", "/ResourceTypes", nil).must(t, 200)); len(r) != 2 {
		t.Errorf("ResourceTypes %v", r)
	}
	if s := c.do("GET", "/Schemas/"+scim.UserSchema, nil).must(t, 200); s["id"] != scim.UserSchema {
		t.Errorf("User schema %v", s)
	}
}

// Tokens: none, a wrong one, a deleted one and an expired one are refused;
// at most two exist; a second one rotates the first.
func TestTokens(t *testing.T) {
	h, ev, c, _, _ := start(t)
	ctx := servertest.Ctx(t)
	c.do("GET", "/Users", nil).must(t, 200)
	for _, tok := range []string{"", "wscim_notatoken", c.token + "x"} {
		(&client{t: t, base: h.URL, token: tok}).do("GET", "/Users", nil).scimError(t, 401, "")
	}
	second, secret2, err := scim.CreateToken(ctx, h.Store, h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := scim.CreateToken(ctx, h.Store, h.Clock.Now()); !errors.Is(err, scim.ErrTooManyTokens) {
		t.Fatalf("third token: %v", err)
	}
	ts, _ := scim.ListTokens(ctx, h.Store)
	if len(ts) != 2 || strings.Contains(ts[0].Hash, c.token) || ts[0].Hash == "" {
		t.Fatalf("tokens %+v", ts)
	}
	raw, _ := h.Store.Record(ctx, scim.TokensNamespace, "tokens")
	if strings.Contains(string(raw.Doc), c.token) || strings.Contains(string(raw.Doc), secret2) {
		t.Fatal("a token's secret is stored")
	}
	// Rotation: delete the first; it stops working at once, the second works.
	if err := scim.DeleteToken(ctx, h.Store, ts[0].ID, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	c.do("GET", "/Users", nil).scimError(t, 401, "")
	c2 := &client{t: t, base: h.URL, token: secret2}
	c2.do("GET", "/Users", nil).must(t, 200)
	if err := scim.DeleteToken(ctx, h.Store, ts[0].ID, h.Clock.Now()); !errors.Is(err, scim.ErrNoToken) {
		t.Errorf("deleting a deleted token: %v", err)
	}
	// A year later the token has expired.
	h.Clock.Advance(scim.TokenLifetime - time.Second)
	c2.do("GET", "/Users", nil).must(t, 200)
	h.Clock.Advance(time.Second)
	c2.do("GET", "/Users", nil).scimError(t, 401, "")
	if second.Expires.Sub(second.Created) != scim.TokenLifetime {
		t.Errorf("token lifetime %v", second.Expires.Sub(second.Created))
	}
	n := 0
	for _, e := range ev.scimEvents() {
		if e == "ListUsers UnauthorizedException" {
			n++
		}
	}
	if n != 5 {
		t.Errorf("refused calls in the trail: %d, want 5 (%v)", n, ev.scimEvents())
	}
}
