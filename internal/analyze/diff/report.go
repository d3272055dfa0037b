package diff

import (
	"fmt"
	"strings"
)

// Directions of a change.
const (
	Opened = "opened" // allowed in NEW, not in OLD
	Closed = "closed" // allowed in OLD, not in NEW
)

// Change is one class of requests whose decision changed, in the shape of
// `warden diff --format json`: an example request (principal, action,
// resource, context) that the engine decides Allow in NEW and not in OLD
// (opened) or the other way (closed), with the classes it stands for.
type Change struct {
	Change    string         `json:"change"`
	Principal string         `json:"principal"`
	Action    string         `json:"action"`
	Resource  string         `json:"resource"`
	Context   map[string]any `json:"context"`
	// Principals are every principal with the same change (the example's
	// included), sorted; Actions the action class (at most MaxListed of it,
	// ActionCount in all).
	Principals []string `json:"principals,omitempty"`
	// Resources are the representatives of the classes of resources with
	// the same change.
	Resources []string `json:"resources,omitempty"`
	// ResourceClasses are the classes of twin resources among Resources:
	// each representative with the resources (or accounts) in equal
	// situations that it stands for (sites.go).
	ResourceClasses []ResourceClass `json:"resourceClasses,omitempty"`
	Actions         []string        `json:"actions,omitempty"`
	ActionCount     int             `json:"actionCount,omitempty"`
	// Before and After are the engine's decisions in OLD and NEW.
	Before string `json:"before"`
	After  string `json:"after"`
	// Causes are the statements (or layers without an allow) that decided
	// the example in OLD and in NEW.
	Causes []Cause `json:"causes,omitempty"`
	// Unsure marks a change found in a class whose partition is not exact:
	// the change is real (the example is decided so), other members of the
	// class may differ.
	Unsure bool `json:"unsure,omitempty"`

	// class is the example principal's class of principals in equal
	// situations: each member's change is the example's with the account
	// replaced by its own.
	class []string
}

// Cause is a statement that decided an example, or the layer that lacked
// an allow.
type Cause struct {
	Side   string `json:"side"`  // "old" or "new"
	Layer  string `json:"layer"` // scp, rcp, identity, boundary, resource, trust, ...
	Target string `json:"target,omitempty"`
	Effect string `json:"effect,omitempty"` // Allow or Deny; "" for a layer without an allow
	Policy string `json:"policy,omitempty"`
	Sid    string `json:"sid,omitempty"` // the Sid, or the statement's index
	At     string `json:"at,omitempty"`  // file:line:column
	Note   string `json:"note,omitempty"`
	// Changed marks a statement that differs between the organizations.
	Changed bool `json:"changed,omitempty"`
}

// ResourceClass is a class of resources in equal situations: resources
// of twin accounts whose requests are decided alike up to the renaming of
// the accounts (and of S3 buckets' names), compared once through Example.
type ResourceClass struct {
	// Kind is what they are: "S3 bucket", "role", "kms key", ..., or
	// "account" for the other ARNs of twin accounts.
	Kind string `json:"kind"`
	// Example is the representative: a resource ARN, or for "account" an
	// account ID.
	Example string `json:"example"`
	// Members are the others the class holds (ARNs, or account IDs).
	Members []string `json:"members"`
	// Resource is the representative resource of Change.Resources that
	// stands for the class (an object of the bucket, a path of the role).
	Resource string `json:"resource"`
}

// Unknown is a class that could not be split exactly: its decisions may
// change without an example showing it.
type Unknown struct {
	Principal string `json:"principal"`
	Action    string `json:"action,omitempty"`
	Reason    string `json:"reason"`
	// Principals are the principal's class (itself included) when it has
	// other members: principals in equal situations, compared once.
	Principals []string `json:"principals,omitempty"`
}

// Report is the result of a comparison.
type Report struct {
	Changes []Change  `json:"changes"`
	Unknown []Unknown `json:"unknown,omitempty"`
	// Principals is how many principals (and classes of principals outside
	// the organizations) had something to compare; Decided how many pairs
	// of decisions the engine made.
	Principals int `json:"principals"`
	Decided    int `json:"decided"`
	// Classes is how many classes of principals in equal situations
	// (principals whose decisions differ only by their account) were
	// compared, each once.
	Classes int `json:"classes"`

	// raw are the changes found before grouping, for tests.
	raw []rawChange
}

// MaxListed is the most actions a change lists.
const MaxListed = 20

// Opened reports whether some change opens access.
func (r *Report) Opened() bool {
	for _, c := range r.Changes {
		if c.Change == Opened {
			return true
		}
	}
	return false
}

// Describe names the class for people: "S3 buckets of 998 accounts, like
// arn:aws:s3:::acct-0002-data", "roles App10Role of 998 accounts, like
// arn:aws:iam::111122223333:role/App10Role", "the other resources of 998
// accounts, like account 111122223333's".
func (c *ResourceClass) Describe() string {
	n := len(c.Members) + 1
	switch c.Kind {
	case "account":
		return fmt.Sprintf("the resources of %d accounts in equal situations, like account %s's (%s)", n, c.Example, c.Resource)
	case "role":
		name := c.Example[strings.LastIndexByte(c.Example, '/')+1:]
		return fmt.Sprintf("roles %s of %d accounts, like %s", name, n, c.Example)
	case "S3 bucket":
		return fmt.Sprintf("S3 buckets of %d accounts, like %s", n, c.Example)
	}
	return fmt.Sprintf("%s resources of %d accounts, like %s", c.Kind, n, c.Example)
}
