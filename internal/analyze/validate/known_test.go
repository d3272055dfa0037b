package validate

import (
	"os"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/policy"
)

// TestAWSCLIExample checks the findings and spans of the aws CLI's own
// validate-policy example (awscli/examples/accessanalyzer/validate-policy.rst):
// a Cognito trust policy sent as a RESOURCE_POLICY, for which AWS reports an
// empty Sid, sts:AssumeRole with a federated principal, and sts:TagSession
// with a key it does not support.
func TestAWSCLIExample(t *testing.T) {
	src, err := os.ReadFile("testdata/cli-example-trust.json")
	if err != nil {
		t.Fatal(err)
	}
	opt, err := OptionsFromAPI("RESOURCE_POLICY", "")
	if err != nil {
		t.Fatal(err)
	}
	got := Validate(src, opt)
	want := []struct {
		code, typ string
		spans     []Span
	}{
		{"EMPTY_SID_VALUE", Suggestion, []Span{{Position{5, 19, 79}, Position{5, 21, 81}}}},
		{"MISMATCHED_ACTION_FOR_PRINCIPAL", Error, []Span{{Position{11, 16, 258}, Position{11, 32, 274}}, {Position{8, 29, 170}, Position{8, 61, 202}}}},
		{"UNSUPPORTED_ACTION_FOR_CONDITION_KEY", Error, []Span{{Position{12, 16, 292}, Position{12, 32, 308}}, {Position{16, 58, 443}, Position{16, 77, 462}}}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings %v, want %d", len(got), codes(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.IssueCode != w.code || g.FindingType != w.typ {
			t.Errorf("finding %d: %s %s, want %s %s", i, g.FindingType, g.IssueCode, w.typ, w.code)
			continue
		}
		if len(g.Locations) != len(w.spans) {
			t.Errorf("%s: %d locations, want %d", w.code, len(g.Locations), len(w.spans))
			continue
		}
		for j, s := range w.spans {
			if g.Locations[j].Span != s {
				t.Errorf("%s location %d: span %+v, want %+v", w.code, j, g.Locations[j].Span, s)
			}
		}
	}
	// The paths AWS gives for the mismatched action: the action, then the
	// federated principal.
	if p := got[1].Locations[1].String(); p != "Statement[0].Principal.Federated" {
		t.Errorf("principal path %q", p)
	}
	if p := got[2].Locations[1].String(); p != "Statement[0].Condition.StringEquals.cognito-identity.amazonaws.com:aud" {
		t.Errorf("condition path %q", p)
	}
}

