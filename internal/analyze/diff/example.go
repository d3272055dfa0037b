package diff

import (
	"regexp"
	"strings"

	"github.com/securecart/warden/internal/awsdata"
)

// maxTries bounds the realistic examples tried per change.
const maxTries = 24

var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

// realistic tries, for a recorded change, resources of the action's own
// resource types (AWS's ARN templates, filled with the principal's
// account, us-east-1 and "example" names) that authz.Decide decides as
// recorded: an example people recognize. It returns the action and
// resource, or false.
func (d *differ) realistic(rc *rawChange) (string, string, bool) {
	acct := accountOf(rc.principal)
	tries := 0
	for _, a := range rc.class.Actions {
		act, ok := awsdata.LookupAction(a)
		if !ok || len(act.ResourceTypes) == 0 {
			continue
		}
		svc, ok := awsdata.LookupService(act.Service)
		if !ok {
			continue
		}
		for _, r := range act.ResourceTypes {
			rt, ok := svc.ResourceType(r.Name)
			if !ok {
				continue
			}
			res := fill(rt.ARN, acct)
			if tries++; tries > maxTries {
				return "", "", false
			}
			alt := *rc
			alt.resource = res
			if d.decides(&alt, a) {
				return a, res, true
			}
		}
	}
	return "", "", false
}

// fill instantiates an ARN template.
func fill(tmpl, acct string) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		switch name := m[2 : len(m)-1]; {
		case name == "Partition":
			return "aws"
		case name == "Region":
			return "us-east-1"
		case name == "Account":
			return acct
		case strings.HasSuffix(name, "Id"):
			return "example-id"
		default:
			return "example"
		}
	})
}

// accountOf is the account of a principal's ARN, or "123456789012".
func accountOf(p string) string {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && len(parts[4]) == 12 {
		return parts[4]
	}
	return "123456789012"
}
