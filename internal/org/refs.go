package org

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/managed"
	"github.com/securecart/warden/internal/policy"
)

// awsManagedPrefix starts the ARN of every AWS managed policy.
const awsManagedPrefix = managed.Prefix

// polRef is a resolved reference to a managed policy: an AWS managed one,
// the same everywhere, or a customer managed one, a copy per account.
type polRef struct {
	aws  *policy.Policy
	cust *Policy
}

// arnIn is the ARN the reference names in account a ("" for none).
func (r polRef) arnIn(a *Account) string {
	switch {
	case r.aws != nil:
		return r.aws.Name
	case r.cust != nil:
		return r.cust.ARNIn(a)
	}
	return ""
}

// resolveRef resolves a reference (an AWS managed policy's ARN or a
// customer managed policy's name) for use as type t (identity or boundary)
// by a principal in accts. what names the user of the reference in errors.
func (l *loader) resolveRef(ref sval, path string, accts []*Account, t policy.Type, what string) (polRef, bool) {
	if strings.HasPrefix(ref.V, "arn:") {
		if !strings.HasPrefix(ref.V, awsManagedPrefix) {
			l.errs.add(ref.P, path, "%q is not an AWS managed policy's ARN (%s...): name customer managed policies by their name", ref.V, awsManagedPrefix)
			return polRef{}, false
		}
		p, err := awsManaged(ref.V, t)
		if err != nil {
			l.errs.add(ref.P, path, "%v", err)
			return polRef{}, false
		}
		return polRef{aws: p}, true
	}
	p := l.managed[ref.V]
	if p == nil {
		var names []string
		for n := range l.managed {
			names = append(names, n)
		}
		l.errs.add(ref.P, path, "unknown managed policy %q%s: define it in policies with type: managed, or give an AWS managed policy's ARN", ref.V, didYouMean(ref.V, names))
		return polRef{}, false
	}
	var missing []string
	for _, a := range accts {
		if !p.held[a] {
			missing = append(missing, a.Name)
		}
	}
	if len(missing) > 0 {
		l.errs.add(ref.P, path, "managed policy %s does not exist in %s, where %s is (it is in: %s)",
			ref.V, accountWord(missing), what, strings.Join(nameList(p.Accounts), ", "))
		return polRef{}, false
	}
	return polRef{cust: p}, true
}

// in returns the referenced policy as used in account a, or nil.
func (l *loader) in(r polRef, a *Account, t policy.Type) *policy.Policy {
	switch {
	case r.aws != nil:
		return r.aws
	case r.cust == nil:
		return nil
	case t == policy.Boundary:
		if p, ok := r.cust.boundary[a.ID]; ok {
			return p
		}
		p := l.compile(l.docs[r.cust], policy.Boundary, r.cust.ARNIn(a))
		r.cust.boundary[a.ID] = p
		return p
	}
	return r.cust.inAccount[a.ID]
}

func nameList(accts []*Account) []string {
	out := make([]string, len(accts))
	for i, a := range accts {
		out[i] = a.Name
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// accountWord says "account A" or "accounts A, B".
func accountWord(names []string) string {
	if len(names) == 1 {
		return "account " + names[0]
	}
	const most = 10
	if len(names) > most {
		return fmt.Sprintf("accounts %s and %d more", strings.Join(names[:most], ", "), len(names)-most)
	}
	return "accounts " + strings.Join(names, ", ")
}

// nearestManaged returns the ARN of the AWS managed policy with the given
// name, or one that differs from it by at most two edits; "" if none.
func nearestManaged(name string) string {
	if p, ok := awsdata.ManagedPolicyByName(name); ok {
		return p.ARN
	}
	best, bestD := "", 3
	lower := strings.ToLower(name)
	for _, p := range awsdata.ManagedPolicies() {
		if p.ARN == "" {
			continue
		}
		if d := editDistance(lower, strings.ToLower(p.Name)); d < bestD {
			best, bestD = p.ARN, d
		}
	}
	return best
}

// awsManaged returns an AWS managed policy compiled as type t, named by its
// exact ARN, from the one cache of them (internal/managed).
func awsManaged(arn string, t policy.Type) (*policy.Policy, error) {
	p, err := managed.Policy(arn, t)
	if errors.Is(err, managed.ErrUnknown) {
		if near := nearestManaged(path.Base(arn)); near != "" && near != arn {
			return nil, fmt.Errorf("%v (did you mean %q?)", err, near)
		}
	}
	return p, err
}
