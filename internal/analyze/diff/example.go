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

// realRegions are commercial Regions, tried in order as the example's
// aws:RequestedRegion in place of the class's representative.
var realRegions = []string{"us-east-1", "eu-west-1", "ca-central-1", "us-west-2", "eu-central-1",
	"ap-southeast-1", "ap-northeast-1", "ap-south-1", "sa-east-1", "me-south-1", "af-south-1"}

// withRealRegion replaces the example's aws:RequestedRegion (and the
// region of its resource) by a real Region that the engine decides as the
// class, when there is one.
func (d *differ) withRealRegion(rc *rawChange, action string) *rawChange {
	key := ""
	for k := range rc.ctx {
		if strings.EqualFold(k, "aws:RequestedRegion") {
			key = k
		}
	}
	if key == "" {
		return rc
	}
	for _, r := range realRegions {
		alt := *rc
		alt.ctx = make(map[string][]string, len(rc.ctx))
		for k, v := range rc.ctx {
			alt.ctx[k] = v
		}
		alt.ctx[key] = []string{r}
		if parts := strings.SplitN(rc.resource, ":", 6); len(parts) == 6 && parts[3] != "" {
			parts[3] = r
			alt.resource = strings.Join(parts, ":")
		}
		if d.decides(&alt, action) {
			return &alt
		}
	}
	return rc
}
