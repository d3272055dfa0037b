package validate

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/policy"
)

// checkCase is one case of testdata/checks.txt.
type checkCase struct {
	code         string
	typ          policy.Type
	resourceType string
	trigger      string
	twin         string
	line         int
}

func loadCheckCases(t *testing.T) []checkCase {
	t.Helper()
	src, err := os.ReadFile("testdata/checks.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cases []checkCase
	var cur *checkCase
	inTwin := false
	for i, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(line, "#"), strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "=== "):
			f := strings.Fields(line[4:])
			typ, err := policy.ParseType(f[1])
			if err != nil {
				t.Fatalf("checks.txt:%d: %v", i+1, err)
			}
			c := checkCase{code: f[0], typ: typ, line: i + 1}
			if len(f) > 2 {
				c.resourceType = f[2]
			}
			cases = append(cases, c)
			cur, inTwin = &cases[len(cases)-1], false
		case line == "--- twin":
			inTwin = true
		case inTwin:
			cur.twin += line + "\n"
		default:
			cur.trigger += line + "\n"
		}
	}
	return cases
}

// expand turns the shorthands of checks.txt into documents.
func expand(doc string, typ policy.Type) string {
	doc = strings.TrimSpace(doc)
	if s, ok := strings.CutPrefix(doc, "S: "); ok {
		return `{"Version":"2012-10-17","Statement":[` + s + `]}`
	}
	if strings.HasPrefix(doc, "BIG-") {
		var stmts []string
		for i := 0; len(strings.Join(stmts, ",")) < 21000; i++ {
			switch typ {
			case policy.Trust:
				stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r%d"},"Action":"sts:AssumeRole"}`, i, i))
			case policy.RCP:
				stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket%d/*"}`, i, i))
			case policy.Resource:
				stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/p%d/*"}`, i, i))
			default:
				stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket%d/*"}`, i, i))
			}
		}
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	return doc
}

// TestChecks runs each check's case: the trigger gets a finding with the
// check's issue code, finding type and AWS reference link; the twin does not.
func TestChecks(t *testing.T) {
	for _, c := range loadCheckCases(t) {
		t.Run(c.code, func(t *testing.T) {
			opt, err := NewOptions(c.typ, c.resourceType)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := catalog[c.code]
			if !ok {
				t.Fatalf("checks.txt:%d: %s is not in the catalog", c.line, c.code)
			}
			found := false
			for _, f := range Validate([]byte(expand(c.trigger, c.typ)), opt) {
				if f.IssueCode != c.code {
					continue
				}
				found = true
				if f.FindingType != want.findingType || f.LearnMoreLink != ReferencePage+"#"+want.anchor {
					t.Errorf("checks.txt:%d: %s is %s with link %s", c.line, c.code, f.FindingType, f.LearnMoreLink)
				}
				if len(f.Locations) == 0 || f.FindingDetails == "" {
					t.Errorf("checks.txt:%d: %s has no location or details: %+v", c.line, c.code, f)
				}
			}
			if !found {
				t.Errorf("checks.txt:%d: the trigger has no %s finding; it has %v", c.line, c.code, codes(Validate([]byte(expand(c.trigger, c.typ)), opt)))
			}
			for _, f := range Validate([]byte(expand(c.twin, c.typ)), opt) {
				if f.IssueCode == c.code {
					t.Errorf("checks.txt:%d: the twin has a %s finding: %s", c.line, c.code, f.FindingDetails)
				}
			}
		})
	}
}

// retired are the SCP checks that AWS Organizations' full IAM policy
// language for SCPs (September 2025) made obsolete: conditions and NotAction
// in Allow statements, resource ARNs, NotResource and wildcards anywhere in
// an action are valid SCP syntax, which Warden's engine evaluates
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html).
var retired = map[string]string{
	"SCP_SYNTAX_ERROR_ACTION_WILDCARD": `S: {"Effect":"Deny","Action":"ec2:*Instances","Resource":"*"}`,
	"SCP_SYNTAX_ERROR_ALLOW_CONDITION": `S: {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}`,
	"SCP_SYNTAX_ERROR_ALLOW_NOTACTION": `S: {"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`,
	"SCP_SYNTAX_ERROR_ALLOW_RESOURCE":  `S: {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}`,
	"SCP_SYNTAX_ERROR_NOTRESOURCE":     `S: {"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::bucket/*"}`,
}

func TestRetiredSCPChecks(t *testing.T) {
	for code, doc := range retired {
		for _, f := range Validate([]byte(expand(doc, policy.SCP)), Options{Type: policy.SCP}) {
			if f.IssueCode == code || f.FindingType == Error {
				t.Errorf("%s: %s %s: %s", code, f.FindingType, f.IssueCode, f.FindingDetails)
			}
		}
	}
}

// TestEveryCheckHasACase fails when a check of the catalog has neither a
// case in checks.txt nor a retirement note.
func TestEveryCheckHasACase(t *testing.T) {
	have := map[string]bool{}
	for _, c := range loadCheckCases(t) {
		have[c.code] = true
	}
	for code := range catalog {
		if !have[code] && retired[code] == "" {
			t.Errorf("%s has no case in testdata/checks.txt", code)
		}
	}
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.IssueCode)
	}
	return out
}
