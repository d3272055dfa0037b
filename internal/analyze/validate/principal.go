package validate

import (
	"regexp"
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// Principal formats (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
var (
	accountID        = regexp.MustCompile(`^\d{12}$`)
	partitionRE      = `aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?`
	iamPrincipalARN  = regexp.MustCompile(`^arn:` + partitionRE + `:(iam::\d{12}:(root|user/.+|role/.+)|sts::\d{12}:(assumed-role/[^/]+/.+|federated-user/.+))$`)
	uniqueID         = regexp.MustCompile(`^(AIDA|AROA|AIPA|ANPA|ANVA|ASIA|AGPA)[A-Z0-9]{12,}$`)
	canonicalUser    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	servicePrincipal = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$|^[a-z0-9][a-z0-9.-]*\.(amazon\.com|api\.aws)$`)
	samlProvider     = regexp.MustCompile(`^arn:` + partitionRE + `:iam::\d{12}:saml-provider/[\w+=,.@-]+$`)
	oidcProvider     = regexp.MustCompile(`^arn:` + partitionRE + `:iam::\d{12}:oidc-provider/[^\s*?]+$`)
	domainName       = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(/[^\s*?]*)?$`)
)

var principalKeys = []string{"AWS", "Service", "Federated", "CanonicalUser"}

// principal checks the Principal or NotPrincipal element's form and values.
func (v *validator) principal(s *statement) {
	p := s.principal
	n := p.val
	trust := v.opt.Type == policy.Trust
	switch n.kind {
	case '"':
		if n.str != "*" {
			v.add("INVALID_PRINCIPAL_FORMAT", v.at(n), "The %s element contents are not valid. Specify \"*\" or a key-value pair such as {\"AWS\": %q}.", p.name, n.str)
		} else if trust {
			v.add("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v.at(n), "\"Principal\": \"*\" is not supported in the principal element of a role trust policy. Replace the wildcard with a valid principal value.")
		}
		return
	case '{':
	default:
		v.add("INVALID_PRINCIPAL_FORMAT", v.at(n), "The %s element contents are not valid. Specify \"*\" or an object of key-value pairs such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}.", p.name)
		return
	}
	if len(n.members) == 0 {
		v.add("EMPTY_OBJECT_PRINCIPAL", v.at(n), "This statement includes no principals and does not affect the policy. Specify principals.")
		return
	}
	for _, m := range n.members {
		if !contains(principalKeys, m.name) {
			v.add("INVALID_PRINCIPAL_KEY", v.atKey(m), "The principal key %s is not valid.%s Use AWS, Service, Federated or CanonicalUser.", m.name, suggestion(m.name, principalKeys...))
			continue
		}
		vals := v.stringList(m)
		if m.val.kind == '[' && len(m.val.items) == 0 {
			v.add("EMPTY_ARRAY_PRINCIPAL", v.at(m.val), "This statement includes no principals and does not affect the policy. Specify principals.")
		}
		for _, val := range vals {
			v.principalValue(m.name, val)
		}
	}
	if trust {
		v.redundantAssumedRoles(n)
	}
}

