package analyze

import (
	"regexp"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/awsdata"
)

// RealRegions are commercial Regions, tried in order where an example needs
// one.
var RealRegions = []string{"us-east-1", "eu-west-1", "ca-central-1", "us-west-2", "eu-central-1",
	"ap-southeast-1", "ap-northeast-1", "ap-south-1", "sa-east-1", "me-south-1", "af-south-1"}

// maxConcreteTries bounds the requests Concretize tries.
const maxConcreteTries = 96

// Concretize turns the representative of a class of requests (principal
// making one of
// actions, on resource, with ctx: the shortest members of classes, such as
// "arn:::::" or "arn:aws:ec2:::image/", and region prefixes such as
// "ca-") into a request people can read and run: an action of the class,
// "*" for an action that takes no resource, else an ARN that fits one of
// the action's resource types (AWS's ARN templates) with every part filled
// (the representative's own parts kept, the empty ones filled with the
// account, a real Region, "example"), aws:RequestedRegion a real Region
// (the resource's). ok is the caller's check (the engine's decision as the
// class claims); the first candidate it accepts is returned. false: no
// concrete request of the class passed within the bound.
func Concretize(principal string, actions []string, resource, account string, ctx map[string][]string, ok func(Request) bool) (Request, bool) {
	regionKey := ""
	for k := range ctx {
		if strings.EqualFold(k, "aws:RequestedRegion") {
			regionKey = k
		}
	}
	regions := RealRegions
	if regionKey == "" {
		regions = RealRegions[:1]
	} else if v := ctx[regionKey]; len(v) == 1 {
		// The class's representative is its shortest member: the Regions
		// it begins are likeliest in the class.
		var first, rest []string
		for _, r := range RealRegions {
			if strings.HasPrefix(r, v[0]) {
				first = append(first, r)
			} else {
				rest = append(rest, r)
			}
		}
		regions = append(first, rest...)
	}
	tries := 0
	seen := map[string]bool{}
	try := func(r Request) (Request, bool) {
		k := r.Action + "\x00" + r.Resource + "\x00" + strings.Join(r.Context[regionKey], ",")
		if seen[k] {
			return r, false
		}
		seen[k] = true
		tries++
		return r, ok(r)
	}
	for _, region := range regions {
		c := ctx
		if regionKey != "" {
			c = make(map[string][]string, len(ctx))
			for k, v := range ctx {
				c[k] = v
			}
			c[regionKey] = []string{region}
		}
		for _, a := range actions {
			if tries >= maxConcreteTries {
				return Request{}, false
			}
			for _, res := range concreteResources(a, resource, account, region) {
				if rr := regionOf(res); regionKey != "" && rr != region && IsRealRegion(rr) {
					// A resource of another Region (a declared one):
					// requested there first.
					c2 := make(map[string][]string, len(c))
					for k, v := range c {
						c2[k] = v
					}
					c2[regionKey] = []string{rr}
					if r, good := try(Request{Principal: principal, Action: a, Resource: res, Context: c2}); good {
						return r, true
					}
				}
				if r, good := try(Request{Principal: principal, Action: a, Resource: res, Context: c}); good {
					return r, true
				}
				if tries >= maxConcreteTries {
					return Request{}, false
				}
			}
		}
	}
	return Request{}, false
}

// InNoAccount reports whether an action may take a resource whose ARN
// names no account (an S3 bucket, a resource of an action AWS's reference
// does not list, or "*" for one that takes none): false when every resource
// type of the action is in an account (a KMS key, an IAM role).
func InNoAccount(action string) bool {
	tmpls, listed := resourceTemplates(action)
	if !listed || len(tmpls) == 0 {
		return true
	}
	for _, tmpl := range tmpls {
		if t := strings.SplitN(tmpl, ":", 6); len(t) != 6 || t[4] == "" {
			return true
		}
	}
	return false
}

