package analyze

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// childShape is the resource part of the ARNs of a resource's children that
// its policy governs: an S3 bucket's objects, an access point's objects.
func childShape(resource string) (prefix string, ok bool) {
	var parts [6]string
	if !arn.Split(resource, &parts) || parts[2] != "s3" {
		return "", false
	}
	if parts[3] == "" && parts[4] == "" && !strings.Contains(parts[5], "/") {
		return resource + "/", true
	}
	if strings.HasPrefix(parts[5], "accesspoint/") && strings.Count(parts[5], "/") == 1 {
		return resource + "/object/", true
	}
	return "", false
}

// ResourceReps returns the resource ARNs that represent every resource a
// policy on resource governs: the resource itself and, for S3, one object
// per class of object keys the statements' Resource elements tell apart.
// exact is false when a Resource element holds a policy variable.
func ResourceReps(resource string, stmts []Stmt) (reps []string, exact bool) {
	reps = []string{resource}
	prefix, ok := childShape(resource)
	if !ok {
		return reps, true
	}
	pats, exact := resourcePatterns(stmts)
	shape := arnPattern(prefix + "?*")
	pats = append(pats, shape)
	rs, ok := regions(pats, freshByte(pats))
	for _, r := range rs {
		if r.matches[len(pats)-1] {
			reps = append(reps, r.rep)
		}
	}
	return reps, exact && ok
}
