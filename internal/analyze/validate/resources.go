package validate

import (
	"regexp"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsdata"
)

// Partitions are AWS's partitions
// (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// resourceChecks checks each resource ARN against the ARN formats of the
// Service Authorization Reference
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html),
// then reports patterns that another pattern of the element covers.
func (v *validator) resourceChecks(s *statement) {
	for _, r := range s.resources {
		v.resourceARN(r)
	}
	if len(s.resources) > 1 {
		s.dropResources = map[*node]bool{}
		redundant(s.resources, resourceSubset, false, func(n, by *node) {
			s.dropResources[n] = true
			v.add("REDUNDANT_RESOURCE", v.at(n), "The resource ARN %s is redundant because %s already matches every resource it matches. Remove %s.", n.str, by.str, n.str)
		})
	}
}

func (v *validator) resourceARN(n *node) {
	r := n.str
	if r == "*" {
		return
	}
	if v.vars && strings.Contains(r, "${") {
		r = variableRE.ReplaceAllString(r, "*") // a variable may stand for anything
	}
	if !strings.HasPrefix(r, "arn:") {
		v.add("INVALID_ARN_PREFIX", v.at(n), "Add the required prefix (arn) to the resource ARN %s: a resource is \"*\" or an ARN such as arn:aws:s3:::bucket-name.", r)
		return
	}
	var p [6]string
	if !arn.Split(r, &p) || p[5] == "" {
		v.add("MISSING_ARN_FIELD", v.at(n), "Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource. %s has fewer.", r)
		return
	}
	partition, service, region, account, res := p[1], p[2], p[3], p[4], p[5]
	if !wild(partition) && !contains(partitions, partition) {
		v.add("INVALID_PARTITION", v.at(n), "The resource ARN for the service %s does not support the partition %s. Use the supported values: %s", service, partition, strings.Join(partitions, ", "))
	}
	if wild(service) {
		return
	}
	if service != strings.ToLower(service) {
		v.add("INVALID_ARN_SERVICE_CASE", v.at(n), "Update the service name %s in the resource ARN to use all lowercase letters: %s.", service, strings.ToLower(service))
		return
	}
	formats, ok := arnFormats()[service]
	if !ok {
		return // a service the reference gives no ARN format for
	}
	// The formats whose resource part can match: their Region and account
	// fields say what this ARN's may hold.
	// When neither field is written out, one matching format is enough.
	needAll := (region != "" && !wild(region)) || (account != "" && !wild(account)) || region == ""
	var matching []arnFormat
	for _, f := range append(formats, arnFormats()[anyService]...) {
		if globIntersect(res, f.resource) {
			matching = append(matching, f)
			if !needAll {
				break
			}
		}
	}
	if len(matching) == 0 {
		v.add("INVALID_ARN_RESOURCE", v.at(n), "Resource ARN does not match the expected ARN format. Update the resource portion %s of the ARN to one of the %s resource formats, such as %s.", res, service, formats[0].example)
		return
	}
	regionSet, regionEmpty, accountSet, literal := false, false, false, map[string]bool{}
	for _, f := range matching {
		if f.region == "" {
			regionEmpty = true
		} else {
			regionSet = true
		}
		if f.account != "" {
			accountSet = true
		}
		literal[f.region], literal[f.account] = true, true
	}
	switch {
	case wild(region):
	case region == "" && !regionEmpty:
		v.add("MISSING_ARN_REGION", v.at(n), "Add a Region to the %s resource ARN %s, such as us-east-1, or * for every Region.", service, r)
	case region != "" && !regionSet:
		v.add("ARN_REGION_NOT_ALLOWED", v.at(n), "The service %s does not support specifying a Region in the resource ARN. Remove %s: its ARNs have an empty Region field.", service, region)
	case region != "" && !validRegion(region) && !literal[region]:
		v.add("INVALID_ARN_REGION", v.at(n), "The Region %s is not valid for this resource. Update the resource ARN to include a supported Region, such as us-east-1.", region)
	}
	switch {
	case wild(account):
	case account != "" && !accountSet:
		v.add("ARN_ACCOUNT_NOT_ALLOWED", v.at(n), "The service %s does not support specifying an account ID in the resource ARN. Remove %s: its ARNs have an empty account field.", service, account)
	case account != "" && !accountID.MatchString(account) && account != "aws" && !literal[account]:
		v.add("INVALID_ARN_ACCOUNT", v.at(n), "The resource ARN account ID %s is not valid. Provide a 12-digit account ID (or aws for resources AWS owns).", account)
	}
}

