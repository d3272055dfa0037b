// Package authz assembles a request's whole situation from the organization,
// as AWS would see it, and decides it with the engine.
//
// For a principal of the organization it gathers the identity policies (a
// session's role's, a user's own and its groups'), the permissions boundary,
// the SCP levels of its account from the root down, the resource's policy (a
// role's trust policy for sts:AssumeRole*, a declared bucket, key or other
// resource policy) and the RCP levels of the resource's account, and fills the
// context keys AWS sets itself (aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalTag/*,
// aws:username, aws:userid (an IAM user's unique ID), aws:ResourceAccount,
// aws:ResourceOrgID, aws:ResourceOrgPaths, aws:CurrentTime, aws:EpochTime,
// and for an AWS service acting for a resource of an org account, which
// aws:SourceAccount names, aws:SourceOrgID and aws:SourceOrgPaths); what the
// request gives wins.
//
// S3 Block Public Access: with RestrictPublicBuckets in force for a bucket
// or access point whose policy is public, the policy is left out for
// callers outside the owner's account other than AWS services (Situation's
// Restricted says so, and the explanation's note).
//
// A principal outside the organization, whose own policies Warden cannot
// know, is judged on the organization's side only: the resource's policy and
// RCPs, as if its own account allowed the request.
package authz

import (
	"fmt"
	"strings"
	"time"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Query is one request to decide.
type Query struct {
	Principal       string
	Action          string
	Resource        string // "" or "*" for actions without a resource
	ResourceAccount string // "" to take it from the org or the ARN
	Context         map[string][]string
	Session         []*policy.Policy // session policies of a role session, if any
}

// Situation is what was assembled for a query: the request and the inputs,
// with the org entities they came from.
type Situation struct {
	Request  *eval.Request
	Inputs   eval.Inputs
	Role     *org.Role
	User     *org.User
	Account  *org.Account // the principal's account, when in the org
	Resource *org.Resource
	// TrustRole is the role whose trust policy is the resource policy.
	TrustRole *org.Role
	// Outside is set for a principal whose account is not in the org.
	Outside bool
	// Missing says what the org lacks when the principal is a role (or its
	// session) or an IAM user of an org account that has no such role or
	// user, as "no such role in Prod": nobody can act as it.
	Missing string
	// Restricted says why the resource's policy was left out: S3 Block
	// Public Access's RestrictPublicBuckets on a bucket whose policy is
	// public, for a caller outside its account (see restrictedPublic).
	Restricted string
}

// Assemble builds the situation of q in o. now fills aws:CurrentTime. A
// principal that an org account does not have is assembled with Missing set;
// an error is a malformed request or a role to assume that the org does not
// have.
func Assemble(o *org.Org, q Query, now time.Time) (*Situation, error) {
	caller, err := policy.ParseCaller(q.Principal)
	if err != nil {
		return nil, err
	}
	resource := q.Resource
	if resource == "" {
		resource = "*"
	}
	s := &Situation{}
	res, hasRes := lookupResource(o, resource)
	resAccount := q.ResourceAccount
	if resAccount == "" && hasRes && res.Account != nil {
		resAccount = res.Account.ID
	}
	req, err := NewRequest(q.Principal, q.Action, resource, resAccount, q.Context)
	if err != nil {
		return nil, err
	}
	s.Request = req
	in := &s.Inputs

	acct, inOrg := o.AccountByID(caller.Account)
	switch caller.Kind {
	case policy.CallerRoot, policy.CallerUser, policy.CallerRole, policy.CallerAssumedRole, policy.CallerFederatedUser:
		if !inOrg {
			s.Outside = true
			in.AssumeIdentityAllows = true
			break
		}
		s.Account = acct
		in.SCP = o.SCPLevels(acct.ID)
		switch caller.Kind {
		case policy.CallerUser:
			u, ok := o.User(acct.ID, caller.Name)
			if !ok {
				s.Missing = "no such IAM user in " + acct.Name
				break
			}
			s.User = u
			in.Identity = o.UserPolicies(u)
			if u.Boundary != nil {
				in.Boundary = []*policy.Policy{u.Boundary}
			}
		case policy.CallerRole, policy.CallerAssumedRole:
			r, ok := o.Role(acct.ID, caller.Name)
			if !ok {
				s.Missing = "no such role in " + acct.Name
				break
			}
			s.Role = r
			in.Identity = r.Policies
			if r.Boundary != nil {
				in.Boundary = []*policy.Policy{r.Boundary}
			}
			req.Caller.ServiceLinked = r.ServiceLinked
			if caller.Kind == policy.CallerAssumedRole {
				in.Session = q.Session
			}
		case policy.CallerFederatedUser:
			in.Session = q.Session
		}
	}

	// The resource's policy: a role's trust policy for the STS actions that
	// assume or tag a role session, else a declared resource policy.
	if r, ok := trustRole(o, req); ok {
		s.TrustRole = r
		in.Resource = []*policy.Policy{r.Trust}
	} else if IsTrustAction(req.Action.Full) && req.Resource.IsARN && req.Resource.Parts[2] == "iam" {
		if _, known := o.AccountByID(req.Resource.Parts[4]); known {
			return nil, fmt.Errorf("resource %s: the org has no such role", resource)
		}
	} else if hasRes && res.Policy != nil {
		s.Resource = res
		if s.Restricted = restrictedPublic(o, res, &req.Caller); s.Restricted == "" {
			in.Resource = []*policy.Policy{res.Policy}
		}
	}
	// RCPs apply to the resources of the resource's account, for the
	// services that support them and actions that authorize a resource,
	// except the permissions and resources AWS lists as not restricted by
	// RCPs: kms:RetireGrant, and a service-linked role's trust policy
	// (orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps); nor
	// to a KMS action on an AWS managed key (see awsManagedKeyRequest).
	if ra, ok := o.AccountByID(req.ResourceAccount); ok && awsdata.RCPAppliesTo(req.Action.Full) &&
		(s.TrustRole == nil || !s.TrustRole.ServiceLinked) && !awsManagedKeyRequest(req.Action.Full, resource, res, hasRes) {
		in.RCP = o.RCPLevels(ra.ID)
	}

	fillContext(o, s, now)
	return s, nil
}

// Decide assembles and evaluates q. A principal the org does not have is
// denied: nobody can act as it (DeniedBy none, the note says what is missing).
func Decide(o *org.Org, q Query, now time.Time) (*Situation, eval.Explanation, error) {
	s, err := Assemble(o, q, now)
	if err != nil {
		return nil, eval.Explanation{}, err
	}
	if s.Missing != "" {
		return s, eval.Explanation{Decision: eval.ImplicitDeny, DeniedBy: eval.LayerNone, Note: "nobody can act as it: " + s.Missing}, nil
	}
	ex := eval.Evaluate(s.Request, &s.Inputs)
	if s.Restricted != "" && ex.Decision == eval.ImplicitDeny {
		if ex.Note != "" {
			ex.Note = s.Restricted + "; " + ex.Note
		} else {
			ex.Note = s.Restricted
		}
	}
	return s, ex, nil
}

func fillContext(o *org.Org, s *Situation, now time.Time) {
	req := s.Request
	ctx := req.Context
	c := &req.Caller
	if s.Account != nil {
		ctx.SetDefault("aws:PrincipalOrgID", o.ID)
		ctx.SetDefault("aws:PrincipalOrgPaths", o.OrgPaths(s.Account.ID))
		tags := map[string]string(nil)
		if s.Role != nil {
			tags = s.Role.Tags
			if c.Kind == policy.CallerAssumedRole || c.Kind == policy.CallerRole {
				ctx.SetDefault("aws:PrincipalArn", s.Role.ARN)
			}
		}
		if s.User != nil {
			tags = s.User.Tags
			if c.Kind == policy.CallerUser {
				// An IAM user's aws:userid is its unique ID (IAM User
				// Guide, policy variables, principal table), the one the
				// IAM API of warden serve reports and signs in with.
				ctx.SetDefault("aws:userid", creds.StableID("AIDA", s.User.ARN))
			}
		}
		for k, v := range tags {
			ctx.SetDefault("aws:PrincipalTag/"+k, v)
		}
	}
	if ra, ok := o.AccountByID(req.ResourceAccount); ok {
		ctx.SetDefault("aws:ResourceAccount", ra.ID)
		ctx.SetDefault("aws:ResourceOrgID", o.ID)
		ctx.SetDefault("aws:ResourceOrgPaths", o.OrgPaths(ra.ID))
	} else if req.ResourceAccount != "" {
		ctx.SetDefault("aws:ResourceAccount", req.ResourceAccount)
	}
	if c.Kind == policy.CallerService {
		// A service principal acting for a resource of an account of the
		// organization carries the organization of that account too: AWS sets
		// aws:SourceOrgID and aws:SourceOrgPaths beside aws:SourceAccount
		// when the source resource belongs to an organization's account
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceorgid).
		if src, ok := ctx.Get("aws:SourceAccount"); ok && len(src) == 1 {
			if sa, ok := o.AccountByID(src[0]); ok {
				ctx.SetDefault("aws:SourceOrgID", o.ID)
				ctx.SetDefault("aws:SourceOrgPaths", o.OrgPaths(sa.ID))
			}
		}
	}
	FillContext(ctx, c, now)
}

