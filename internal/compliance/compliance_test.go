package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
)

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func loadTestOrg(t *testing.T) *org.Org {
	t.Helper()
	o, err := org.Load("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// verdicts runs one managed rule and returns compliance by resource name.
func verdicts(t *testing.T, in *Input, id string, params map[string]string) map[string]Evaluation {
	t.Helper()
	m, ok := Managed(id)
	if !ok {
		t.Fatalf("no managed rule %s", id)
	}
	r, err := m.New("", params)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Evaluation{}
	for _, e := range r.Evaluate(in) {
		if e.Rule != m.Name {
			t.Errorf("evaluation names rule %q, want %q", e.Rule, m.Name)
		}
		out[e.Resource.Name] = e
	}
	return out
}

func TestManagedRules(t *testing.T) {
	t.Parallel()
	in := &Input{Org: loadTestOrg(t), Now: now, Trail: WardenTrail("111111111111", true)}
	for _, c := range []struct {
		page, id string
		params   map[string]string
		want     map[string]string // resource name -> compliance
	}{
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-admin-access.html",
			"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", nil,
			map[string]string{"Admin": NonCompliant, "AdminTwin": Compliant, "S3Full": Compliant, "Boundary": NonCompliant}},
		{"same page: excludePermissionBoundaryPolicy leaves out the policies used as boundaries",
			"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", map[string]string{"excludePermissionBoundaryPolicy": "true"},
			map[string]string{"Admin": NonCompliant, "Boundary": NotApplicable}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-full-access.html",
			"IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS", nil,
			map[string]string{"S3Full": NonCompliant, "Admin": NonCompliant, "AdminTwin": Compliant, "KMSOneKey": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-customer-policy-blocked-kms-actions.html",
			"IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS", map[string]string{"blockedActionsPatterns": "kms:Decrypt"},
			map[string]string{"KMSAll": NonCompliant, "KMSOneKey": Compliant, "Admin": NonCompliant, "AdminTwin": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-inline-policy-blocked-kms-actions.html",
			"IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS", map[string]string{"blockedActionsPatterns": "kms:Decrypt"},
			map[string]string{"InlineRole": NonCompliant, "ManagedRole": NotApplicable}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-no-inline-policy-check.html",
			"IAM_NO_INLINE_POLICY_CHECK", nil,
			map[string]string{"InlineRole": NonCompliant, "ManagedRole": Compliant, "direct": Compliant, "Readers": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-user-no-policies-check.html",
			"IAM_USER_NO_POLICIES_CHECK", nil,
			map[string]string{"direct": NonCompliant, "grouped": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-role-managed-policy-check.html",
			"IAM_ROLE_MANAGED_POLICY_CHECK", map[string]string{"managedPolicyArns": "arn:aws:iam::aws:policy/AdministratorAccess"},
			map[string]string{"ManagedRole": Compliant, "InlineRole": NonCompliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-blacklisted-check.html",
			"IAM_POLICY_BLACKLISTED_CHECK", nil,
			map[string]string{"ManagedRole": NonCompliant, "InlineRole": Compliant, "direct": Compliant}},
		{"same page: exceptionList names resources by name, separated by semicolons",
			"IAM_POLICY_BLACKLISTED_CHECK", map[string]string{"exceptionList": "users:[direct;other], roles:[ManagedRole]"},
			map[string]string{"ManagedRole": NotApplicable, "InlineRole": Compliant, "direct": NotApplicable}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html",
			"S3_BUCKET_PUBLIC_READ_PROHIBITED", nil,
			map[string]string{"public-site": NonCompliant, "org-only": Compliant, "drop-box": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-write-prohibited.html",
			"S3_BUCKET_PUBLIC_WRITE_PROHIBITED", nil,
			map[string]string{"drop-box": NonCompliant, "org-only": Compliant, "public-site": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html",
			"S3_BUCKET_SSL_REQUESTS_ONLY", nil,
			// drop-box denies plain HTTP on its objects only, not on the bucket.
			map[string]string{"org-only": Compliant, "drop-box": NonCompliant, "public-site": NonCompliant}},
	} {
		got := verdicts(t, in, c.id, c.params)
		for name, want := range c.want {
			if got[name].Compliance != want {
				t.Errorf("%s %v on %s = %s (%s), want %s (%s)", c.id, c.params, name, got[name].Compliance, got[name].Annotation, want, c.page)
			}
		}
	}
}

// fakeCreds is a credential report for the credential rules.
type fakeCreds map[string]CredentialEntry

func (f fakeCreds) Root(id string) CredentialEntry { return f["root:"+id] }
func (f fakeCreds) User(arn string) CredentialEntry {
	return f[arn]
}

func TestCredentialRules(t *testing.T) {
	t.Parallel()
	o := loadTestOrg(t)
	direct := "arn:aws:iam::222222222222:user/direct"
	grouped := "arn:aws:iam::222222222222:user/grouped"
	old, recent := now.AddDate(0, 0, -120), now.AddDate(0, 0, -10)
	creds := fakeCreds{
		"root:111111111111": {PasswordEnabled: true, MFAActive: true},
		"root:222222222222": {PasswordEnabled: true, AccessKeys: []AccessKey{{ID: "AKIAROOT", Active: true, Created: recent}}},
		direct:              {PasswordEnabled: true, PasswordCreated: old, PasswordLastUsed: old, AccessKeys: []AccessKey{{ID: "AKIAOLD", Active: true, Created: old, LastUsed: recent}}},
		grouped:             {PasswordEnabled: true, MFAActive: true, PasswordCreated: old, PasswordLastUsed: recent, AccessKeys: []AccessKey{{ID: "AKIANEW", Active: true, Created: recent, LastUsed: recent}, {ID: "AKIAGONE", Active: false, Created: old}}},
	}
	in := &Input{Org: o, Credentials: creds, Now: now}
	for _, c := range []struct {
		page, id string
		want     map[string]string
	}{
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-root-access-key-check.html", "IAM_ROOT_ACCESS_KEY_CHECK",
			map[string]string{"App": NonCompliant, "Mgmt": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/root-account-mfa-enabled.html", "ROOT_ACCOUNT_MFA_ENABLED",
			map[string]string{"App": NonCompliant, "Mgmt": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/mfa-enabled-for-iam-console-access.html", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
			map[string]string{"direct": NonCompliant, "grouped": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/iam-user-unused-credentials-check.html", "IAM_USER_UNUSED_CREDENTIALS_CHECK",
			map[string]string{"direct": NonCompliant, "grouped": Compliant}},
		{"https://docs.aws.amazon.com/config/latest/developerguide/access-keys-rotated.html", "ACCESS_KEYS_ROTATED",
			map[string]string{"direct": NonCompliant, "grouped": Compliant}},
	} {
		got := verdicts(t, in, c.id, nil)
		for name, want := range c.want {
			if got[name].Compliance != want {
				t.Errorf("%s on %s = %s (%s), want %s (%s)", c.id, name, got[name].Compliance, got[name].Annotation, want, c.page)
			}
		}
	}
	// An org file holds no credentials: root users cannot sign in and have
	// no keys; users have none.
	off := &Input{Org: o, Now: now}
	if got := verdicts(t, off, "ROOT_ACCOUNT_MFA_ENABLED", nil)["App"]; got.Compliance != Compliant {
		t.Errorf("offline root MFA = %s, want COMPLIANT (no credentials)", got.Compliance)
	}
	if got := verdicts(t, off, "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", nil)["direct"]; got.Compliance != NotApplicable {
		t.Errorf("offline console MFA = %s, want NOT_APPLICABLE (no password)", got.Compliance)
	}
}

func TestTrailRules(t *testing.T) {
	t.Parallel()
	o := loadTestOrg(t)
	for _, c := range []struct {
		name  string
		trail Trail
		want  map[string]string // rule -> compliance in account App
	}{
		{"Warden's organization trail", WardenTrail("111111111111", true), map[string]string{
			"CLOUD_TRAIL_ENABLED": Compliant, "MULTI_REGION_CLOUD_TRAIL_ENABLED": Compliant, "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED": Compliant}},
		{"stopped", WardenTrail("111111111111", false), map[string]string{
			"CLOUD_TRAIL_ENABLED": NonCompliant, "MULTI_REGION_CLOUD_TRAIL_ENABLED": NonCompliant}},
		{"an account trail of another account", Trail{Name: "t", HomeAccount: "111111111111", Logging: true, MultiRegion: true, LogFileValidation: true}, map[string]string{
			"CLOUD_TRAIL_ENABLED": NonCompliant}},
		{"one region, no validation", Trail{Name: "t", Organization: true, Logging: true}, map[string]string{
			"CLOUD_TRAIL_ENABLED": Compliant, "MULTI_REGION_CLOUD_TRAIL_ENABLED": NonCompliant, "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED": NonCompliant}},
	} {
		in := &Input{Org: o, Trail: c.trail, Now: now}
		for id, want := range c.want {
			if got := verdicts(t, in, id, nil)["App"]; got.Compliance != want {
				t.Errorf("%s: %s = %s (%s), want %s", c.name, id, got.Compliance, got.Annotation, want)
			}
		}
	}
}

func TestParams(t *testing.T) {
	t.Parallel()
	m, _ := Managed("IAM_ROLE_MANAGED_POLICY_CHECK")
	if _, err := m.New("", nil); err == nil || !strings.Contains(err.Error(), "managedPolicyArns is required") {
		t.Errorf("missing required parameter: err = %v", err)
	}
	if _, err := m.New("", map[string]string{"managedPolicyArns": "x", "bogus": "1"}); err == nil || !strings.Contains(err.Error(), "unknown parameter bogus") {
		t.Errorf("unknown parameter: err = %v", err)
	}
	a, _ := Managed("IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS")
	if _, err := a.New("", map[string]string{"excludePermissionBoundaryPolicy": "maybe"}); err == nil {
		t.Error("a non-boolean excludePermissionBoundaryPolicy was accepted")
	}
	r, err := a.New("my-admin-rule", nil)
	if err != nil || r.Name != "my-admin-rule" || r.Params["excludePermissionBoundaryPolicy"] != "false" {
		t.Errorf("named rule with defaults: %+v, %v", r, err)
	}
}
