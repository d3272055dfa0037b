package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"
	"strconv"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/state"
)

type createPolicyVersionResult struct {
	PolicyVersion PolicyVersion `xml:"PolicyVersion"`
}

// CreatePolicyVersion adds a version to a customer managed policy of the
// caller's account, as its default version when SetAsDefault is true. A
// policy has at most five versions (LimitExceeded). The caller needs
// iam:CreatePolicyVersion on the policy.
func (s *Service) CreatePolicyVersion(ctx context.Context, c *api.Call) (any, error) {
	_, _, arn, p, err := s.targetPolicy(ctx, c)
	if err != nil {
		return nil, err
	}
	doc := c.Params.Get("PolicyDocument")
	if err := checkDocument("policyDocument", doc, policy.Identity); err != nil {
		return nil, err
	}
	setDefault, err := boolParam(c, "SetAsDefault")
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"policyArn": arn, "policyDocument": doc, "setAsDefault": setDefault}
	if err := s.authorizePolicy(ctx, c, "iam:CreatePolicyVersion", arn); err != nil {
		return nil, err
	}
	if p == nil || p.AWS {
		return nil, policyNotFound(arn)
	}
	if policySize(doc) > maxManagedSize {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for PolicySize: %d", maxManagedSize)
	}
	acct := c.Identity.Account
	var out PolicyVersion
	_, err = s.mutate(ctx, func(m *model) error {
		def, err := ownPolicy(m, acct, arn, setDefault)
		if err != nil {
			return err
		}
		vs := versions(m, arn, def, s.created(ctx, m.d, arn))
		if len(vs) >= maxVersions {
			return awsproto.Errorf("LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxVersions)
		}
		next := 0
		for _, v := range vs {
			next = max(next, versionNumber(v.ID))
		}
		nv := state.PolicyVersion{ID: "v" + strconv.Itoa(next+1), Document: storedText(doc), Created: c.Now.UTC()}
		if setDefault {
			makeDefault(m, def, vs)
			nv.Default = true
			def.Document = org.TextDoc(doc)
		}
		m.d.Meta.PolicyVersions[arn] = append(vs, nv)
		out = PolicyVersion{VersionID: nv.ID, IsDefaultVersion: nv.Default, CreateDate: isoTime(nv.Created)}
		return nil
	})
	if err != nil {
		return nil, invalid(err, "MalformedPolicyDocument", "The policy cannot be used")
	}
	c.ResponseElements = call.Fields{"policyVersion": out}
	c.Resources = policyResource(arn, acct)
	return createPolicyVersionResult{PolicyVersion: out}, nil
}

// makeDefault clears the default flag of every version, first keeping the
// current default version's document (which the org holds) in its record.
func makeDefault(m *model, def *org.PolicyDef, vs []state.PolicyVersion) {
	for i := range vs {
		if vs[i].Default {
			vs[i].Document = storedText(m.docText(def.Document))
		}
		vs[i].Default = false
	}
}

// boolParam reads a boolean parameter (false when absent).
func boolParam(c *api.Call, name string) (bool, error) {
	if !c.Params.Has(name) {
		return false, nil
	}
	switch v := c.Params.Get(name); v {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	default:
		return false, validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", v, lowerFirst(name))
	}
}
