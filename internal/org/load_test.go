package org

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// describe summarizes a loaded organization, so that loads of the same
// organization written differently can be compared.
func describe(o *Org) string {
	var b strings.Builder
	fmt.Fprintf(&b, "org %s root %s management %s\n", o.ID, o.RootID, o.Management.Name)
	for _, ou := range o.OUs {
		fmt.Fprintf(&b, "ou %s %s parent %s\n", ou.Name, ou.ID, ou.Parent.Name)
	}
	for _, a := range o.Accounts {
		ou := "Root"
		if a.OU != nil {
			ou = a.OU.Name
		}
		fmt.Fprintf(&b, "account %s %s %s in %s tags %v\n", a.Name, a.ID, a.Email, ou, a.Tags)
	}
	for _, p := range o.Policies {
		fmt.Fprintf(&b, "policy %s %s %s attach %v accounts %v compiled %s (%d statements)\n", p.Type, p.Name, p.ARN, p.Attach, names(p.Accounts), p.Compiled.Name, len(p.Compiled.Statements))
	}
	for _, r := range o.Roles {
		fmt.Fprintf(&b, "role %s trust %q max %d tags %v ps %q slr %v\n", r.ARN, r.Trust.Name, r.MaxSessionDuration, r.Tags, r.PermissionSet, r.ServiceLinked)
		for _, p := range r.Policies {
			fmt.Fprintf(&b, "  policy %s\n", p.Name)
		}
		if r.Boundary != nil {
			fmt.Fprintf(&b, "  boundary %s\n", r.Boundary.Name)
		}
	}
	for _, u := range o.Users {
		fmt.Fprintf(&b, "user %s policies %v\n", u.ARN, policyNames(o.UserPolicies(u)))
	}
	for _, r := range o.Resources {
		fmt.Fprintf(&b, "resource %s in %s policy %s\n", r.ARN, r.Account.Name, r.Policy.Name)
	}
	for _, p := range o.Providers {
		fmt.Fprintf(&b, "provider %s %v\n", p.ARN, p.ClientIDs)
	}
	return b.String()
}

func names(accts []*Account) []string {
	var out []string
	for _, a := range accts {
		out = append(out, a.Name)
	}
	return out
}

func policyNames(ps []*policy.Policy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func mustLoad(t *testing.T, path string) *Org {
	t.Helper()
	o, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s):\n%v", path, err)
	}
	return o
}