func (v *validator) principalValue(key string, n *node) {
	val := n.str
	trust := v.opt.Type == policy.Trust
	switch key {
	case "AWS":
		switch {
		case val == "*":
			if trust {
				v.add("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v.at(n), "\"Principal\": {\"AWS\": \"*\"} is not supported in the principal element of a role trust policy. Name the accounts or roles that may assume the role.")
			}
		case strings.ContainsAny(val, "*?"):
			v.add("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v.at(n), "Wildcards (*, ?) are not supported with the principal key AWS. Replace %s with a full ARN or account ID, or use \"*\" with an aws:PrincipalArn condition.", val)
		case uniqueID.MatchString(val) && strings.HasPrefix(val, "AROA"):
			v.add("INVALID_ROLE_REFERENCE", v.at(n), "The Principal element includes the IAM role ID %s. We recommend that you use a role ARN instead: a unique ID no longer matches once the role is deleted and recreated.", val)
		case uniqueID.MatchString(val) && strings.HasPrefix(val, "AIDA"):
			v.add("INVALID_USER_REFERENCE", v.at(n), "The Principal element includes the IAM user ID %s. We recommend that you use a user ARN instead: a unique ID no longer matches once the user is deleted and recreated.", val)
		case accountID.MatchString(val), iamPrincipalARN.MatchString(val), uniqueID.MatchString(val):
		default:
			v.add("INVALID_PRINCIPAL_FORMAT", v.at(n), "The AWS principal %s is not valid. Specify a 12-digit account ID or the ARN of an account root, IAM user, IAM role, assumed-role session or federated user.", val)
		}
	case "Service":
		switch {
		case strings.ContainsAny(val, "*?"):
			v.add("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v.at(n), "Wildcards (*, ?) are not supported with the principal key Service. Replace %s with a service principal such as s3.amazonaws.com.", val)
		case !servicePrincipal.MatchString(val):
			v.add("INVALID_SERVICE_PRINCIPAL_FORMAT", v.at(n), "The service principal %s does not match the expected format. Use the format <service-name>.amazonaws.com.", val)
		}
	case "Federated":
		switch {
		case !trust:
			v.add("FEDERATED_PRINCIPAL_NOT_SUPPORTED", v.at(n), "The %s does not support a federated identity provider in the principal element: federated principals assume roles, so they belong in role trust policies. Use a supported principal.", typeName(v.opt.Type))
		case strings.ContainsAny(val, "*?"):
			v.add("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v.at(n), "Wildcards (*, ?) are not supported with the principal key Federated. Replace %s with the identity provider's domain name or ARN.", val)
		case samlProvider.MatchString(val), oidcProvider.MatchString(val), domainName.MatchString(val):
		default:
			v.add("INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", v.at(n), "The principal value %s specifies a federated principal that does not match the expected format. Update the federated principal to a domain name (such as accounts.google.com), an OIDC provider ARN or a SAML provider ARN.", val)
		}
	case "CanonicalUser":
		switch {
		case strings.ContainsAny(val, "*?"):
			v.add("UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v.at(n), "Wildcards (*, ?) are not supported with the principal key CanonicalUser. Replace %s with a canonical user ID.", val)
		case !canonicalUser.MatchString(val):
			v.add("INVALID_PRINCIPAL_FORMAT", v.at(n), "The canonical user ID %s is not valid: it is 64 lower-case hexadecimal digits.", val)
		}
	}
}

// redundantAssumedRoles reports an assumed-role session listed beside the
// role it comes from.
func (v *validator) redundantAssumedRoles(n *node) {
	m := n.member("AWS")
	if m == nil {
		return
	}
	roles := map[string]string{} // account/role name (lower-cased) -> ARN as written
	vals := m.val.stringNodes()
	for _, val := range vals {
		if acct, name, ok := roleOf(val.str); ok {
			roles[acct+"/"+strings.ToLower(name)] = val.str
		}
	}
	for _, val := range vals {
		acct, name, ok := assumedRoleOf(val.str)
		if !ok {
			continue
		}
		if parent, ok := roles[acct+"/"+strings.ToLower(name)]; ok {
			v.add("REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", v.at(val), "The assumed-role principal %s is redundant with its parent role %s. Remove the assumed-role principal.", val.str, parent)
		}
	}
}

// roleOf splits arn:aws:iam::ACCOUNT:role/path/NAME.
func roleOf(s string) (account, name string, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	res := parts[5]
	return parts[4], res[strings.LastIndexByte(res, '/')+1:], true
}

// assumedRoleOf splits arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION.
func assumedRoleOf(s string) (account, name string, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "sts" || !strings.HasPrefix(parts[5], "assumed-role/") {
		return "", "", false
	}
	rest := strings.Split(parts[5], "/")
	if len(rest) < 3 {
		return "", "", false
	}
	return parts[4], rest[1], true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
