package sts_test

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/server/servertest"
)

const (
	samlAccount  = "327491058362" // SharedServices
	samlRoleARN  = "arn:aws:iam::" + samlAccount + ":role/OktaDeveloper"
	samlProvARN  = "arn:aws:iam::" + samlAccount + ":saml-provider/Okta"
	samlTrustDoc = `{"Version": "2012-10-17", "Statement": [{
		"Effect": "Allow", "Principal": {"Federated": "` + samlProvARN + `"},
		"Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
		"Condition": {
			"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"},
			"StringLike": {"saml:edupersonprincipalname": "*@securecart.example"},
			"ForAnyValue:StringEquals": {"saml:edupersonaffiliation": "engineering"}}}]}`
)

// samlSetup starts a server and an IdP, and configures them as an
// administrator of the SharedServices account does with the IAM API: a
// SAML provider from the IdP's metadata and a role that trusts it. alice
// (securecart.example) may use the role; eve (contractor.example) is not
// allowed by the trust policy.
func samlSetup(t *testing.T) (*servertest.Harness, *servertest.SAMLIdP, *recorder) {
	t.Helper()
	rec := &recorder{}
	h := servertest.Start(t, servertest.Options{Audit: rec})
	idp := servertest.NewSAMLIdP(t)
	for _, u := range []struct{ name, email string }{{"Alice Martin", "alice@securecart.example"}, {"Eve Contractor", "eve@contractor.example"}} {
		idp.AddUser(t, u.name, u.email, "correct horse", samlAttrs(u.email))
	}
	ctx := servertest.Ctx(t)
	cr := assumeOAAR(t, h, samlAccount)
	adm := iam.NewFromConfig(h.Config(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	md := idp.Metadata(t)
	out, err := adm.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(md),
		Tags: []iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("Security")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SAMLProviderArn) != samlProvARN {
		t.Fatalf("CreateSAMLProvider ARN %s", aws.ToString(out.SAMLProviderArn))
	}
	if _, err := adm.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("OktaDeveloper"), AssumeRolePolicyDocument: aws.String(samlTrustDoc)}); err != nil {
		t.Fatal(err)
	}
	// The role's permissions use the session's saml: keys.
	if _, err := adm.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("OktaDeveloper"), PolicyName: aws.String("ByPerson"),
		PolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*", "Condition": {"StringEquals": {"saml:sub": "alice@securecart.example", "saml:sub_type": "persistent"}}},
			{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*", "Condition": {"StringEquals": {"saml:sub": "bob@securecart.example"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	return h, idp, rec
}

// samlAttrs are the AWS attributes of a person's assertions: the role pair,
// the session name, a session tag and its transitivity.
func samlAttrs(email string) map[string][]string {
	return map[string][]string{
		"https://aws.amazon.com/SAML/Attributes/Role":                    {samlRoleARN + "," + samlProvARN},
		"https://aws.amazon.com/SAML/Attributes/RoleSessionName":         {email},
		"https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter": {"4711"},
		"https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys":       {"CostCenter"},
	}
}

