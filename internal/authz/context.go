package authz

import (
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// NewRequest is eval.NewRequest with the action marked when the Service
// Authorization Reference gives it no resource type (only Resource "*"
// applies to it).
func NewRequest(principal, action, resource, resourceAccount string, context map[string][]string) (*eval.Request, error) {
	req, err := eval.NewRequest(principal, action, resource, resourceAccount, context)
	if err != nil {
		return nil, err
	}
	if awsdata.TakesNoResource(req.ActionName) {
		req.TakesNoResource()
	}
	return req, nil
}

// Evaluate decides a request whose inputs are given whole (a simulate case):
// it fills the context keys AWS sets for the caller, the resource's account
// and the time, applies
// RCPs only where AWS does (awsdata.RCPAppliesTo, serviceLinkedTrust), and
// evaluates. Assemble does
// the same for a request whose inputs come from the org.
func Evaluate(req *eval.Request, in eval.Inputs, now time.Time) eval.Explanation {
	if req.ResourceAccount != "" {
		// AWS sets aws:ResourceAccount, the account that owns the resource,
		// in the request context of most service actions
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount),
		// as Assemble does for a request of the org.
		req.Context.SetDefault("aws:ResourceAccount", req.ResourceAccount)
	}
	FillContext(req.Context, &req.Caller, now)
	if in.RCP != nil && (!awsdata.RCPAppliesTo(req.Action.Full) || serviceLinkedTrust(req)) {
		// RCPs apply only to the resources of the services that support them,
		// that the action authorizes (it has a resource type), and not to
		// what AWS lists as not restricted by RCPs: the
		// kms:RetireGrant permission and a service-linked role's trust policy
		// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps).
		in.RCP = nil
	}
	return eval.Evaluate(req, &in)
}

// serviceLinkedTrust reports whether a request is decided by a
// service-linked role's trust policy: a trust action on a role whose path
// starts with /aws-service-role/.
func serviceLinkedTrust(req *eval.Request) bool {
	r := &req.Resource
	return IsTrustAction(req.Action.Full) && r.IsARN && r.Parts[2] == "iam" &&
		strings.HasPrefix(r.Parts[5], "role/aws-service-role/")
}

// IsTrustAction reports whether an action's resource policy is a role's
// trust policy: sts:AssumeRole, sts:AssumeRoleWithSAML,
// sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity and
// sts:SetContext (any case).
func IsTrustAction(action string) bool {
	a := strings.ToLower(action)
	switch a {
	case "sts:tagsession", "sts:setsourceidentity", "sts:setcontext":
		return true
	}
	return strings.HasPrefix(a, "sts:assumerole")
}

// FillContext sets the context keys AWS sets itself for the caller, unless the
// request already has them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
func FillContext(ctx condition.Context, c *policy.Caller, now time.Time) {
	if !now.IsZero() {
		ctx.SetDefault("aws:CurrentTime", now.UTC().Format(time.RFC3339))
		ctx.SetDefault("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	}
	switch c.Kind {
	case policy.CallerAnonymous, policy.CallerWebIdentity:
		return
	case policy.CallerService:
		ctx.SetDefault("aws:PrincipalServiceName", c.ARN)
		ctx.SetDefault("aws:PrincipalIsAWSService", "true")
		return
	}
	ctx.SetDefault("aws:PrincipalAccount", c.Account)
	ctx.SetDefault("aws:PrincipalIsAWSService", "false")
	switch c.Kind {
	case policy.CallerAssumedRole, policy.CallerRole:
		ctx.SetDefault("aws:PrincipalArn", c.RoleARN)
	default:
		ctx.SetDefault("aws:PrincipalArn", c.ARN)
	}
	switch c.Kind {
	case policy.CallerUser:
		ctx.SetDefault("aws:username", c.Name)
		ctx.SetDefault("aws:PrincipalType", "User")
	case policy.CallerAssumedRole:
		ctx.SetDefault("aws:PrincipalType", "AssumedRole")
	case policy.CallerFederatedUser:
		ctx.SetDefault("aws:PrincipalType", "FederatedUser")
		// A GetFederationToken session's unique ID is its account and the
		// name its caller chose (IAM User Guide, policy variables, the
		// principal table: aws:userid "account:caller-specified-name").
		ctx.SetDefault("aws:userid", c.Account+":"+c.Session)
	case policy.CallerRoot:
		ctx.SetDefault("aws:PrincipalType", "Account")
		ctx.SetDefault("aws:userid", c.Account)
	}
}