func wild(s string) bool { return strings.ContainsAny(s, "*?") }

// arnFormat is one ARN format of the reference, split into its fields;
// placeholders are kept in region and account, and the resource part is a
// glob in which each ${Var} is ?*.
type arnFormat struct {
	region, account, resource string
	example                   string
}

// anyService keys the formats whose service is itself a variable: they may
// be any service's.
const anyService = "*"

// variableRE finds ${...}: the placeholders of ARN formats and the policy
// variables of resources.
var variableRE = regexp.MustCompile(`\$\{[^}]*\}`)

// arnFormats maps an ARN service (the third field of an ARN, which is not
// always the action prefix) to its formats.
var arnFormats = sync.OnceValue(func() map[string][]arnFormat {
	out := map[string][]arnFormat{}
	for _, prefix := range awsdata.Services() {
		s, _ := awsdata.LookupService(prefix)
		for _, rt := range s.ResourceTypes() {
			var p [6]string
			if !arn.Split(rt.ARN, &p) {
				continue
			}
			svc := p[2]
			if strings.Contains(svc, "${") {
				svc = anyService // such as AWS Backup's recovery points, arn:${Partition}:${Vendor}:...
			}
			out[svc] = append(out[svc], arnFormat{region: p[3], account: p[4], resource: variableRE.ReplaceAllString(p[5], "?*"), example: rt.ARN})
		}
	}
	return out
})

// globIntersect reports whether some string matches both patterns (* any
// run, ? one character). It walks pairs of positions (i, j) from (0, 0): a *
// may match nothing (move past it) or take the other pattern's next
// character or * (move the other past it); two single characters (literals
// or ?) must agree. The patterns share a string exactly when both ends are
// reached; memoising visited pairs makes it O(len(a)·len(b)).
func globIntersect(a, b string) bool {
	if a == "*" || b == "*" || a == b {
		return true
	}
	if !wild(a) {
		return globMatch(b, a)
	}
	if !wild(b) {
		return globMatch(a, b)
	}
	ra, rb := []rune(a), []rune(b)
	if !endsAgree(ra, rb, false) {
		return false
	}
	if ok, decided := prefixPattern(ra, rb); decided {
		return ok
	}
	if ok, decided := prefixPattern(rb, ra); decided {
		return ok
	}
	w := len(rb) + 1
	seen := make([]bool, (len(ra)+1)*w)
	var walk func(i, j int) bool
	walk = func(i, j int) bool {
		if seen[i*w+j] {
			return false
		}
		seen[i*w+j] = true
		switch {
		case i == len(ra) && j == len(rb):
			return true
		case i < len(ra) && ra[i] == '*':
			return walk(i+1, j) || j < len(rb) && walk(i, j+1)
		case j < len(rb) && rb[j] == '*':
			return walk(i, j+1) || i < len(ra) && walk(i+1, j)
		case i == len(ra) || j == len(rb):
			return false
		default:
			return (ra[i] == '?' || rb[j] == '?' || ra[i] == rb[j]) && walk(i+1, j+1)
		}
	}
	return walk(0, 0)
}

// prefixPattern decides the intersection when a is P* with no other *: a
// string of b starts with P exactly when P agrees with b's text before its
// first * (the * absorbs the rest), and, if b has no *, b is long enough.
func prefixPattern(a, b []rune) (ok, decided bool) {
	fa := fixedPrefix(a)
	if fa != len(a)-1 {
		return false, false
	}
	fb := fixedPrefix(b)
	if fb == len(b) && fa > len(b) {
		return false, true
	}
	for i := 0; i < min(fa, fb); i++ {
		if a[i] != '?' && b[i] != '?' && a[i] != b[i] {
			return false, true
		}
	}
	return true, true
}