// The reference for the checks below:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
// and https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html.
func TestAssumeRoleWithSAML(t *testing.T) {
	h, idp, rec := samlSetup(t)
	ctx := servertest.Ctx(t)
	c := anonymous(h)
	assertion := idp.SignIn(t, "alice", "correct horse")
	out, err := c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN),
		PrincipalArn: aws.String(samlProvARN), SAMLAssertion: aws.String(assertion), DurationSeconds: aws.Int32(1800)})
	if err != nil {
		t.Fatal(err)
	}
	issuer := idp.Srv.URL + "/metadata"
	sum := sha1.Sum([]byte(issuer + samlAccount + "/Okta"))
	nq := base64.StdEncoding.EncodeToString(sum[:])
	if aws.ToString(out.Subject) != "alice@securecart.example" || aws.ToString(out.SubjectType) != "persistent" ||
		aws.ToString(out.Issuer) != issuer || aws.ToString(out.Audience) != "https://signin.aws.amazon.com/saml" ||
		aws.ToString(out.NameQualifier) != nq {
		t.Errorf("result: subject %q (%q), issuer %q, audience %q, name qualifier %q; want alice, persistent, %s, the sign-in URL, %s",
			aws.ToString(out.Subject), aws.ToString(out.SubjectType), aws.ToString(out.Issuer), aws.ToString(out.Audience), aws.ToString(out.NameQualifier), issuer, nq)
	}
	session := "arn:aws:sts::" + samlAccount + ":assumed-role/OktaDeveloper/alice@securecart.example"
	if aws.ToString(out.AssumedRoleUser.Arn) != session {
		t.Errorf("AssumedRoleUser %s, want %s", aws.ToString(out.AssumedRoleUser.Arn), session)
	}
	if got := out.Credentials.Expiration.Sub(h.Clock.Now()); got != 30*time.Minute {
		t.Errorf("session lasts %v, want the 30 minutes asked for", got)
	}
	id, err := client(h, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != session {
		t.Errorf("the SAML session: %v %v", id, err)
	}
	// The session's requests carry the saml: keys (Alice's subject).
	ic := iam.NewFromConfig(h.Config(aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)))
	if _, err := ic.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles, allowed for saml:sub alice: %v", err)
	}
	if _, err := ic.ListUsers(ctx, &iam.ListUsersInput{}); err == nil || apiCode(t, err) != "AccessDenied" {
		t.Errorf("ListUsers, allowed only for saml:sub bob: %v", err)
	}
	// CloudTrail's record: a SAMLUser named by the NameQualifier and the
	// subject, with the session tags.
	r := rec.find(t, "AssumeRoleWithSAML", "")
	u := r.UserIdentity
	if u.Type != "SAMLUser" || u.IdentityProvider != nq || u.UserName != "alice@securecart.example" ||
		u.PrincipalID != nq+":alice@securecart.example" || r.RecipientAccountID != samlAccount {
		t.Errorf("userIdentity %+v in account %s", u, r.RecipientAccountID)
	}
	if b, _ := json.Marshal(r.RequestParameters); !strings.Contains(string(b), `"principalTags":{"CostCenter":"4711"}`) {
		t.Errorf("requestParameters %s: want the CostCenter session tag", b)
	}

	// An assertion is accepted once.
	_, err = c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN),
		PrincipalArn: aws.String(samlProvARN), SAMLAssertion: aws.String(assertion)})
	if err == nil || apiCode(t, err) != "InvalidIdentityToken" || !strings.Contains(err.Error(), "already been used") {
		t.Errorf("replayed assertion: %v", err)
	}
	// A person the trust policy does not allow.
	_, err = c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN),
		PrincipalArn: aws.String(samlProvARN), SAMLAssertion: aws.String(idp.SignIn(t, "eve", "correct horse"))})
	if err == nil || apiCode(t, err) != "AccessDenied" {
		t.Errorf("eve: %v, want AccessDenied", err)
	}
	// An expired assertion.
	late := idp.SignIn(t, "alice", "correct horse")
	h.Clock.Advance(10 * time.Minute)
	_, err = c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN),
		PrincipalArn: aws.String(samlProvARN), SAMLAssertion: aws.String(late)})
	if err == nil || apiCode(t, err) != "ExpiredTokenException" {
		t.Errorf("expired assertion: %v, want ExpiredTokenException", err)
	}
	// Refused assertions are recorded with whose they were: the provider
	// named and the subject the assertion states, verified or not.
	for _, want := range []struct{ code, provider, subject string }{
		{"AccessDenied", nq, "eve@contractor.example"},
		{"ExpiredTokenException", samlProvARN, "alice@securecart.example"},
	} {
		r := rec.find(t, "AssumeRoleWithSAML", want.code)
		if u := r.UserIdentity; u.Type != "SAMLUser" || u.IdentityProvider != want.provider || u.UserName != want.subject ||
			u.PrincipalID != want.provider+":"+want.subject || r.RecipientAccountID != samlAccount {
			t.Errorf("record of the %s call: userIdentity %+v in account %s; want a SAMLUser of %s, subject %s", want.code, u, r.RecipientAccountID, want.provider, want.subject)
		}
	}
}
