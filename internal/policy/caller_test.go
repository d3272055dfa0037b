package policy

import (
	"strings"
	"testing"
)

// A resource-based policy that names an IAM user also names the federated
// user sessions that user creates with GetFederationToken, as the role of a
// role session: the grant stays limited by the session policy
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
func TestFederatingUser(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:GetObject","Resource":"*"}]}`
	p, err := ParseAndCompile([]byte(doc), "bucket", Resource, "bucket policy")
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Statements[0].Principal
	session := func(user string) *Caller {
		c, err := ParseCaller("arn:aws:sts::111122223333:federated-user/bob-app")
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			if err := c.SetFederatingUser(user); err != nil {
				t.Fatal(err)
			}
		}
		return &c
	}
	if got := ps.Match(session("arn:aws:iam::111122223333:user/bob")); got != MatchRole {
		t.Errorf("session of bob: %v, want MatchRole", got)
	}
	if got := ps.Match(session("arn:aws:iam::111122223333:user/alice")); got != MatchNone {
		t.Errorf("session of alice: %v, want MatchNone", got)
	}
	if got := ps.Match(session("")); got != MatchNone {
		t.Errorf("session of an unknown user: %v, want MatchNone", got)
	}

	for _, tt := range []struct{ principal, user, want string }{
		{"arn:aws:sts::111122223333:federated-user/x", "arn:aws:iam::444455556666:user/bob", "not of the session's account"},
		{"arn:aws:sts::111122223333:federated-user/x", "arn:aws:iam::111122223333:role/bob", "not an IAM user ARN"},
		{"arn:aws:sts::111122223333:assumed-role/R/s", "arn:aws:iam::111122223333:user/bob", "only a federated user session"},
	} {
		c, err := ParseCaller(tt.principal)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetFederatingUser(tt.user); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SetFederatingUser(%s) on %s: %v, want an error saying %q", tt.user, tt.principal, err, tt.want)
		}
	}
}

// An Amazon Cognito identity pool's ARN names an identity of the pool: the
// federated principal cognito-identity.amazonaws.com (which a trust
// policy's Federated element names), with the pool's ID kept for the
// request's cognito-identity.amazonaws.com:aud (Amazon Cognito Developer
// Guide, "IAM roles"). A malformed pool ARN is refused.
func TestIdentityPoolCaller(t *testing.T) {
	c, err := ParseCaller("arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:11111111-2222-3333-4444-555555555555")
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != CallerWebIdentity || c.ARN != "cognito-identity.amazonaws.com" || c.IdentityPool != "us-east-1:11111111-2222-3333-4444-555555555555" || c.Account != "" {
		t.Errorf("pool caller %+v", c)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	p, err := ParseAndCompile([]byte(doc), "trust", Trust, "trust policy")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Statements[0].Principal.Match(&c); got == MatchNone {
		t.Errorf("Federated cognito-identity.amazonaws.com does not name the pool's identity")
	}
	for _, bad := range []string{
		"arn:aws:cognito-identity:us-east-1:111122223333:identitypool/eu-west-1:11111111-2222-3333-4444-555555555555", // another Region
		"arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:",
		"arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:*",
		"arn:aws:cognito-identity:us-east-1:111122223333:pool/us-east-1:11111111-2222-3333-4444-555555555555",
	} {
		if _, err := ParseCaller(bad); err == nil || !strings.Contains(err.Error(), "identitypool/REGION:GUID") {
			t.Errorf("ParseCaller(%s): %v, want an error naming the form", bad, err)
		}
	}
}
