package organizations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/state"
)

// derivedPolicyID is the ID the org loader gives an SCP or RCP: p- and the
// first 8 hex digits of SHA-256 over the organization ID, the format type
// and the name, joined by slashes. CreatePolicy needs it before the policy
// exists, to authorize the call on the new policy's ARN.
func derivedPolicyID(orgID, formatType, name string) string {
	sum := sha256.Sum256([]byte(orgID + "/" + formatType + "/" + name))
	return "p-" + hex.EncodeToString(sum[:])[:8]
}

// newPolicyARN is the ARN a policy of the type and name gets.
func (v view) newPolicyARN(t, name string) string {
	if t == typeSCP && name == fullAWSAccess {
		return fullAWSAccessARN
	}
	if t == typeRCP && name == rcpFullAWSAccess {
		return rcpFullAWSAccessARN
	}
	return "arn:aws:organizations::" + v.mgmt() + ":policy/" + v.o.ID + "/" + arnKind[t] + "/" + derivedPolicyID(v.o.ID, formatType[t], name)
}

// allowPolicy authorizes a policy operation on the policy's ARN, or on
// "*" for a policy ID the org does not have (whose type, and so ARN, is
// unknown), then requires the management account.
func (a *access) allowPolicy(ctx context.Context, id string, more ...string) (pol, bool, error) {
	p, ok := a.policy(id)
	if !ok && a.again(ctx) {
		p, ok = a.policy(id)
	}
	res, t := "*", ""
	if ok {
		res, t = p.ARN, p.Type
	}
	if err := a.allow(ctx, append([]string{res}, more...), policyContext(t), false); err != nil {
		return pol{}, false, err
	}
	return p, ok, nil
}

// checkContent checks a policy document as AWS does when it stores one: at
// most 5120 characters, and valid for its type (SCP or RCP grammar).
func checkContent(t, name, content string) error {
	if content == "" {
		return inputRequired("Content")
	}
	if utf8.RuneCountInString(content) > maxPolicyContent {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than the maximum size: %d characters.", maxPolicyContent)
	}
	if err := storable("Content", content); err != nil {
		return err
	}
	pt := policy.SCP
	if t == typeRCP {
		pt = policy.RCP
	}
	if _, err := policy.ParseAndCompile([]byte(content), name, pt, name); err != nil {
		return awsproto.Errorf("MalformedPolicyDocumentException", "The provided policy document does not meet the requirements of the specified policy type: %v", err)
	}
	return nil
}

// checkPolicyName checks a policy's name and description.
func checkPolicyName(name *string, description *string) error {
	if name != nil {
		if err := length("Name", *name, 1, maxNamePolicy); err != nil {
			return err
		}
		if err := storable("Name", *name); err != nil {
			return err
		}
	}
	if description != nil {
		if err := length("Description", *description, 0, maxDescription); err != nil {
			return err
		}
		if err := storable("Description", *description); err != nil {
			return err
		}
	}
	return nil
}

// immutable refuses changes to AWS managed policies.
func immutable(p pol) error {
	if p.AWSManaged {
		return invalidInput("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified: %s.", p.Name)
	}
	return nil
}

// describe shows a policy with its document.
func describe(p pol, d *state.Doc) Policy {
	out := Policy{PolicySummary: p.summary()}
	switch {
	case p.p == nil:
		out.Content = rcpFullAWSAccessContent
	default:
		if def := d.Org.Policy(p.p.Type, p.Name); def != nil {
			out.Content = content(def, d.Org)
		}
	}
	return out
}

// trailPolicy is how CloudTrail records a policy in responseElements.
func trailPolicy(p Policy) any {
	type body struct {
		PolicySummary PolicySummary `json:"policySummary"`
		Content       string        `json:"content"`
	}
	return struct {
		Policy body `json:"policy"`
	}{body{p.PolicySummary, p.Content}}
}

// policyResources are the trail's resources of a policy operation.
func policyResources(p pol, mgmt string) []api.Resource {
	return []api.Resource{{ARN: p.ARN, Type: "AWS::Organizations::Policy", Account: mgmt}}
}
