package sts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

// The aws CLI exchanges ID tokens of a real OpenID provider (zitadel/oidc's,
// on loopback over TLS from a test CA) with `aws sts
// assume-role-with-web-identity`; the session's tags come from the token's
// https://aws.amazon.com/tags claim, as AWS documents
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp):
// principal_tags become the session's aws:PrincipalTag, the trust policy
// decides sts:TagSession on aws:RequestTag, transitive_tag_keys pass down a
// role chain. Negative twins: tags the trust policy refuses, an expired
// token, the token re-signed with alg none or HS256, another audience.
func TestAssumeRoleWithWebIdentityAWSCLIRealOP(t *testing.T) {
	op := servertest.NewOIDCOP(t)
	h := servertest.Start(t, servertest.Options{OIDCClient: op.Client})
	ctx := servertest.Ctx(t)
	tags := func(team string) map[string]any {
		return map[string]any{"https://aws.amazon.com/tags": map[string]any{
			"principal_tags": map[string][]string{"Project": {"Automation"}, "Team": {team}}, "transitive_tag_keys": []string{"Project"}}}
	}
	alice := op.AddUser(t, "alice", "alice@securecart.example", "correct horse", tags("payments"))
	bob := op.AddUser(t, "bob", "bob@securecart.example", "correct horse", tags("ops"))
	provider := strings.TrimPrefix(op.Issuer, "https://")
	provARN := "arn:aws:iam::327491058362:oidc-provider/" + provider
	if _, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityProviders = append(d.Org.IdentityProviders, &org.ProviderDef{Type: "oidc", Name: provider,
			Accounts: []string{"SharedServices"}, ClientIDs: []string{"warden-ci"}})
		d.Org.Roles = append(d.Org.Roles,
			&org.RoleDef{Name: "OIDCDeveloper", Accounts: []string{"SharedServices"},
				Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
					"Effect": "Allow", "Principal": {"Federated": "` + provARN + `"}, "Action": "sts:AssumeRoleWithWebIdentity",
					"Condition": {"StringEquals": {"` + provider + `:aud": "warden-ci"}, "ForAnyValue:StringEquals": {"` + provider + `:sub": ["` + alice + `", "` + bob + `"]}}}, {
					"Effect": "Allow", "Principal": {"Federated": "` + provARN + `"}, "Action": "sts:TagSession",
					"Condition": {"StringEquals": {"aws:RequestTag/Team": "payments"}}}]}`),
				Entity: org.Entity{InlinePolicies: map[string]org.PolicyDoc{"ABAC": org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
					"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::327491058362:role/ProjectAutomation",
					"Condition": {"StringEquals": {"aws:PrincipalTag/Project": "Automation"}}}]}`)}}},
			&org.RoleDef{Name: "ProjectAutomation", Accounts: []string{"SharedServices"},
				Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
					"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::327491058362:root"}, "Action": "sts:AssumeRole"}]}`)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cli := newAWSCLI(t, h)
	role := "arn:aws:iam::327491058362:role/OIDCDeveloper"
	web := func(token string) (string, bool) {
		return cli.run(nil, "sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "alice", "--web-identity-token", token)
	}

	tok := op.IDToken(t, "warden-ci", "ci-secret-0123456789", "alice", "correct horse")
	var res struct {
		Credentials                                     struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser                                 struct{ Arn string }
		SubjectFromWebIdentityToken, Audience, Provider string
		PackedPolicySize                                int
	}
	cli.json(nil, &res, "sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "alice", "--web-identity-token", tok)
	if res.SubjectFromWebIdentityToken != alice || res.Audience != "warden-ci" || res.PackedPolicySize < 1 ||
		res.AssumedRoleUser.Arn != "arn:aws:sts::327491058362:assumed-role/OIDCDeveloper/alice" {
		t.Errorf("assume-role-with-web-identity: %+v", res)
	}
	// aws:PrincipalTag/Project = Automation (from the claim) lets the
	// session assume ProjectAutomation; Project is transitive.
	sess := sessionEnv(res.Credentials.AccessKeyId, res.Credentials.SecretAccessKey, res.Credentials.SessionToken)
	var chained struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	cli.json(sess, &chained, "sts", "assume-role", "--role-arn", "arn:aws:iam::327491058362:role/ProjectAutomation", "--role-session-name", "next")
	out, ok := cli.run(sessionEnv(chained.Credentials.AccessKeyId, chained.Credentials.SecretAccessKey, chained.Credentials.SessionToken),
		"sts", "assume-role", "--role-arn", "arn:aws:iam::327491058362:role/ProjectAutomation", "--role-session-name", "third", "--tags", "Key=Project,Value=Other")
	if ok || !strings.Contains(out, "InvalidParameterValue") {
		t.Errorf("replacing the transitive tag Project down the chain: %s", out)
	}

	// Twins.
	bobTok := op.IDToken(t, "warden-ci", "ci-secret-0123456789", "bob", "correct horse")
	claims := servertest.Claims(t, tok)
	claims["aud"] = "another-client"
	otherAud := op.Sign(t, claims, "RS256", nil)
	for _, tt := range []struct{ name, token, want string }{
		{"Team = ops, which the trust policy's sts:TagSession refuses", bobTok, "AccessDenied"},
		{"the token re-signed with alg none", op.Sign(t, servertest.Claims(t, tok), "none", nil), "InvalidIdentityToken"},
		{"the token re-signed with HS256", op.Sign(t, servertest.Claims(t, tok), "HS256", []byte("ci-secret-0123456789")), "InvalidIdentityToken"},
		{"another audience, signed by the provider", otherAud, "InvalidIdentityToken"},
	} {
		if out, ok := web(tt.token); ok || !strings.Contains(out, tt.want) {
			t.Errorf("%s: %s, want %s", tt.name, out, tt.want)
		}
	}
	h.Clock.Advance(2 * time.Hour)
	if out, ok := web(tok); ok || !strings.Contains(out, "ExpiredTokenException") {
		t.Errorf("the token two hours later: %s, want ExpiredTokenException", out)
	}
}

// The provider rotates its signing key: STS accepts the new key's tokens
// once its key set is fetched again, at once for an unknown key ID when
// the last fetch is 30 seconds old, and not more often however many such
// tokens come.
func TestAssumeRoleWithWebIdentityKeyRotation(t *testing.T) {
	op := servertest.NewOIDCOP(t)
	h := servertest.Start(t, servertest.Options{OIDCClient: op.Client})
	ctx := servertest.Ctx(t)
	op.AddUser(t, "alice", "alice@securecart.example", "correct horse", nil)
	provider := strings.TrimPrefix(op.Issuer, "https://")
	if _, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityProviders = append(d.Org.IdentityProviders, &org.ProviderDef{Type: "oidc", Name: provider,
			Accounts: []string{"SharedServices"}, ClientIDs: []string{"warden-ci"}})
		d.Org.Roles = append(d.Org.Roles, &org.RoleDef{Name: "OIDCDeploy", Accounts: []string{"SharedServices"},
			Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
				"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::327491058362:oidc-provider/` + provider + `"},
				"Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"` + provider + `:aud": "warden-ci"}}}]}`)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := anonymous(h)
	web := func(tok string) error {
		_, err := c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::327491058362:role/OIDCDeploy"),
			RoleSessionName: aws.String("ci"), WebIdentityToken: aws.String(tok)})
		return err
	}
	if err := web(op.IDToken(t, "warden-ci", "ci-secret-0123456789", "alice", "correct horse")); err != nil {
		t.Fatal(err)
	}
	fetches := op.KeyFetches()
	op.Rotate(t, true)
	rotated := op.IDToken(t, "warden-ci", "ci-secret-0123456789", "alice", "correct horse")
	for range 3 {
		if err := web(rotated); err == nil || apiCode(t, err) != "InvalidIdentityToken" {
			t.Fatalf("the new key's token within 30 seconds of the last fetch: %v, want InvalidIdentityToken", err)
		}
	}
	if got := op.KeyFetches() - fetches; got != 0 {
		t.Errorf("the key set was fetched %d times within the rate limit", got)
	}
	h.Clock.Advance(31 * time.Second)
	if err := web(rotated); err != nil {
		t.Fatalf("the new key's token after the rate limit: %v", err)
	}
	if got := op.KeyFetches() - fetches; got != 1 {
		t.Errorf("the key set was fetched %d times, want once", got)
	}
}
