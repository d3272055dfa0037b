package eval

import (
	"strings"

	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/policy"
)

// A refusal is a request that AWS refuses whatever the policies say, as the
// service's documentation states it: mostly names and resources a service
// reserves for itself. The decision is an implicit deny that no policy
// decided (DeniedBy none), and the note names the rule and its page.
type refusal struct {
	rule string // what AWS refuses, in a sentence
	doc  string // the page that says so
	// service: the service answers the call with an error of its own after
	// authorization (UnmodifiableEntity, IMMUTABLE_POLICY, InvalidInput,
	// ...), rather than AccessDenied from authorization itself.
	service bool
	applies func(req *Request, in *Inputs) bool
}

var refusals = []refusal{
	{
		rule: "AWS managed policies can be changed only by AWS",
		doc:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
		applies: func(req *Request, _ *Inputs) bool {
			return iamResource(req, "policy/", managedPolicyWrites) && req.Resource.Parts[4] == "aws"
		},
	},
	{
		rule:    "roles under /aws-reserved/ are managed by AWS and cannot be changed or passed by any principal",
		doc:     "https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html",
		applies: func(req *Request, _ *Inputs) bool { return iamResource(req, "role/aws-reserved/", reservedRoleWrites) },
	},
	{
		rule: "a service-linked role (path /aws-service-role/) is created with CreateServiceLinkedRole and deleted with " +
			"DeleteServiceLinkedRole; its permissions and trust policy can be changed only by its service",
		doc:     "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html",
		service: true,
		applies: func(req *Request, _ *Inputs) bool {
			return iamResource(req, "role/aws-service-role/", serviceLinkedRoleWrites)
		},
	},
	{
		rule:    "AWS managed organization policies (FullAWSAccess, RCPFullAWSAccess) can be changed only by AWS, and RCPFullAWSAccess cannot be detached",
		doc:     "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html",
		service: true,
		applies: awsManagedOrgPolicy,
	},
	{
		rule:    "tag keys that begin with aws: are reserved for AWS: no principal can add or remove them",
		doc:     "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
		service: true,
		applies: reservedTagKeys,
	},
	{
		rule:    "the root user cannot assume a role (\"Roles may not be assumed by root accounts\"): AssumeRole is called with an IAM user's or role's credentials",
		doc:     "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html",
		service: true,
		// A root ARN of an account outside the org, whose own side is taken as
		// allowing, stands for that account's principals, not its root user.
		applies: func(req *Request, in *Inputs) bool {
			return req.Caller.Kind == policy.CallerRoot && !in.AssumeIdentityAllows && req.Action.Full == "sts:assumerole"
		},
	},
	{
		rule: "sts:AssumeRoleWithSAML and sts:AssumeRoleWithWebIdentity are called with a SAML assertion or a web identity token, " +
			"not with AWS credentials: their caller is the identity provider's user, never an IAM user, role, session or root user",
		doc: "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html",
		// "Calling AssumeRoleWithSAML does not require the use of AWS
		// security credentials. The identity of the caller is validated by
		// using keys in the metadata document that is uploaded for the SAML
		// provider entity" (and API_AssumeRoleWithWebIdentity.html, by "a
		// token from the web identity provider"): no identity-based policy,
		// boundary or SCP of any account takes part, only the role's trust
		// policy (and its account's RCPs); the session it returns is then an
		// assumed role of the role's account, under that account's SCPs.
		applies: func(req *Request, _ *Inputs) bool {
			return federatedAssume[req.Action.Full] && hasIdentity(req.Caller.Kind)
		},
	},
	{
		rule:    "S3 reserves bucket names that begin with xn--, sthree- or amzn-s3-demo- or end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3",
		doc:     "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
		service: true,
		applies: reservedBucketName,
	},
}

// federatedAssume are the STS actions an identity provider's user calls.
var federatedAssume = set("sts:assumerolewithsaml", "sts:assumerolewithwebidentity")

// FederatedAssume reports whether an action ("service:Name", any case) is
// one that only an identity provider's user calls,
// sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity: AWS refuses it
// to every IAM principal whatever the policies say.
func FederatedAssume(action string) bool { return federatedAssume[strings.ToLower(action)] }