// resourceTemplates returns the ARN templates of the action's resource
// types in AWS's reference ("" for a type its service does not describe),
// and whether the reference lists the action at all.
func resourceTemplates(action string) (tmpls []string, listed bool) {
	act, ok := awsdata.LookupAction(action)
	if !ok {
		return nil, false
	}
	svc, svcOK := awsdata.LookupService(act.Service)
	tmpls = make([]string, len(act.ResourceTypes))
	for i, r := range act.ResourceTypes {
		if !svcOK {
			continue
		}
		if rt, ok := svc.ResourceType(r.Name); ok {
			tmpls[i] = rt.ARN
		}
	}
	return tmpls, true
}

// ConcreteResource is a concrete resource of an action for a
// representative, as Concretize would try it first (the first Region of
// RealRegions): "*" for an action that takes none, else an ARN of one of
// the action's resource types with every part filled; "" when there is
// none (an action AWS's reference does not list, on a resource that is
// not a concrete ARN).
func ConcreteResource(action, rep, account string) string {
	if c := concreteResources(action, rep, account, RealRegions[0]); len(c) > 0 {
		return c[0]
	}
	return ""
}

func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[3]
	}
	return ""
}

// IsRealRegion reports whether r is one of RealRegions.
func IsRealRegion(r string) bool {
	for _, x := range RealRegions {
		if x == r {
			return true
		}
	}
	return false
}

// concreteResources lists the concrete resources of an action for a
// representative: "*" for an action that takes none; else, per resource
// type, the representative completed (its empty parts filled) when it fits
// the type's template or a beginning of it, then the template filled.
func concreteResources(action, rep, account, region string) []string {
	act, ok := awsdata.LookupAction(action)
	if !ok {
		if IsConcreteARN(rep) {
			return []string{rep}
		}
		return nil
	}
	if len(act.ResourceTypes) == 0 {
		return []string{"*"}
	}
	svc, ok := awsdata.LookupService(act.Service)
	if !ok {
		return nil
	}
	var out []string
	for _, r := range act.ResourceTypes {
		rt, ok := svc.ResourceType(r.Name)
		if !ok {
			continue
		}
		if g := completeParts(rt.ARN, rep, account, region); g != "" {
			if filled(rt.ARN, g) {
				out = append(out, g)
			} else if c, ok := extend(rt.ARN, g, account, region); ok {
				out = append(out, c)
			}
		}
		if c, fits := complete(rt.ARN, rep, account, region); fits {
			out = append(out, c)
		}
		out = append(out, fillTemplate(rt.ARN, account, region))
	}
	kept := out[:0]
	for _, c := range out {
		if FitsAction(action, c) {
			kept = append(kept, c)
		}
	}
	return kept
}

// completeParts fills the parts of a representative ARN that a template
// has and the representative leaves empty (partition, Region, account),
// and names what a resource part ending in a separator leaves open.
func completeParts(tmpl, rep, account, region string) string {
	t := strings.SplitN(tmpl, ":", 6)
	p := strings.SplitN(rep, ":", 6)
	if len(t) != 6 || len(p) != 6 || p[0] != "arn" || !strings.EqualFold(p[2], t[2]) {
		return ""
	}
	if p[1] == "" {
		p[1] = "aws"
	}
	if p[3] == "" && t[3] != "" {
		p[3] = region
	}
	if p[4] == "" && t[4] != "" {
		p[4] = account
	}
	// Name what the representative leaves open: an empty resource part, an
	// empty last segment, a segment cut after a prefix ("securecart-dev-").
	segs := strings.Split(p[5], "/")
	for i, sg := range segs {
		if sg == "" && i == len(segs)-1 || sg != "" && strings.ContainsAny(sg[len(sg)-1:], "-_.") {
			segs[i] = sg + "example"
		}
	}
	p[5] = strings.Join(segs, "/")
	if strings.HasSuffix(p[5], ":") {
		p[5] += "example"
	}
	return strings.Join(p, ":")
}

