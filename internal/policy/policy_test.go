package policy

import (
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"syntax", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}", "4:1: /Statement/0: malformed JSON"},
		{"unknown top element", `{"Version":"2012-10-17","Statment":[]}`, `1:25: /Statment: unknown policy element "Statment"`},
		{"case of element", `{"version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `did you mean "Version"? element names are case-sensitive`},
		{"bad version", `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, `1:12: /Version: unknown Version "2012-10-18"`},
		{"effect case", `{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"*","Resource":"*"}}`, `/Statement/Effect: unknown Effect "allow"`},
		{"no effect", `{"Version":"2012-10-17","Statement":[{"Action":"*","Resource":"*"}]}`, `/Statement/0: the statement has no Effect`},
		{"action type", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":5,"Resource":"*"}]}`, `/Statement/0/Action: Action must be a string or an array of strings, not a number`},
		{"action item", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*",true],"Resource":"*"}]}`, `/Statement/0/Action/1: Action must be a string or an array of strings; found a boolean`},
		{"malformed action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, `malformed action "GetObject"`},
		{"both", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}`, `cannot have both Action and NotAction`},
		{"duplicate key", `{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}`, `duplicate`},
		{"principal type", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"aws":"*"},"Action":"*","Resource":"*"}]}`, `unknown principal type "aws"`},
		{"condition value", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k:x":{"a":1}}}}]}`, `/Statement/0/Condition/StringEquals/k:x: a condition value must be`},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, `Statement must not be empty`},
		{"trailing", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} x`, `malformed JSON`},
		{"not object", `[1]`, `a policy document must be a JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "p.json")
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "p.json:") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ cond, want string }{
		{`{"StringEqualz":{"aws:x":"y"}}`, `unknown condition operator "StringEqualz"`},
		{`{"NumericLessThan":{"s3:max-keys":"ten"}}`, `"ten" is not a number`},
		{`{"DateLessThan":{"aws:CurrentTime":"yesterday"}}`, `"yesterday" is not a date`},
		{`{"Bool":{"aws:SecureTransport":"yes"}}`, `"yes" is not a boolean`},
		{`{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}`, `is not an IP address`},
		{`{"NullIfExists":{"aws:x":"true"}}`, `Null takes neither IfExists`},
		{`{"ForSomeValues:StringEquals":{"aws:x":"y"}}`, `unknown set qualifier "ForSomeValues"`},
		{`{"BinaryEquals":{"k:x":"not base64!"}}`, `is not base64`},
		{`{"StringEquals":{"aws:x":"${aws:username"}}`, `unterminated policy variable`},
	}
	for _, tt := range tests {
		src := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + tt.cond + `}]}`
		_, err := ParseAndCompile([]byte(src), "c.json", Identity, "c")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.cond, err, tt.want)
		}
	}
}

// Each policy type's grammar: which elements it allows, requires or forbids.
func TestCheckGrammar(t *testing.T) {
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	tests := []struct {
		typ  Type
		src  string
		want string // "" for valid
	}{
		{Identity, stmt(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), ""},
		{Identity, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`), "Principal is not allowed in identity policies"},
		{Identity, stmt(`{"Effect":"Allow","Action":"s3:*"}`), "no Resource or NotResource"},
		{Identity, stmt(`{"Effect":"Allow","Resource":"*"}`), "no Action or NotAction"},
		{Boundary, stmt(`{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"*","Resource":"*"}`), "NotPrincipal is not allowed in boundary policies"},
		{Session, stmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`), ""},
		{Resource, stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), ""},
		{Resource, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "must have a Principal"},
		{Resource, stmt(`{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"s3:GetObject","Resource":"*"}`), `a principal must be "*" or an object`},
		{Trust, stmt(`{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}`), ""},
		{Trust, stmt(`{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}`), "Resource is not allowed in a role trust policy"},
		{Trust, stmt(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject"}`), "only sts: actions"},
		{SCP, stmt(`{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}`), ""},
		{SCP, `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, `SCP policies must have "Version": "2012-10-17"`},
		{RCP, stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), ""},
		{RCP, stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), ""},
		{RCP, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`), "an RCP may Allow only"},
		{RCP, stmt(`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}`), `must have "Principal": "*"`},
		{RCP, stmt(`{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}`), "NotAction is not allowed in RCPs"},
		{Endpoint, stmt(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), ""},
		{Identity, stmt(`{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}`), `duplicate Sid "A"`},
		// IAM: "Resource must be in ARN format or "*"" (reference_policies_elements_resource.html).
		{Identity, stmt(`{"Effect":"Allow","Action":"s3:*","Resource":"my-bucket"}`), `resource "my-bucket" is not an ARN`},
		{Identity, stmt(`{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::b/*","b"]}`), `resource "b" is not an ARN`},
		// "You cannot use a wildcard to match part of a principal name or ARN"
		// (reference_policies_elements_principal.html).
		{Resource, stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"s3:GetObject","Resource":"*"}`), `principal "arn:aws:iam::111122223333:role/*" has a wildcard`},
		{Trust, stmt(`{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"sts:AssumeRole"}`), `principal "*.amazonaws.com" has a wildcard`},
		{Trust, stmt(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/a"},"Action":"sts:AssumeRole"}`), "NotPrincipal is not allowed in a role trust policy"},
		{Resource, stmt(`{"Effect":"Allow","Principal":{"AWS":["*","111122223333"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}`), ""},
	}
	for _, tt := range tests {
		doc, err := Parse([]byte(tt.src), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		errs := Check(doc, tt.typ, "")
		switch {
		case tt.want == "" && len(errs) > 0:
			t.Errorf("%s policy %s: unexpected error %v", tt.typ, tt.src, errs)
		case tt.want != "" && !strings.Contains(errs.Error(), tt.want):
			t.Errorf("%s policy %s: errors %q, want %q", tt.typ, tt.src, errs.Error(), tt.want)
		}
	}
}