// hasIdentity reports whether a caller is an IAM principal of an account:
// its root user, an IAM user, a role or one of its sessions, or a federated
// user session.
func hasIdentity(k policy.CallerKind) bool {
	return k == policy.CallerRoot || k == policy.CallerUser || k == policy.CallerRole ||
		k == policy.CallerAssumedRole || k == policy.CallerFederatedUser
}

// refused returns the note of the rule that refuses the request ("" when
// none does), and whether its service answers with an error of its own.
func refused(req *Request, in *Inputs) (note string, service bool) {
	for i := range refusals {
		if r := &refusals[i]; r.applies(req, in) {
			return "AWS refuses this whatever the policies say: " + r.rule + " (" + r.doc + ")", r.service
		}
	}
	return "", false
}

// iamResource reports whether the request is one of the IAM actions of set on
// an IAM resource whose path starts with prefix.
func iamResource(req *Request, prefix string, set map[string]bool) bool {
	r := &req.Resource
	return r.IsARN && r.Parts[2] == "iam" && req.Action.Service == "iam" &&
		strings.HasPrefix(r.Parts[5], prefix) && set[req.Action.Name]
}

var managedPolicyWrites = set("createpolicy", "createpolicyversion", "deletepolicy", "deletepolicyversion",
	"setdefaultpolicyversion", "tagpolicy", "untagpolicy")

var reservedRoleWrites = set("attachrolepolicy", "createrole", "createservicelinkedrole", "deleterole",
	"deleterolepermissionsboundary", "deleterolepolicy", "deleteservicelinkedrole", "detachrolepolicy",
	"passrole", "putrolepermissionsboundary", "putrolepolicy", "tagrole", "untagrole",
	"updateassumerolepolicy", "updaterole", "updateroledescription")

// serviceLinkedRoleWrites are what only the role's service may do to a
// service-linked role; its description can still be edited, and the role
// passed, created and deleted through the service-linked role actions.
var serviceLinkedRoleWrites = set("createrole", "deleterole", "attachrolepolicy", "detachrolepolicy",
	"putrolepolicy", "deleterolepolicy", "updateassumerolepolicy", "putrolepermissionsboundary")

var orgPolicyWrites = set("updatepolicy", "deletepolicy")

// awsManagedOrgPolicy: an Organizations policy of account "aws" (an AWS
// managed policy such as p-FullAWSAccess) being changed, or RCPFullAWSAccess
// being detached.
func awsManagedOrgPolicy(req *Request, _ *Inputs) bool {
	r := &req.Resource
	if !r.IsARN || r.Parts[2] != "organizations" || req.Action.Service != "organizations" ||
		r.Parts[4] != "aws" || !strings.HasPrefix(r.Parts[5], "policy/") {
		return false
	}
	return orgPolicyWrites[req.Action.Name] ||
		req.Action.Name == "detachpolicy" && strings.HasSuffix(r.Parts[5], "/p-RCPFullAWSAccess")
}

var tagKeysKey = condition.NewKey("aws:TagKeys")

// reservedTagKeys: a request that adds or removes tags (its aws:TagKeys)
// names a key with the aws: prefix. AWS services tag their own resources so,
// and are not refused.
func reservedTagKeys(req *Request, _ *Inputs) bool {
	if req.Caller.Kind == policy.CallerService {
		return false
	}
	keys, _ := req.Context.Lookup(tagKeysKey)
	for _, k := range keys {
		if len(k) >= 4 && strings.EqualFold(k[:4], "aws:") {
			return true
		}
	}
	return false
}

// reservedBucketName: s3:CreateBucket of a general purpose bucket with a
// name S3 keeps for itself.
func reservedBucketName(req *Request, _ *Inputs) bool {
	r := &req.Resource
	if req.Action.Full != "s3:createbucket" || !r.IsARN || r.Parts[2] != "s3" || strings.Contains(r.Parts[5], "/") {
		return false
	}
	name := r.Parts[5]
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
