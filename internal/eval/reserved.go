package eval

import "strings"

// reservedResource returns a note when the request changes a resource that
// only AWS may change: an AWS managed policy
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies)
// or a role AWS reserves under the /aws-reserved/ path, such as the roles IAM
// Identity Center provisions for permission sets
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html).
func reservedResource(req *Request) string {
	r := &req.Resource
	if !r.IsARN || r.Parts[2] != "iam" || req.Action.Service != "iam" {
		return ""
	}
	switch {
	case r.Parts[4] == "aws" && strings.HasPrefix(r.Parts[5], "policy/"):
		if managedPolicyWrites[req.Action.Name] {
			return "AWS managed policies can be changed only by AWS"
		}
	case strings.HasPrefix(r.Parts[5], "role/aws-reserved/"):
		if reservedRoleWrites[req.Action.Name] {
			return "roles under /aws-reserved/ are managed by AWS and cannot be changed or passed by any principal"
		}
	}
	return ""
}

var managedPolicyWrites = set("createpolicy", "createpolicyversion", "deletepolicy", "deletepolicyversion",
	"setdefaultpolicyversion", "tagpolicy", "untagpolicy")

var reservedRoleWrites = set("attachrolepolicy", "createrole", "createservicelinkedrole", "deleterole",
	"deleterolepermissionsboundary", "deleterolepolicy", "deleteservicelinkedrole", "detachrolepolicy",
	"passrole", "putrolepermissionsboundary", "putrolepolicy", "tagrole", "untagrole",
	"updateassumerolepolicy", "updaterole", "updateroledescription")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
