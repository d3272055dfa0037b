package sts_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

// tagsClaim is the https://aws.amazon.com/tags claim as a test writes it;
// PrincipalTags is any so that malformed shapes can be written too, and
// SessionTags is a member AWS does not define.
type tagsClaim struct {
	PrincipalTags     any      `json:"principal_tags,omitempty"`
	TransitiveTagKeys []string `json:"transitive_tag_keys,omitempty"`
	SessionTags       []string `json:"session_tags,omitempty"`
}

// tokenWithTags is a token of the IdP whose https://aws.amazon.com/tags
// claim is tags, written as given.
func (idp *testIdP) tokenWithTags(t *testing.T, sub string, exp time.Time, tags any) string {
	tok, err := jwt.Signed(idp.signer).Claims(jwt.Claims{Issuer: idp.srv.URL, Subject: sub, Audience: jwt.Audience{"sts.amazonaws.com"},
		IssuedAt: jwt.NewNumericDate(exp.Add(-time.Hour)), Expiry: jwt.NewNumericDate(exp)}).
		Claims(struct {
			Tags any `json:"https://aws.amazon.com/tags"`
		}{tags}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func randomText(t *testing.T, n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)[:n]
}

// Session tags from the token's https://aws.amazon.com/tags claim, as in
// "Passing session tags using AssumeRoleWithWebIdentity"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp):
// the trust policy must allow sts:TagSession and sees the tags as
// aws:RequestTag/<key> and aws:TagKeys; the session has them as
// aws:PrincipalTag/<key>; transitive keys pass along a role chain.
func TestAssumeRoleWithWebIdentitySessionTags(t *testing.T) {
	idp := newIdP(t)
	h := servertest.Start(t, servertest.Options{OIDCClient: idp.srv.Client()})
	ctx := servertest.Ctx(t)
	provider := strings.TrimPrefix(idp.srv.URL, "https://")
	provARN := "arn:aws:iam::327491058362:oidc-provider/" + provider
	assumeWeb := `{"Effect": "Allow", "Principal": {"Federated": "` + provARN + `"}, "Action": "sts:AssumeRoleWithWebIdentity",
		"Condition": {"StringEquals": {"` + provider + `:aud": "sts.amazonaws.com"}}}`
	_, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityProviders = append(d.Org.IdentityProviders, &org.ProviderDef{Type: "oidc", Name: provider,
			Accounts: []string{"SharedServices"}, ClientIDs: []string{"sts.amazonaws.com"}})
		d.Org.Roles = append(d.Org.Roles,
			&org.RoleDef{Name: "TaggedWebRole", Accounts: []string{"SharedServices"},
				Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [` + assumeWeb + `, {
					"Effect": "Allow", "Principal": {"Federated": "` + provARN + `"}, "Action": "sts:TagSession",
					"Condition": {"StringEquals": {"aws:RequestTag/Team": "payments"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["Project", "Team"]}}}]}`),
				Entity: org.Entity{InlinePolicies: map[string]org.PolicyDoc{"ABAC": org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
					"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::327491058362:role/ABACTarget",
					"Condition": {"StringEquals": {"aws:PrincipalTag/Project": "Automation"}}}]}`)}}},
			&org.RoleDef{Name: "UntaggedWebRole", Accounts: []string{"SharedServices"},
				Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [` + assumeWeb + `]}`)},
			&org.RoleDef{Name: "ABACTarget", Accounts: []string{"SharedServices"},
				Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
					"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::327491058362:root"}, "Action": "sts:AssumeRole"}]}`)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := anonymous(h)
	exp := h.Clock.Now().Add(10 * time.Minute)
	tagged := aws.String("arn:aws:iam::327491058362:role/TaggedWebRole")
	web := func(role *string, tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: role, RoleSessionName: aws.String("alice"), WebIdentityToken: aws.String(tok)})
	}
	tags := func(project, team string) tagsClaim {
		return tagsClaim{PrincipalTags: map[string][]string{"Project": {project}, "Team": {team}}, TransitiveTagKeys: []string{"Project"}}
	}
	abac := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::327491058362:role/ABACTarget"), RoleSessionName: aws.String("next")}

	// The documented claim: tags allowed by the trust policy's sts:TagSession.
	out, err := web(tagged, idp.tokenWithTags(t, "alice", exp, tags("Automation", "payments")))
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 100 {
		t.Errorf("PackedPolicySize %v, want the percentage the tags use", out.PackedPolicySize)
	}
	sc := client(h, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	// aws:PrincipalTag/Project of the session lets it assume ABACTarget.
	chained, err := sc.AssumeRole(ctx, abac)
	if err != nil {
		t.Fatalf("a later call allowed on aws:PrincipalTag/Project = Automation: %v", err)
	}
	// Project is transitive: the chained session has it and cannot replace it.
	cc := client(h, aws.ToString(chained.Credentials.AccessKeyId), aws.ToString(chained.Credentials.SecretAccessKey), aws.ToString(chained.Credentials.SessionToken))
	_, err = cc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: abac.RoleArn, RoleSessionName: aws.String("third"), Tags: []types.Tag{{Key: aws.String("Project"), Value: aws.String("Other")}}})
	if err == nil || apiCode(t, err) != "InvalidParameterValue" || !strings.Contains(err.Error(), "transitive") {
		t.Errorf("replacing the transitive tag Project down the chain: %v, want InvalidParameterValue", err)
	}

	// Twin: another Project value; the session exists but the later call's
	// aws:PrincipalTag condition does not hold.
	out, err = web(tagged, idp.tokenWithTags(t, "alice", exp, tags("Other", "payments")))
	if err != nil {
		t.Fatal(err)
	}
	sc = client(h, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	if _, err := sc.AssumeRole(ctx, abac); err == nil || apiCode(t, err) != "AccessDenied" {
		t.Errorf("aws:PrincipalTag/Project = Other: %v, want AccessDenied", err)
	}
	// Twins of the trust policy: aws:RequestTag/Team and aws:TagKeys decide
	// sts:TagSession, and a role whose trust policy does not allow
	// sts:TagSession refuses tags (and accepts the same token without them).
	untagged := aws.String("arn:aws:iam::327491058362:role/UntaggedWebRole")
	for _, tt := range []struct {
		name string
		role *string
		tags any
	}{
		{"aws:RequestTag/Team other than payments", tagged, tags("Automation", "ops")},
		{"a tag key outside aws:TagKeys", tagged, tagsClaim{PrincipalTags: map[string][]string{"Project": {"Automation"}, "Team": {"payments"}, "Env": {"prod"}}}},
		{"a trust policy without sts:TagSession", untagged, tags("Automation", "payments")},
	} {
		if _, err := web(tt.role, idp.tokenWithTags(t, "alice", exp, tt.tags)); err == nil || apiCode(t, err) != "AccessDenied" || !strings.Contains(err.Error(), "sts:TagSession") {
			t.Errorf("%s: %v, want AccessDenied for sts:TagSession", tt.name, err)
		}
	}
	if _, err := web(untagged, idp.token(t, "alice", "sts.amazonaws.com", exp)); err != nil {
		t.Errorf("the untagged role without tags: %v", err)
	}

	// Malformed claims are refused with InvalidIdentityToken, naming the fault.
	many := map[string][]string{}
	for i := 0; i < 51; i++ {
		many[fmt.Sprintf("k%d", i)] = []string{"v"}
	}
	big := map[string][]string{}
	for i := 0; i < 30; i++ { // random text does not compress; the token stays under 20000 characters
		big[randomText(t, 100)] = []string{randomText(t, 200)}
	}
	for _, tt := range []struct {
		name, code, says string
		tags             any
	}{
		{"two values for a tag", "InvalidIdentityToken", "exactly one", tagsClaim{PrincipalTags: map[string][]string{"Project": {"a", "b"}}}},
		{"a string instead of a list", "InvalidIdentityToken", "principal_tags", tagsClaim{PrincipalTags: map[string]string{"Project": "a"}}},
		{"an unknown member", "InvalidIdentityToken", "principal_tags", tagsClaim{PrincipalTags: map[string][]string{"Project": {"a"}}, SessionTags: []string{"x"}}},
		{"the claim as a list", "InvalidIdentityToken", "object", []tagsClaim{{PrincipalTags: map[string][]string{"Project": {"a"}}}}},
		{"a transitive key that is not a tag", "InvalidIdentityToken", "transitive_tag_keys[0]", tagsClaim{PrincipalTags: map[string][]string{"Project": {"a"}}, TransitiveTagKeys: []string{"Team"}}},
		{"51 tags", "InvalidIdentityToken", "at most 50", tagsClaim{PrincipalTags: many}},
		{"a 129-character key", "InvalidIdentityToken", "128", tagsClaim{PrincipalTags: map[string][]string{strings.Repeat("k", 129): {"v"}}}},
		{"a 257-character value", "InvalidIdentityToken", "256", tagsClaim{PrincipalTags: map[string][]string{"Project": {strings.Repeat("v", 257)}}}},
		{"keys differing only in case", "InvalidIdentityToken", "case insensitive", tagsClaim{PrincipalTags: map[string][]string{"Project": {"a"}, "project": {"b"}}}},
		{"a character outside the tag alphabet", "InvalidIdentityToken", "letters", tagsClaim{PrincipalTags: map[string][]string{"Project": {"a;b"}}}},
		{"tags too large once packed", "PackedPolicyTooLarge", "Packed policy consumes", tagsClaim{PrincipalTags: big}},
	} {
		_, err := web(untagged, idp.tokenWithTags(t, "alice", exp, tt.tags))
		if err == nil || apiCode(t, err) != tt.code || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v, want %s saying %q", tt.name, err, tt.code, tt.says)
		}
	}
}