// An SCP or RCP without its Version is reported where the document is, with
// the document's JSON path, not a bare "/Version" with no position
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html:
// every RCP must have "Version": "2012-10-17").
func TestCheckMissingVersionNamesTheDocument(t *testing.T) {
	src := []byte("{\"rcp\": [\n  {\"Statement\": {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}]}")
	start := int64(strings.Index(string(src), "{\"Statement"))
	end := int64(strings.LastIndex(string(src), "]"))
	doc, err := NewSource(src).ParseSection(start, end, "case.json", "/rcp/0")
	if err != nil {
		t.Fatal(err)
	}
	errs := Check(doc, RCP, "case.json")
	want := `case.json:2:3: /rcp/0: RCP policies must have "Version": "2012-10-17"`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("errors %v, want %s", errs, want)
	}
	doc, err = Parse([]byte(`{"Version": "2008-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}`), "scp.json")
	if err != nil {
		t.Fatal(err)
	}
	errs = Check(doc, SCP, "scp.json")
	want = `scp.json:1:13: /Version: SCP policies must have "Version": "2012-10-17"`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("errors %v, want %s", errs, want)
	}
}

func TestCheckLenientSplitsWarnings(t *testing.T) {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	errs, warnings := CheckLenient(doc, Resource, "")
	if len(errs) != 0 || len(warnings) != 1 || !strings.Contains(warnings[0].Msg, "Principal") {
		t.Errorf("errs %v, warnings %v", errs, warnings)
	}
	// What AWS rejects on storing but evaluation matches as written is a
	// warning too: a resource that is not an ARN, a wildcard principal.
	doc, err = Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/a?"},"Action":"s3:GetObject","Resource":"bucket"}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	errs, warnings = CheckLenient(doc, Resource, "")
	if len(errs) != 0 || len(warnings) != 2 {
		t.Errorf("errs %v, warnings %v", errs, warnings)
	}
}

func TestPositionsCountCharacters(t *testing.T) {
	src := "{\"Id\":\"é\",\n  \"Version\":\"2012-10-17\", \"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Sid\":5}}"
	_, err := Parse([]byte(src), "")
	if err == nil || !strings.Contains(err.Error(), "2:91: /Statement/Sid: Sid must be a string") {
		t.Errorf("error %v", err)
	}
}

func TestParseSectionPositions(t *testing.T) {
	src := []byte("{\"policies\":\n  {\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Alow\",\"Action\":\"*\",\"Resource\":\"*\"}}}")
	start := int64(strings.Index(string(src), "{\"Version"))
	end := int64(len(src) - 1)
	_, err := NewSource(src).ParseSection(start, end, "case.json", "/policies")
	if err == nil || !strings.Contains(err.Error(), `case.json:2:49: /policies/Statement/Effect: unknown Effect "Alow"`) {
		t.Errorf("error %v", err)
	}
}

