package reach

import (
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/policy"
)

// outsideClasses are the classes of principals outside the organization a
// policy can tell apart (package analyze's), cached by document: the
// policies of many roles and resources are one document.
func (g *Graph) outsideClasses(rp *policy.Policy) ([]analyze.Principal, bool) {
	if c, ok := g.classes[rp.Doc]; ok {
		return c.list, c.exact
	}
	stmts := analyze.StatementsOf(rp)
	z := analyze.Zone{Kind: analyze.ZoneOrganization, Org: g.info}
	classes, exact := analyze.Principals(stmts, &z)
	// Services acting for the org's accounts: the classes of every account,
	// none in the zone; an org account's organization is the org's own.
	nowhere := analyze.Zone{Kind: analyze.ZoneAccount}
	svcs, ok := analyze.Principals(stmts, &nowhere)
	exact = exact && ok
	for _, c := range svcs {
		if c.Desc["Service"] == "" {
			continue
		}
		if _, in := g.o.AccountByID(c.Account); in {
			ctx := make(map[string][]string, len(c.Context)+2)
			for k, v := range c.Context {
				ctx[k] = v
			}
			ctx["aws:SourceOrgID"] = []string{g.o.ID}
			ctx["aws:SourceOrgPaths"] = []string{g.o.OrgPaths(c.Account)}
			c.Context = ctx
		}
		classes = append(classes, c)
	}
	g.classes[rp.Doc] = classList{classes, exact}
	return classes, exact
}

// The names package analyze gives the classes of services and identity
// providers that no policy names.
const (
	unnamedService  = "warden-unnamed.amazonaws.com"
	unnamedProvider = "idp.warden.invalid"
)

type classList struct {
	list  []analyze.Principal
	exact bool
}

// outsiders decides the principals outside the organization that a
// resource policy can let in: the classes of package analyze (outside
// accounts, anyone, services acting for each class of source account,
// identity providers), each decided by the engine; the first allowed class
// of each principal is kept. For a role's trust policy an identity
// provider's users call sts:AssumeRoleWithSAML or
// sts:AssumeRoleWithWebIdentity, as the provider's kind says, and a
// provider of an org account must exist there.
func (g *Graph) outsiders(d *decider, action, resource string, rp *policy.Policy, owner string, skipFederated bool) []Access {
	classes, exact := g.outsideClasses(rp)
	trust := authz.IsTrustAction(action)
	var out []Access
	index := map[string]int{}
	for i := range classes {
		c := &classes[i]
		p := &Principal{Caller: c.ARN, Context: c.Context}
		act := action
		switch {
		case c.Desc["AWS"] == "*" || c.Desc["Service"] == unnamedService || c.Desc["Federated"] == unnamedProvider:
			// A class that stands for principals no policy names: every
			// outside account, service or provider, named "*" (anyone).
			p.Kind, p.ARN = KindAnyone, "*"
			if c.Desc["Federated"] != "" && trust {
				act = "sts:AssumeRoleWithWebIdentity"
			}
		case c.Desc["AWS"] != "":
			if _, in := g.o.AccountByID(c.Account); in {
				continue // the org's own principals are decided one by one
			}
			p.Kind, p.Account, p.ARN = KindOutside, c.Account, c.Desc["AWS"]
			if isAccountID(p.ARN) {
				p.ARN = "arn:aws:iam::" + p.ARN + ":root"
			}
		case c.Desc["Service"] != "":
			p.Kind, p.ARN = KindService, c.Desc["Service"]
		case c.Desc["Federated"] != "":
			if skipFederated {
				continue
			}
			fed := c.Desc["Federated"]
			if a := accountOf(fed); isAccountID(a) {
				if _, in := g.o.AccountByID(a); in && !g.providers[fed] {
					continue // no such provider: no one signs in through it
				}
			}
			p.Kind, p.ARN = KindFederated, fed
			if trust {
				act = "sts:AssumeRoleWithWebIdentity"
				if strings.Contains(fed, ":saml-provider/") {
					act = "sts:AssumeRoleWithSAML"
				}
			}
		default:
			continue
		}
		if i, ok := index[p.ARN]; ok && out[i].Allowed {
			continue
		}
		o, err := d.decide(authz.Query{Principal: p.Caller, Action: act, Resource: resource, ResourceAccount: owner, Context: p.Context})
		if err != nil {
			continue
		}
		if !exact && o.Unsure == "" && !o.Allowed {
			o.Unsure = "the principals of the policy cannot be split exactly"
		}
		if !o.Allowed && o.Unsure == "" {
			continue
		}
		if i, ok := index[p.ARN]; ok {
			out[i] = Access{Principal: p, Action: act, Outcome: o}
			continue
		}
		index[p.ARN] = len(out)
		out = append(out, Access{Principal: p, Action: act, Outcome: o})
	}
	return out
}