// extend completes an ARN that fits a beginning of a template, up to the
// end of one of its placeholders, with the rest of the template filled:
// a log group's ARN extended to one of its log streams.
func extend(tmpl, arn, account, region string) (string, bool) {
	locs := placeholder.FindAllStringIndex(tmpl, -1)
	for i := len(locs) - 2; i >= 0; i-- {
		if partPlaceholder(tmpl[locs[i][0]+2 : locs[i][1]-1]) {
			continue
		}
		head := tmpl[:locs[i][1]]
		if filled(head, arn) {
			return arn + fillTemplate(tmpl[locs[i][1]:], account, region), true
		}
	}
	return "", false
}

var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

var templateRes sync.Map // template -> *regexp.Regexp

// complete matches a representative against an ARN template, each
// placeholder taking any (possibly empty) text, and fills the empty ones.
func complete(tmpl, rep, account, region string) (string, bool) {
	v, ok := templateRes.Load(tmpl)
	if !ok {
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, m := range placeholder.FindAllStringIndex(tmpl, -1) {
			b.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
			if partPlaceholder(tmpl[m[0]+2 : m[1]-1]) {
				b.WriteString("([^:/]*)")
			} else {
				b.WriteString("(.*?)")
			}
			last = m[1]
		}
		b.WriteString(regexp.QuoteMeta(tmpl[last:]))
		b.WriteString("$")
		v, _ = templateRes.LoadOrStore(tmpl, regexp.MustCompile(b.String()))
	}
	m := v.(*regexp.Regexp).FindStringSubmatch(rep)
	if m == nil {
		return "", false
	}
	i := 0
	return placeholder.ReplaceAllStringFunc(tmpl, func(ph string) string {
		i++
		name := ph[2 : len(ph)-1]
		if m[i] == "" {
			return fillOne(name, account, region)
		}
		if !partPlaceholder(name) && strings.ContainsAny(m[i][len(m[i])-1:], "-_.") {
			// What a wildcard after a prefix left out.
			return m[i] + "example"
		}
		return m[i]
	}), true
}

// partPlaceholder reports whether a placeholder stands for a whole part
// of an ARN (partition, Region, account), which holds no ':' or '/'.
func partPlaceholder(name string) bool {
	return name == "Partition" || name == "Region" || name == "Account"
}

// filled reports whether a resource matches an ARN template with every
// placeholder non-empty.
func filled(tmpl, rep string) bool {
	v, ok := templateRes.Load(tmpl)
	if !ok {
		complete(tmpl, "", "", "")
		v, _ = templateRes.Load(tmpl)
	}
	m := v.(*regexp.Regexp).FindStringSubmatch(rep)
	if m == nil {
		return false
	}
	for _, g := range m[1:] {
		if g == "" {
			return false
		}
	}
	return true
}

// fillTemplate instantiates an ARN template.
func fillTemplate(tmpl, account, region string) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		return fillOne(m[2:len(m)-1], account, region)
	})
}

func fillOne(name, account, region string) string {
	switch {
	case name == "Partition":
		return "aws"
	case name == "Region":
		return region
	case name == "Account":
		return account
	case strings.HasSuffix(name, "Id"):
		return "example-id"
	default:
		return "example"
	}
}

// IsConcreteARN reports whether an ARN names something: a partition, a
// service and a resource part that does not end in a separator. Whether
// the region and account may be empty depends on the service: see
// Concretize.
func IsConcreteARN(s string) bool {
	if s == "*" {
		return true
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return false
	}
	last := parts[5][len(parts[5])-1]
	return last != '/' && last != ':' && !strings.Contains(parts[5], "//")
}

// FitsAction reports whether a resource is concrete for an action: "*"
// for one that takes no resource, else an ARN matching one of its
// resource types' templates with every placeholder non-empty (an action
// AWS's reference does not list: IsConcreteARN).
func FitsAction(action, resource string) bool {
	tmpls, listed := resourceTemplates(action)
	if !listed {
		return IsConcreteARN(resource)
	}
	if len(tmpls) == 0 {
		return resource == "*"
	}
	for _, tmpl := range tmpls {
		if tmpl != "" && filled(tmpl, resource) && IsConcreteARN(resource) {
			return true
		}
	}
	return false
}
