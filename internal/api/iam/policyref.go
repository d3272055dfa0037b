package iam

import (
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/awsproto"
)

// awsManagedPrefix starts the ARN of every AWS managed policy.
const awsManagedPrefix = "arn:aws:iam::aws:policy/"

// policyARNParam reads and checks a policy ARN parameter (PolicyArn,
// PermissionsBoundary): 20 to 2,048 characters, an IAM policy ARN.
func policyARNParam(c *api.Call, name string) (string, error) {
	v, err := required(c, name)
	if err != nil {
		return "", err
	}
	return v, checkPolicyARN(lowerFirst(name), v)
}

func checkPolicyARN(param, v string) error {
	if len(v) < 20 || len(v) > 2048 {
		return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 20", v, param)
	}
	if !strings.HasPrefix(v, "arn:aws:iam::") || !strings.Contains(v, ":policy/") {
		return awsproto.Errorf("InvalidInput", "ARN %s is not valid.", v)
	}
	return nil
}

// resolvePolicy returns how the format references the managed policy an ARN
// names for use in the account: an AWS managed policy by its ARN, a
// customer managed policy of the account by its name. ok is false when the
// account has no such policy.
func (m *model) resolvePolicy(acctID, arnStr string) (ref string, ok bool) {
	if strings.HasPrefix(arnStr, awsManagedPrefix) {
		mp, found := awsdata.ManagedPolicyByARN(arnStr)
		if !found || mp.Document == nil || mp.ARN != arnStr {
			return "", false
		}
		return mp.ARN, true
	}
	def := m.ManagedByARN(acctID, arnStr)
	if def == nil {
		return "", false
	}
	return def.Name, true
}

// notAttachable is IAM's NoSuchEntity for a policy that does not exist.
func notAttachable(arnStr string) error {
	return noSuchEntity("Policy %s does not exist or is not attachable.", arnStr)
}

// boundaryNotFound is IAM's NoSuchEntity for a missing boundary policy.
func boundaryNotFound(arnStr string) error {
	return noSuchEntity("Scope ARN: %s does not exist or is not attachable.", arnStr)
}

// attachedList returns the attached policies of references as the
// AttachedPolicy type, keeping those whose path starts with prefix.
func (m *model) attachedList(acctID string, arns []string, prefix string) []AttachedPolicy {
	out := make([]AttachedPolicy, 0, len(arns))
	for _, a := range arns {
		rest := a[strings.Index(a, ":policy/")+len(":policy"):]
		name := rest[strings.LastIndexByte(rest, '/')+1:]
		path := rest[:len(rest)-len(name)]
		if !strings.HasPrefix(path, prefix) {
			continue
		}
		out = append(out, AttachedPolicy{PolicyName: name, PolicyArn: a})
	}
	return out
}

// sameRef reports whether a reference of the format names the ARN in the
// account.
func (m *model) sameRef(acctID, ref, arnStr string) bool {
	return m.RefARN(acctID, ref) == arnStr
}