// restrictedPublic returns why S3 ignores a bucket's or access point's
// policy for the caller, or "": with RestrictPublicBuckets in force (the
// account's or the resource's) and a public policy (org.PublicS3Statement),
// only AWS service principals and principals of the owner's account are
// let in by it
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options).
func restrictedPublic(o *org.Org, res *org.Resource, c *policy.Caller) string {
	if res.Account == nil || !o.PublicAccessBlockOf(res).RestrictPublicBuckets || c.Kind == policy.CallerService || c.Account == res.Account.ID {
		return ""
	}
	st := org.PublicS3Statement(res.Policy)
	if st == nil {
		return ""
	}
	where := "account " + res.Account.Name + "'s"
	if res.PublicAccessBlock.RestrictPublicBuckets {
		where = "the resource's own"
	}
	return fmt.Sprintf("S3 Block Public Access: RestrictPublicBuckets (%s setting) ignores the policy of %s, which is public (statement %d), for callers outside account %s other than AWS services",
		where, res.ARN, st.Index, res.Account.ID)
}

// awsManagedKeyRequest reports whether a KMS request is on an AWS managed
// key, to which RCPs do not apply ("Resource control policies in your
// organization do not apply to AWS managed keys", AWS KMS Developer Guide,
// "Resource control policies in AWS KMS"): a key declared keyManager: AWS,
// or a key named through an alias alias/aws/SERVICE, declared or not, which
// names only an AWS managed key (org.AWSManagedAlias): KMS authorizes a
// request that names a key by its alias on the key it resolves to. The
// alias's own operations (CreateAlias, UpdateAlias, DeleteAlias) act on the
// alias, not through it, and keep the RCPs; KMS refuses them on an alias/aws/
// alias whatever the policies say (AWS KMS API Reference, CreateAlias).
func awsManagedKeyRequest(action, resource string, res *org.Resource, hasRes bool) bool {
	service, name, _ := strings.Cut(action, ":")
	if !strings.EqualFold(service, "kms") {
		return false
	}
	if org.AWSManagedAlias(resource) {
		switch strings.ToLower(name) {
		case "createalias", "updatealias", "deletealias":
			return false
		}
		return true
	}
	return hasRes && res.AWSManagedKey()
}

// lookupResource finds the declared resource of an ARN: the ARN itself, or
// for an S3 object its bucket.
func lookupResource(o *org.Org, resource string) (*org.Resource, bool) {
	if r, ok := o.ResourcePolicy(resource); ok {
		return r, true
	}
	if rest, ok := strings.CutPrefix(resource, "arn:aws:s3:::"); ok {
		if bucket, _, found := strings.Cut(rest, "/"); found {
			return o.ResourcePolicy("arn:aws:s3:::" + bucket)
		}
	}
	return nil, false
}

// trustRole finds the role whose trust policy governs an STS action on it.
func trustRole(o *org.Org, req *eval.Request) (*org.Role, bool) {
	if !IsTrustAction(req.Action.Full) || !req.Resource.IsARN || req.Resource.Parts[2] != "iam" {
		return nil, false
	}
	name, ok := strings.CutPrefix(req.Resource.Parts[5], "role/")
	if !ok {
		return nil, false
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	r, ok := o.Role(req.Resource.Parts[4], name)
	if !ok || r.Trust == nil {
		return nil, false
	}
	return r, true
}
