// Package managed compiles AWS managed policies, once each: the one cache
// of compiled AWS managed policies, shared by the org loader (policies that
// roles, users and groups attach), the authorizer (managed session
// policies) and every other reader, so that one policy compiles one way
// however it reached the engine.
//
// The rule is AWS's: a policy is named by its exact ARN
// (arn:aws:iam::aws:policy/ReadOnlyAccess; IAM's ARNs are case-sensitive, and
// AWS answers NoSuchEntity for arn:aws:iam::aws:policy/readonlyaccess). Its
// document, written and accepted by AWS, is checked leniently
// (policy.CheckLenient: what evaluation can do without is not an error) and
// compiled as the type it is used as (identity, boundary, session).
package managed

import (
	"errors"
	"fmt"
	"sync"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/policy"
)

// Prefix starts the ARN of every AWS managed policy.
const Prefix = "arn:aws:iam::aws:policy/"

type key struct {
	arn string
	t   policy.Type
}

// compiled holds the policies compiled so far: they are immutable.
var compiled sync.Map // key -> *policy.Policy

// ErrUnknown is the error of an ARN that names no AWS managed policy.
var ErrUnknown = errors.New("unknown AWS managed policy")

// Policy returns the AWS managed policy with exactly this ARN, compiled as
// type t; ErrUnknown (wrapped) if there is none.
func Policy(arn string, t policy.Type) (*policy.Policy, error) {
	k := key{arn, t}
	if p, ok := compiled.Load(k); ok {
		return p.(*policy.Policy), nil
	}
	mp, ok := awsdata.ManagedPolicyByARN(arn)
	if !ok || mp.ARN != arn {
		return nil, fmt.Errorf("%w %q", ErrUnknown, arn)
	}
	if mp.Document == nil {
		return nil, fmt.Errorf("AWS managed policy %s: its document is not known to Warden", arn)
	}
	doc, err := policy.Parse(mp.Document, mp.ARN)
	if err != nil {
		return nil, fmt.Errorf("AWS managed policy %s: %v", arn, err)
	}
	if errs, _ := policy.CheckLenient(doc, t, mp.ARN); len(errs) > 0 {
		return nil, fmt.Errorf("AWS managed policy %s: %v", arn, errs.Err())
	}
	p, err := policy.Compile(doc, t, mp.ARN)
	if err != nil {
		return nil, fmt.Errorf("AWS managed policy %s: %v", arn, err)
	}
	actual, _ := compiled.LoadOrStore(k, p)
	return actual.(*policy.Policy), nil
}