// TestMisspelledAction is the case from the issue: s3:GetObjekt in an
// identity policy is an error, with a suggestion.
func TestMisspelledAction(t *testing.T) {
	fs := Validate([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}}`), Options{Type: policy.Identity})
	if len(fs) != 1 || fs[0].IssueCode != "INVALID_ACTION" || fs[0].FindingType != Error {
		t.Fatalf("findings %+v", fs)
	}
	if want := "The action s3:GetObjekt does not exist. Did you mean s3:GetObject?"; fs[0].FindingDetails != want {
		t.Errorf("details %q, want %q", fs[0].FindingDetails, want)
	}
	if p := fs[0].Locations[0].String(); p != "Statement.Action" {
		t.Errorf("path %q", p)
	}
}

func TestOptionsFromAPI(t *testing.T) {
	for _, c := range []struct {
		pt, rt string
		want   policy.Type
		ok     bool
	}{
		{"IDENTITY_POLICY", "", policy.Identity, true},
		{"RESOURCE_POLICY", "AWS::S3::Bucket", policy.Resource, true},
		{"RESOURCE_POLICY", "AWS::IAM::AssumeRolePolicyDocument", policy.Trust, true},
		{"SERVICE_CONTROL_POLICY", "", policy.SCP, true},
		{"RESOURCE_CONTROL_POLICY", "", policy.RCP, true},
		{"IDENTITY_POLICY", "AWS::S3::Bucket", 0, false},
		{"RESOURCE_POLICY", "AWS::SQS::Queue", 0, false},
		{"BOUNDARY", "", 0, false},
	} {
		o, err := OptionsFromAPI(c.pt, c.rt)
		if (err == nil) != c.ok || c.ok && o.Type != c.want {
			t.Errorf("%s %s: %+v, %v", c.pt, c.rt, o, err)
		}
	}
}

func TestGlobSubset(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"iam:getcredentialreport", "iam:get*", true},
		{"iam:*credentialreport", "iam:get*", false},
		{"?*", "*?", true},
		{"*?", "?*", true},
		{"a*b*c", "a*c", true},
		{"a*c", "a*b*c", false},
		{"s3:get?bject", "s3:get*", true},
		{"s3:get*", "s3:get?bject", false},
		{"ab", "a?", true},
		{"a?", "ab", false},
		{"*", "*", true},
		{"x*", "*", true},
	} {
		if got := globSubset(c.a, c.b); got != c.want {
			t.Errorf("globSubset(%q, %q) = %v", c.a, c.b, got)
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"bucket/*", "?*/?*", true},
		{"stack/name", "stack/?*/?*", false},
		{"a*", "*b", true},
		{"ab*", "ac*", false},
	} {
		if got := globIntersect(c.a, c.b); got != c.want {
			t.Errorf("globIntersect(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

// TestGlobAgainstEnumeration checks globSubset and globIntersect on every
// pair of patterns of up to four symbols over {a, b, *, ?} against an
// enumeration of the strings over {a, b, c} up to length 7 (longer strings
// add nothing: a counterexample to either answer exists within the patterns'
// lengths plus one character per *).
func TestGlobAgainstEnumeration(t *testing.T) {
	var patterns []string
	var gen func(p string)
	gen = func(p string) {
		if p != "" {
			patterns = append(patterns, p)
		}
		if len(p) == 4 {
			return
		}
		for _, c := range "ab*?" {
			gen(p + string(c))
		}
	}
	gen("")
	var strs []string
	var genS func(s string)
	genS = func(s string) {
		strs = append(strs, s)
		if len(s) == 7 {
			return
		}
		for _, c := range "abc" {
			genS(s + string(c))
		}
	}
	genS("")
	match := make([][]bool, len(patterns))
	for i, p := range patterns {
		match[i] = make([]bool, len(strs))
		for j, s := range strs {
			match[i][j] = globMatch(p, s)
		}
	}
	for i, a := range patterns {
		for j, b := range patterns {
			subset, meet := true, false
			for k := range strs {
				if match[i][k] && !match[j][k] {
					subset = false
				}
				if match[i][k] && match[j][k] {
					meet = true
				}
			}
			if got := globSubset(a, b); got != subset {
				t.Errorf("globSubset(%q, %q) = %v, enumeration says %v", a, b, got, subset)
			}
			if got := globIntersect(a, b); got != meet {
				t.Errorf("globIntersect(%q, %q) = %v, enumeration says %v", a, b, got, meet)
			}
		}
	}
}

// TestRedundantStatementForms: statements that say the same thing in
// different JSON forms are redundant; a different condition value is not.
func TestRedundantStatementForms(t *testing.T) {
	doc := func(second string) []byte {
		return []byte(`{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:Get*"],"Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}},` + second + `]}`)
	}
	same := `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:Get*","Resource":["arn:aws:s3:::b/*"],"Condition":{"StringEquals":{"aws:principalorgid":["o-abc"]}}}`
	other := `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:Get*","Resource":["arn:aws:s3:::b/*"],"Condition":{"StringEquals":{"aws:principalorgid":["o-xyz"]}}}`
	opt := Options{Type: policy.Resource}
	if !has(Validate(doc(same), opt), "REDUNDANT_STATEMENT") {
		t.Errorf("same statement in other forms: no REDUNDANT_STATEMENT in %v", codes(Validate(doc(same), opt)))
	}
	if has(Validate(doc(other), opt), "REDUNDANT_STATEMENT") {
		t.Errorf("a different organization is not redundant")
	}
}

// TestCharacterPositions: columns and offsets count characters, not bytes,
// as AWS's do.
func TestCharacterPositions(t *testing.T) {
	src := []byte("{\"Version\":\"2012-10-17\",\"Id\":\"é\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjekt\",\"Resource\":\"*\"}}")
	fs := Validate(src, Options{})
	if len(fs) != 1 {
		t.Fatalf("findings %v", codes(fs))
	}
	want := strings.Index(string(src), `"s3:GetObjekt"`) - 1 // é is two bytes, one character
	if s := fs[0].Locations[0].Span.Start; s.Offset != want || s.Column != want || s.Line != 1 {
		t.Errorf("start %+v, want offset and column %d", s, want)
	}
}

// TestCharacterPositionsAcrossLines: a finding's offset counts the
// characters of the lines before it, its column those of its own line.
func TestCharacterPositionsAcrossLines(t *testing.T) {
	src := []byte("{\"Version\":\"2012-10-17\",\"Id\":\"éé\",\n \"Statement\":{\"Effect\":\"Allow\",\n  \"Action\":\"s3:GetObjekt\",\"Resource\":\"*\"}}")
	fs := Validate(src, Options{})
	if len(fs) != 1 {
		t.Fatalf("findings %v", codes(fs))
	}
	at := strings.Index(string(src), `"s3:GetObjekt"`)
	wantOffset := at - 2 // two é of two bytes each, one character each
	wantColumn := at - (strings.LastIndex(string(src[:at]), "\n") + 1)
	if s := fs[0].Locations[0].Span.Start; s.Offset != wantOffset || s.Column != wantColumn || s.Line != 3 {
		t.Errorf("start %+v, want line 3, column %d, offset %d", s, wantColumn, wantOffset)
	}
}

// TestPassRoleOnlyWhereItGrants: FullAWSAccess as an SCP or a VPC endpoint
// policy's "Allow * on *" grants nothing, so the iam:PassRole and
// service-linked role warnings, which are about what an identity may do,
// do not apply.
func TestPassRoleOnlyWhereItGrants(t *testing.T) {
	full := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	for _, typ := range []policy.Type{policy.SCP, policy.Endpoint} {
		for _, f := range Validate(full, Options{Type: typ}) {
			if strings.HasPrefix(f.IssueCode, "PASS_ROLE") || strings.HasPrefix(f.IssueCode, "CREATE_SLR") {
				t.Errorf("%s: %s", typ, f.IssueCode)
			}
		}
	}
	if !has(Validate(full, Options{Type: policy.Identity}), "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE") {
		t.Error("identity policy: no PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE")
	}
}