func TestActionIndexAgreesWithScan(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	actions := []string{`"s3:GetObject"`, `"s3:Get*"`, `["dynamodb:PutItem","s3:ListBucket"]`, `"*"`, `"ec2:Describe*"`, `"iam:*Role*"`, `"S3:PUTOBJECT"`, `"kms:Decrypt"`, `"*:Get*"`, `"lambda:InvokeFunction"`}
	for i, a := range actions {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"Effect":"Allow","Action":` + a + `,"Resource":"*"}`)
	}
	b.WriteString(`,{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}`)
	p, err := ParseAndCompile([]byte(b.String()), "", Identity, "p")
	if err != nil {
		t.Fatal(err)
	}
	if p.byEffect[0].idx == nil {
		t.Fatal("a policy of 10 Allow statements is not indexed")
	}
	for _, name := range []string{"s3:GetObject", "s3:putobject", "s3:ListBucket", "dynamodb:PutItem", "iam:PassRole", "iam:CreateRole", "ec2:DescribeInstances", "kms:Decrypt", "kms:Encrypt", "sqs:GetQueueUrl", "lambda:invokefunction"} {
		a := NewAction(name)
		want := map[*CompiledStatement]bool{}
		for _, s := range p.Statements {
			if s.MatchesAction(&a) {
				want[s] = true
			}
		}
		got := map[*CompiledStatement]bool{}
		ca, cd := p.Candidates(&a, Allow), p.Candidates(&a, Deny)
		for _, list := range append(ca.Lists[:ca.N], cd.Lists[:cd.N]...) {
			for _, s := range list {
				if s.MatchesAction(&a) {
					if got[s] {
						t.Errorf("%s: statement %s listed twice", name, s.Src.Label())
					}
					got[s] = true
				}
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: index finds %d matching statements, a full scan %d", name, len(got), len(want))
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]}}}}`))
	f.Add([]byte(`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},"NotAction":"*","NotResource":"*"}]}`))
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := Parse(src, "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, typ := range []Type{Identity, Resource, Trust, SCP, RCP} {
			_ = Check(doc, typ, "f.json")
			if p, err := Compile(doc, typ, "f"); err == nil {
				a := NewAction("s3:GetObject")
				c := p.Candidates(&a, Allow)
				for _, list := range c.Lists[:c.N] {
					for _, s := range list {
						_ = s.MatchesAction(&a)
					}
				}
			}
		}
	})
}

// A Source answers positions in any order, counting columns in characters,
// and Offset inverts Pos.
func TestSourcePositions(t *testing.T) {
	src := []byte("ab\né€𝄞x\n\nlast")
	s := NewSource(src)
	for _, tt := range []struct {
		off       int64
		line, col int
	}{
		{12, 2, 4}, {0, 1, 1}, {3, 2, 1}, {5, 2, 2}, {8, 2, 3}, {13, 2, 5}, {2, 1, 3}, {15, 4, 1}, {18, 4, 4}, {99, 4, 5},
	} {
		if p := s.Pos(tt.off); p.Line != tt.line || p.Col != tt.col {
			t.Errorf("Pos(%d) = %d:%d, want %d:%d", tt.off, p.Line, p.Col, tt.line, tt.col)
		}
		if tt.off <= int64(len(src)) {
			if off := s.Offset(tt.line, tt.col); int64(off) != tt.off {
				t.Errorf("Offset(%d, %d) = %d, want %d", tt.line, tt.col, off, tt.off)
			}
		}
	}
	if s.Offset(9, 1) != -1 || s.Offset(1, 0) != -1 {
		t.Error("Offset of a position the source does not have is not -1")
	}
}

// Several sections of one Source each report positions in the whole file.
func TestParseSectionsOfOneSource(t *testing.T) {
	src := []byte("[\n {\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}},\n  {\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Sid\":1}}\n]")
	s := NewSource(src)
	first := strings.Index(string(src), "{\"Version")
	second := strings.LastIndex(string(src), "{\"Version")
	if _, err := s.ParseSection(int64(first), int64(strings.Index(string(src), "},\n")+1), "f.json", "/0"); err != nil {
		t.Fatalf("first section: %v", err)
	}
	_, err := s.ParseSection(int64(second), int64(len(src)-2), "f.json", "/1")
	if err == nil || !strings.Contains(err.Error(), "f.json:3:90: /1/Statement/Sid: Sid must be a string") {
		t.Errorf("second section: %v", err)
	}
}