func TestLoadYAML(t *testing.T) {
	o := mustLoad(t, "testdata/valid/org.yaml")
	if got, want := o.ID, "o-a1b2c3d4e5"; got != want {
		t.Errorf("ID = %q, want %q", got, want)
	}
	if got, want := o.RootID, "r-a1b2"; got != want {
		t.Errorf("RootID = %q, want %q", got, want)
	}
	if got, want := o.Management.Name, "Management"; got != want {
		t.Errorf("Management = %q, want %q", got, want)
	}
	if got, want := fmt.Sprint(names(o.Accounts)), "[Management Security Dev Prod]"; got != want {
		t.Errorf("accounts = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(o.Sources), "[testdata/valid/org.yaml]"; got != want {
		t.Errorf("Sources = %s, want %s", got, want)
	}
	dev, ok := o.AccountByName("Dev")
	if !ok || dev.ID != "333333333333" || dev.OU.Name != "WorkloadsOU" || dev.Tags["env"] != "dev" {
		t.Fatalf("AccountByName(Dev) = %+v, %v", dev, ok)
	}
	if got, ok := o.AccountByID("444444444444"); !ok || got.Name != "Prod" {
		t.Errorf("AccountByID(444444444444) = %v, %v; want Prod", got, ok)
	}
	if _, ok := o.AccountByName("Nope"); ok {
		t.Errorf("AccountByName(Nope) found an account")
	}
	if got, want := dev.Pos.String(), "testdata/valid/org.yaml:23:5"; got != want {
		t.Errorf("Dev.Pos = %s, want %s", got, want)
	}

	// A role defined once, provisioned into two accounts.
	role, ok := o.Role(dev.ID, "DeveloperRole")
	if !ok {
		t.Fatal("no DeveloperRole in Dev")
	}
	if got, want := role.ARN, "arn:aws:iam::333333333333:role/DeveloperRole"; got != want {
		t.Errorf("ARN = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(policyNames(role.Policies)),
		"[arn:aws:iam::aws:policy/ReadOnlyAccess arn:aws:iam::333333333333:policy/team/DeveloperPermissions role DeveloperRole inline DeveloperInline]"; got != want {
		t.Errorf("policies = %s\nwant %s", got, want)
	}
	if got, want := role.Boundary.Name, "arn:aws:iam::333333333333:policy/DeveloperBoundary"; got != want {
		t.Errorf("boundary = %s, want %s", got, want)
	}
	if role.Boundary.Type != policy.Boundary {
		t.Errorf("boundary compiled as %s, want boundary", role.Boundary.Type)
	}
	if got, want := role.Trust.Name, "role DeveloperRole trust"; got != want {
		t.Errorf("trust = %s, want %s", got, want)
	}
	if role.MaxSessionDuration != 7200 || role.Tags["team"] != "dev" || role.Description != "What developers work as" {
		t.Errorf("role = %+v", role)
	}
	prodRole, _ := o.Role("444444444444", "DeveloperRole")
	if prodRole.Trust != role.Trust {
		t.Errorf("the trust policy of one definition is compiled once per account, want once")
	}
	if _, ok := o.Role(dev.ID, "developerrole"); ok {
		t.Errorf("Role matched a name of another case")
	}

	// Placeholders in documents: the trust names the Security account.
	if got, want := role.Trust.Doc.Statements[0].Principal.AWS[0].Value, "arn:aws:iam::222222222222:root"; got != want {
		t.Errorf("trust principal = %s, want %s", got, want)
	}
	// Positions of a YAML document are those of the YAML source.
	if got, want := role.Trust.Doc.Statements[0].Principal.AWS[0].Pos, (policy.Pos{Line: 77, Col: 28}); got != want {
		t.Errorf("trust principal at %v, want %v", got, want)
	}
	// The document file's placeholder, in the boundary.
	if got, want := role.Boundary.Doc.Statements[1].Resource[0].Value, "arn:aws:iam::333333333333:*"; got != want {
		t.Errorf("boundary resource = %s, want %s", got, want)
	}

	// "*" is every member account; the management account is listed apart.
	var audit []string
	for _, r := range o.Roles {
		if r.Name == "SecurityAuditRole" {
			audit = append(audit, r.Account.Name)
		}
	}
	if got, want := fmt.Sprint(audit), "[Security Dev Prod Management]"; got != want {
		t.Errorf("SecurityAuditRole in %s, want %s", got, want)
	}

	bg, ok := o.Role("222222222222", "BreakGlassRole")
	if !ok || bg.ARN != "arn:aws:iam::222222222222:role/emergency/BreakGlassRole" || bg.Path != "/emergency/" {
		t.Errorf("BreakGlassRole = %+v", bg)
	}

	slr, ok := o.Role(dev.ID, "AWSServiceRoleForAmazonGuardDuty")
	if !ok || !slr.ServiceLinked || slr.Path != "/aws-service-role/guardduty.amazonaws.com/" {
		t.Fatalf("service-linked role = %+v", slr)
	}
	if got, want := slr.Trust.Doc.Statements[0].Principal.Service[0].Value, "guardduty.amazonaws.com"; got != want {
		t.Errorf("service-linked role trusts %s, want %s", got, want)
	}

	u, ok := o.User(dev.ID, "legacy-ci")
	if !ok {
		t.Fatal("no user legacy-ci")
	}
	if got, want := fmt.Sprint(policyNames(o.UserPolicies(u))),
		"[arn:aws:iam::333333333333:policy/team/DeveloperPermissions user legacy-ci inline DeployBucket arn:aws:iam::aws:policy/ReadOnlyAccess group LegacyGroup inline GroupInline]"; got != want {
		t.Errorf("UserPolicies = %s\nwant %s", got, want)
	}
	if got, want := u.Boundary.Name, "arn:aws:iam::aws:policy/PowerUserAccess"; got != want {
		t.Errorf("user boundary = %s, want %s", got, want)
	}

	res, ok := o.ResourcePolicy("arn:aws:s3:::securecart-org-trail-logs")
	if !ok || res.Account.Name != "Security" || res.Policy.Type != policy.Resource {
		t.Errorf("bucket = %+v, %v", res, ok)
	}
	key, ok := o.ResourcePolicy("arn:aws:kms:us-east-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	if !ok || key.Account.Name != "Prod" {
		t.Errorf("key (owner from the ARN) = %+v, %v", key, ok)
	}

	scp := o.Policies[0]
	if got, want := scp.Compiled.Name, "scp FullAWSAccess"; got != want {
		t.Errorf("SCP name = %s, want %s", got, want)
	}
	if !strings.HasPrefix(scp.ARN, "arn:aws:organizations::111111111111:policy/o-a1b2c3d4e5/service_control_policy/p-") {
		t.Errorf("SCP ARN = %s", scp.ARN)
	}
	if got, want := o.Policies[2].Compiled.Name, "rcp DenyInsecureTransport"; got != want {
		t.Errorf("RCP name = %s, want %s", got, want)
	}

	var providers []string
	for _, p := range o.Providers {
		providers = append(providers, p.ARN)
	}
	sort.Strings(providers)
	want := []string{
		"arn:aws:iam::222222222222:saml-provider/AWSSSO_1234567890abcdef_DO_NOT_DELETE",
		"arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com",
		"arn:aws:iam::333333333333:saml-provider/AWSSSO_1234567890abcdef_DO_NOT_DELETE",
		"arn:aws:iam::444444444444:saml-provider/AWSSSO_1234567890abcdef_DO_NOT_DELETE",
	}
	if fmt.Sprint(providers) != fmt.Sprint(want) {
		t.Errorf("providers = %v\nwant %v", providers, want)
	}
}

func TestLoadJSONMatchesYAML(t *testing.T) {
	y := mustLoad(t, "testdata/valid/org.yaml")
	j := mustLoad(t, "testdata/valid/org.json")
	if got, want := describe(j), describe(y); got != want {
		t.Errorf("the JSON org differs from the YAML one:\n--- json\n%s\n--- yaml\n%s", got, want)
	}
}

func TestLoadDirectory(t *testing.T) {
	d := mustLoad(t, "testdata/dir")
	if got, want := fmt.Sprint(d.Sources), "[testdata/dir/accounts.yaml testdata/dir/org.yml testdata/dir/roles.json]"; got != want {
		t.Errorf("Sources = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(names(d.Accounts)), "[Management Dev Prod]"; got != want {
		t.Errorf("accounts = %s, want %s", got, want)
	}
	r, ok := d.Role("333333333333", "DeveloperRole")
	if !ok {
		t.Fatal("no DeveloperRole in Dev")
	}
	if got, want := fmt.Sprint(policyNames(r.Policies)), "[arn:aws:iam::333333333333:policy/Shared]"; got != want {
		t.Errorf("policies = %s, want %s", got, want)
	}
	// The trust file lives in a subfolder, which is not read as org files.
	if got, want := r.Trust.Doc.Statements[0].Principal.AWS[0].Value, "arn:aws:iam::444444444444:root"; got != want {
		t.Errorf("trust principal = %s, want %s", got, want)
	}

	// The same folder through a file system, as an embedded landing zone.
	fsys := fstest.MapFS{}
	for _, name := range []string{"accounts.yaml", "org.yml", "roles.json", "docs/trust.json", "docs/ignored.yaml"} {
		data, err := os.ReadFile("testdata/dir/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys["lz/"+name] = &fstest.MapFile{Data: data}
	}
	f, err := LoadFS(fsys, "lz")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if got, want := fmt.Sprint(f.Sources), "[lz/accounts.yaml lz/org.yml lz/roles.json]"; got != want {
		t.Errorf("LoadFS Sources = %s, want %s", got, want)
	}
	if got, want := describe(f), describe(d); got != want {
		t.Errorf("LoadFS differs from Load:\n%s\n---\n%s", got, want)
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load("testdata/no-such-file.yaml"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	if _, err := LoadFS(fstest.MapFS{"x.txt": &fstest.MapFile{}}, "."); err == nil || !strings.Contains(err.Error(), "no organization files") {
		t.Errorf("LoadFS of a folder without org files: %v, want \"no organization files\"", err)
	}
}

func TestPlaceholders(t *testing.T) {
	ph := &placeholders{ids: map[string]string{"Dev": "333333333333", "Prod": "444444444444"}, names: []string{"Dev", "Prod"}}
	for _, tc := range []struct {
		in, want, bad string
	}{
		{"arn:aws:iam::${account:Dev}:root", "arn:aws:iam::333333333333:root", ""},
		{"${account:Dev}/${account:Prod}", "333333333333/444444444444", ""},
		{"no placeholder ${aws:username}", "no placeholder ${aws:username}", ""},
		{"x ${account:Dve}", "", `2: unknown account "Dve" in placeholder ${account:Dve} (did you mean "Dev"?)`},
		{"${account:}", "", "0: empty placeholder ${account:}: want ${account:Name} with an account's name"},
		{"ab ${account:Dev", "", `3: unterminated placeholder "${account:Dev": want ${account:Name}`},
	} {
		var bad []string
		got, ok := ph.replace(tc.in, func(off int, msg string) { bad = append(bad, fmt.Sprintf("%d: %s", off, msg)) })
		if tc.bad != "" {
			if ok || strings.Join(bad, "\n") != tc.bad {
				t.Errorf("replace(%q): ok %v, errors %q; want %q", tc.in, ok, bad, tc.bad)
			}
			continue
		}
		if !ok || got != tc.want {
			t.Errorf("replace(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestIdentityCenterProvisioning(t *testing.T) {
	o := mustLoad(t, "testdata/valid/org.yaml")
	ic := o.IdentityCenter
	if ic == nil {
		t.Fatal("no Identity Center")
	}
	// The hex is the first 16 hex digits of SHA-256 over instanceArn + "/" + name.
	const devRole = "AWSReservedSSO_DeveloperAccess_4903e0d8d0d3728e"
	if got := SSORoleName("arn:aws:sso:::instance/ssoins-1234567890abcdef", "DeveloperAccess"); got != devRole {
		t.Errorf("SSORoleName = %s, want %s", got, devRole)
	}
	if got, ok := o.PermissionSetRoleName("DeveloperAccess"); !ok || got != devRole {
		t.Errorf("PermissionSetRoleName(DeveloperAccess) = %q, %v; want %s", got, ok, devRole)
	}
	if _, ok := o.PermissionSetRoleName("Nope"); ok {
		t.Error("PermissionSetRoleName(Nope) found a role")
	}
	ps := ic.PermissionSets[0]
	if got, want := fmt.Sprint(names(ps.Accounts)), "[Dev Prod]"; got != want {
		t.Errorf("DeveloperAccess is in %s, want %s (the accounts under WorkloadsOU)", got, want)
	}
	if ps.SessionDuration != 8*3600 {
		t.Errorf("SessionDuration = %d, want %d", ps.SessionDuration, 8*3600)
	}
	for _, acct := range []string{"333333333333", "444444444444"} {
		r, ok := o.Role(acct, devRole)
		if !ok {
			t.Fatalf("no %s in %s", devRole, acct)
		}
		if got, want := r.ARN, "arn:aws:iam::"+acct+":role/aws-reserved/sso.amazonaws.com/"+devRole; got != want {
			t.Errorf("ARN = %s, want %s", got, want)
		}
		if r.PermissionSet != "DeveloperAccess" || r.MaxSessionDuration != 8*3600 {
			t.Errorf("role = %+v", r)
		}
		if got, want := fmt.Sprint(policyNames(r.Policies)),
			"[arn:aws:iam::aws:policy/ReadOnlyAccess arn:aws:iam::"+acct+":policy/team/DeveloperPermissions permission set DeveloperAccess inline]"; got != want {
			t.Errorf("policies = %s\nwant %s", got, want)
		}
		if got, want := r.Boundary.Name, "arn:aws:iam::"+acct+":policy/DeveloperBoundary"; got != want {
			t.Errorf("boundary = %s, want %s", got, want)
		}
		s := r.Trust.Doc.Statements[0]
		if got, want := s.Principal.Federated[0].Value, "arn:aws:iam::"+acct+":saml-provider/AWSSSO_1234567890abcdef_DO_NOT_DELETE"; got != want {
			t.Errorf("trust principal = %s, want %s", got, want)
		}
		var actions []string
		for _, a := range s.Action {
			actions = append(actions, a.Value)
		}
		if got, want := fmt.Sprint(actions), "[sts:AssumeRoleWithSAML sts:TagSession]"; got != want {
			t.Errorf("trust actions = %s, want %s", got, want)
		}
		if len(s.Condition) != 1 || s.Condition[0].Op != "StringEquals" || s.Condition[0].Key != "SAML:aud" ||
			fmt.Sprint(s.Condition[0].Values) != "[https://signin.aws.amazon.com/saml]" {
			t.Errorf("trust condition = %+v", s.Condition)
		}
		if r.Trust.Type != policy.Trust {
			t.Errorf("trust compiled as %s", r.Trust.Type)
		}
	}
	if _, ok := o.Role("222222222222", devRole); ok {
		t.Error("DeveloperAccess is provisioned in Security, which no assignment names")
	}
	if got, want := ic.Assignments[1].User.UserName, "sam@example.com"; got != want {
		t.Errorf("assignment user = %s, want %s", got, want)
	}
	if got, want := ic.Users[0].Groups[0].Name, "Developers"; got != want {
		t.Errorf("alice's group = %s, want %s", got, want)
	}
}

func TestSCPAndRCPLevels(t *testing.T) {
	o := mustLoad(t, "testdata/valid/org.yaml")
	levels := func(ls []levelView) string { return fmt.Sprint(ls) }
	for _, tc := range []struct {
		account  string
		scp, rcp string
	}{
		{"444444444444",
			"[Root:[scp FullAWSAccess] WorkloadsOU:[scp FullAWSAccess scp DenyIAMUsers] ProdOU:[scp FullAWSAccess] Prod:[scp FullAWSAccess]]",
			"[Root:[rcp DenyInsecureTransport] WorkloadsOU:[] ProdOU:[] Prod:[rcp DenyInsecureTransport]]"},
		{"333333333333",
			"[Root:[scp FullAWSAccess] WorkloadsOU:[scp FullAWSAccess scp DenyIAMUsers] Dev:[scp FullAWSAccess]]",
			"[Root:[rcp DenyInsecureTransport] WorkloadsOU:[] Dev:[]]"},
		{"111111111111", "[]", "[]"}, // the management account: none apply
		{"999999999999", "[]", "[]"}, // not in the organization
	} {
		if got := levels(view(o.SCPLevels(tc.account))); got != tc.scp {
			t.Errorf("SCPLevels(%s) = %s\nwant %s", tc.account, got, tc.scp)
		}
		if got := levels(view(o.RCPLevels(tc.account))); got != tc.rcp {
			t.Errorf("RCPLevels(%s) = %s\nwant %s", tc.account, got, tc.rcp)
		}
	}
	if o.SCPLevels("111111111111") != nil || o.RCPLevels("111111111111") != nil {
		t.Error("levels of the management account are not nil")
	}
}

func TestSCPsDisabled(t *testing.T) {
	// An organization that defines no SCP has SCPs disabled: none apply.
	o := mustLoad(t, "testdata/dir")
	if got := o.SCPLevels("333333333333"); got != nil {
		t.Errorf("SCPLevels without SCPs = %v, want nil", got)
	}
	if got := len(o.RCPLevels("333333333333")); got != 2 {
		t.Errorf("RCPLevels has %d levels, want 2 (Root, Dev)", got)
	}
}

type levelView struct {
	target   string
	policies []string
}

func (l levelView) String() string { return l.target + ":" + fmt.Sprint(l.policies) }

func view(ls []eval.Level) []levelView {
	var out []levelView
	for _, l := range ls {
		v := levelView{target: l.Target, policies: []string{}}
		for _, p := range l.Policies {
			v.policies = append(v.policies, p.Name)
		}
		out = append(out, v)
	}
	return out
}

func TestOrgPaths(t *testing.T) {
	o := mustLoad(t, "testdata/valid/org.yaml")
	prodOU, _ := o.OUByName("ProdOU")
	for _, tc := range []struct{ account, want string }{
		{"111111111111", "o-a1b2c3d4e5/r-a1b2/"},
		{"333333333333", "o-a1b2c3d4e5/r-a1b2/ou-a1b2-workload01/"},
		{"444444444444", "o-a1b2c3d4e5/r-a1b2/ou-a1b2-workload01/" + prodOU.ID + "/"},
		{"999999999999", ""},
	} {
		if got := o.OrgPaths(tc.account); got != tc.want {
			t.Errorf("OrgPaths(%s) = %q, want %q", tc.account, got, tc.want)
		}
	}
	// A generated OU ID belongs to the root and is stable.
	if got, want := prodOU.ID, defaultOUID("o-a1b2c3d4e5", "r-a1b2", "ProdOU"); got != want || !reOUID.MatchString(got) || !strings.HasPrefix(got, "ou-a1b2-") {
		t.Errorf("ProdOU ID = %s, want %s, of the form ou-a1b2-xxxxxxxx", got, want)
	}
}

func TestLoadFSErrors(t *testing.T) {
	const base = "organization: {id: o-a1b2c3d4e5, managementAccount: M}\naccounts: [{name: M, id: \"111111111111\", email: a@b.cd}]\n"
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"document file outside the folder", fstest.MapFS{
			"lz/org.yaml": {Data: []byte(base + "policies: [{name: P, type: managed, accounts: [M], document: {file: ../x.json}}]\n")},
			"x.json":      {Data: []byte(`{"Version": "2012-10-17", "Statement": []}`)},
		}, `lz/org.yaml:3:69: policies[0].document.file: document file "../x.json" lies outside the organization's folder`},
		{"a policy document among the org files", fstest.MapFS{
			"lz/org.yaml":  {Data: []byte(base)},
			"lz/deny.json": {Data: []byte(`{"Version": "2012-10-17", "Statement": []}`)},
		}, `lz/deny.json:1:2: this looks like a policy document, not an organization file: keep documents that {file: ...} names in a subfolder`},
		{"a second YAML document", fstest.MapFS{
			"lz/org.yaml": {Data: []byte(base + "---\nroles: []\n")},
		}, `lz/org.yaml:3:1: a second YAML document: an organization file holds one (split it into files)`},
	} {
		_, err := LoadFS(tc.fsys, "lz")
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got error\n%v\nwant\n%s", tc.name, err, tc.want)
		}
	}
}
