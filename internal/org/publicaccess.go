package org

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// PublicAccessBlock is Amazon S3 Block Public Access: an account's
// settings (s3control PutPublicAccessBlock) or a bucket's or access
// point's (s3 PutPublicAccessBlock), as the org format declares them
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
//
//   - BlockPublicPolicy: a bucket or access point policy that grants public
//     access (PublicS3Statement) is refused when it is written: Warden
//     refuses to store an organization whose new or changed policy is
//     public under it. Policies stored before it was set stay.
//   - RestrictPublicBuckets: a bucket or access point whose policy is
//     public is reached only by AWS service principals and by principals of
//     the owner's account: cross-account and public access that the policy
//     grants is ignored (by the engine's callers, package authz, and by the
//     external-access analysis).
//   - BlockPublicAcls, IgnorePublicAcls: about ACLs, which the org format
//     does not hold; they are kept and shown, and change no decision.
//
// The settings of the account and of the resource combine: either one
// blocks ("the most restrictive combination").
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"blockPublicAcls,omitempty"`
	IgnorePublicAcls      bool `json:"ignorePublicAcls,omitempty"`
	BlockPublicPolicy     bool `json:"blockPublicPolicy,omitempty"`
	RestrictPublicBuckets bool `json:"restrictPublicBuckets,omitempty"`
}

// Or combines two settings: the most restrictive combination.
func (b PublicAccessBlock) Or(c PublicAccessBlock) PublicAccessBlock {
	return PublicAccessBlock{
		BlockPublicAcls:       b.BlockPublicAcls || c.BlockPublicAcls,
		IgnorePublicAcls:      b.IgnorePublicAcls || c.IgnorePublicAcls,
		BlockPublicPolicy:     b.BlockPublicPolicy || c.BlockPublicPolicy,
		RestrictPublicBuckets: b.RestrictPublicBuckets || c.RestrictPublicBuckets,
	}
}

// IsS3PolicyResource reports whether an ARN names an S3 bucket or access
// point: the resources Block Public Access applies to.
func IsS3PolicyResource(arn string) bool {
	if bucket, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok {
		return bucket != "" && !strings.Contains(bucket, "/")
	}
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "s3" && strings.HasPrefix(parts[5], "accesspoint/") &&
		!strings.Contains(strings.TrimPrefix(parts[5], "accesspoint/"), "/")
}

// PublicAccessBlockOf returns the Block Public Access settings in force
// for a resource the organization declares: its account's combined with
// its own. The zero value (nothing blocked) for other resources.
func (o *Org) PublicAccessBlockOf(r *Resource) PublicAccessBlock {
	if r == nil || r.Account == nil || !IsS3PolicyResource(r.ARN) {
		return PublicAccessBlock{}
	}
	return r.Account.PublicAccessBlock.Or(r.PublicAccessBlock)
}

// fixedKeys are the condition keys whose fixed value makes a statement that
// grants to everyone non-public, as Amazon S3 defines it ("The meaning of
// public",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status,
// and https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html):
// a fixed principal (aws:PrincipalOrgID), source ARN, VPC, VPC endpoint,
// owner or account, KMS key, user ID or access point. aws:SourceIp is
// handled apart: a set of CIDRs that is not everything.
var fixedKeys = map[string]bool{
	"aws:principalorgid": true,
	"aws:sourcearn":      true,
	"aws:sourcevpc":      true,
	"aws:sourcevpce":     true,
	"aws:sourceowner":    true,
	"aws:sourceaccount":  true,
	"aws:userid":         true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
	"s3:dataaccesspointarn":                          true,
	"s3:dataaccesspointaccount":                      true,
}

// fixedOps are the operators that bind a key to the values written (with no
// wildcard among them): equality, and the Like forms of literal values.
var fixedOps = map[string]bool{
	"StringEquals": true, "StringEqualsIgnoreCase": true, "StringLike": true,
	"ArnEquals": true, "ArnLike": true,
}

// PublicS3Statement returns the first statement of a bucket or access
// point policy that makes it public as Amazon S3 defines it, or nil when
// the policy is not public: an Allow statement is public when it grants to
// every principal (Principal "*", an AWS principal with a wildcard, or
// NotPrincipal) and no condition limits it to a fixed value of a key of
// fixedKeys, or to a set of CIDRs (aws:SourceIp with IpAddress) that is
// not all addresses. A value is fixed when it has no wildcard (* or ?) and
// no policy variable; an operator with IfExists, or a ForAnyValue or
// ForAllValues qualifier, does not bind.
func PublicS3Statement(p *policy.Policy) *policy.Statement {
	if p == nil || p.Doc == nil {
		return nil
	}
	for _, s := range p.Doc.Statements {
		if s.Effect == "Allow" && grantsEveryone(s) && !limited(s) {
			return s
		}
	}
	return nil
}

func grantsEveryone(s *policy.Statement) bool {
	if s.Principal == nil {
		return false
	}
	if s.NotPrincipal || s.Principal.Wildcard {
		return true
	}
	for _, v := range s.Principal.AWS {
		if strings.ContainsAny(v.Value, "*?") {
			return true
		}
	}
	return false
}

func limited(s *policy.Statement) bool {
	for _, c := range s.Condition {
		if len(c.Values) == 0 || strings.Contains(c.Op, ":") {
			continue // a set qualifier (ForAnyValue:, ForAllValues:)
		}
		key := strings.ToLower(c.Key)
		switch {
		case key == "aws:sourceip" && c.Op == "IpAddress" && limitedCIDRs(c.Values):
			return true
		case fixedKeys[key] && fixedOps[c.Op] && allFixed(c.Values):
			return true
		}
	}
	return false
}

func allFixed(values []string) bool {
	for _, v := range values {
		if v == "" || strings.ContainsAny(v, "*?") || strings.Contains(v, "${") {
			return false
		}
	}
	return true
}

// limitedCIDRs reports whether every value is a CIDR block (or address)
// short of every address.
func limitedCIDRs(values []string) bool {
	for _, v := range values {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return false
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Bits() == 0 {
			return false
		}
	}
	return true
}

// publicAccessBlock reads a publicAccessBlock mapping (absent: nothing
// blocked) and returns where it is written.
func (d *decoder) publicAccessBlock(n *ynode, path string) (PublicAccessBlock, Pos) {
	var b PublicAccessBlock
	if n == nil {
		return b, Pos{}
	}
	m, ok := d.fields(n, path, fieldsOf["publicAccessBlock"]...)
	if !ok {
		return b, d.src.pos(n)
	}
	for name, dst := range map[string]*bool{"blockPublicAcls": &b.BlockPublicAcls, "ignorePublicAcls": &b.IgnorePublicAcls,
		"blockPublicPolicy": &b.BlockPublicPolicy, "restrictPublicBuckets": &b.RestrictPublicBuckets} {
		*dst, _ = d.boolean(m[name], path+"."+name)
	}
	return b, d.src.pos(n)
}

// boolean reads a boolean scalar (true or false); absent is false.
func (d *decoder) boolean(n *ynode, path string) (bool, bool) {
	n = resolve(n)
	if n == nil {
		return false, true
	}
	if n.Kind != scalarNode || n.ShortTag() != "!!bool" {
		d.errorf(n, path, "must be true or false, not %s", kindName(n))
		return false, false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
}

// RefusedPublicPolicies returns what Block Public Access's
// BlockPublicPolicy refuses among the S3 bucket and access point policies
// of o that written says are being written (new or changed): a policy
// that is public (PublicS3Statement), one error each, at the resource's
// position. Policies not being written stay, as in S3, where setting
// BlockPublicPolicy leaves existing policies alone
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options).
func (o *Org) RefusedPublicPolicies(written func(arn string) bool) error {
	var errs []error
	for _, r := range o.Resources {
		bpa := o.PublicAccessBlockOf(r)
		if !bpa.BlockPublicPolicy || !written(r.ARN) {
			continue
		}
		st := PublicS3Statement(r.Policy)
		if st == nil {
			continue
		}
		where := "account " + r.Account.Name + "'s"
		if r.PublicAccessBlock.BlockPublicPolicy {
			where = "the resource's own"
		}
		stmt := fmt.Sprintf("statement %d", st.Index)
		if st.Sid != "" {
			stmt += " (" + st.Sid + ")"
		}
		errs = append(errs, fmt.Errorf("%s: %s: the policy grants public access (%s: every principal, not limited to a fixed account, organization, VPC, source or CIDR), which S3 Block Public Access refuses when a policy is written (BlockPublicPolicy, %s setting)",
			r.Pos, r.ARN, stmt, where))
	}
	return errors.Join(errs...)
}
