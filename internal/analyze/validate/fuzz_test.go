package validate

import (
	"testing"

	"github.com/securecart/warden/internal/policy"
)

// FuzzValidate checks that any input validates without a panic and that
// every location lies inside the document, its span in order.
func FuzzValidate(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::b/${aws:username}"}]}`,
		`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["*",1]},"NotAction":[],"Condition":{"ForAllValues:Null":{"aws:X":[true,"a"]}}}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"token.actions.githubusercontent.com"},"Action":"sts:AssumeRole"}]}`,
		`[1,2`, `"é"`, `{"Statement":[{"Sid":"é ü","Effect":"Allow","Action":"*","Resource":"arn:aws:iam::*:role/*"}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n := len([]rune(string(src)))
		for typ := policy.Identity; typ <= policy.Endpoint; typ++ {
			for _, fd := range Validate(src, Options{Type: typ}) {
				if catalog[fd.IssueCode].anchor == "" || fd.FindingDetails == "" {
					t.Fatalf("finding without catalog entry or details: %+v", fd)
				}
				for _, l := range fd.Locations {
					s, e := l.Span.Start, l.Span.End
					if s.Offset < 0 || e.Offset < s.Offset || e.Offset > n || s.Line < 1 || e.Line < s.Line {
						t.Fatalf("%s: span %+v outside a document of %d characters", fd.IssueCode, l.Span, n)
					}
				}
			}
		}
	})
}
