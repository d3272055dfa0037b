package organizations

import (
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// The stored document is an org.Spec: these are the edits Organizations
// makes to it, on the spec's own methods.

// ensureFullAWSAccess attaches FullAWSAccess to a new OU or account, as AWS
// does while SCPs are enabled, creating the policy if the org lacks it.
func ensureFullAWSAccess(s *org.Spec, v view, name string) {
	if !v.scpEnabled() {
		return
	}
	p := s.Policy(org.TypeSCP, fullAWSAccess)
	if p == nil {
		p = &org.PolicyDef{Name: fullAWSAccess, Type: org.TypeSCP, Description: "Allows access to every operation",
			Document: org.TextDoc(fullAWSAccessContent)}
		s.Policies = append(s.Policies, p)
	}
	p.AttachTo(name)
}

// content returns a policy's document as JSON text: the text as written
// when it was given as a string (CreatePolicy, UpdatePolicy), else the
// mapping written as JSON; account placeholders replaced by IDs.
func content(p *org.PolicyDef, s *org.Spec) string {
	return s.Text(p.Document, "  ")
}

// policyIn finds a policy of the document by ID, for a change; the
// definition is nil for RCPFullAWSAccess, which the engine applies
// without one.
func policyIn(d *state.Doc, v view, id string) (pol, *org.PolicyDef, error) {
	p, ok := v.policy(id)
	if !ok {
		return pol{}, nil, policyNotFound(id)
	}
	if p.p == nil {
		return p, nil, nil
	}
	def := d.Org.Policy(p.p.Type, p.Name)
	if def == nil {
		return pol{}, nil, internalf("organizations: policy %s is not in the document", p.Name)
	}
	return p, def, nil
}
