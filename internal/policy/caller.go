package policy

import (
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// CallerKind is the kind of principal that makes a request.
type CallerKind uint8

const (
	CallerAnonymous     CallerKind = iota + 1 // an unsigned request: "*"
	CallerRoot                                // an account's root user
	CallerUser                                // an IAM user
	CallerRole                                // an IAM role, as named by its ARN
	CallerAssumedRole                         // a role session
	CallerFederatedUser                       // a GetFederationToken session
	CallerService                             // an AWS service principal
	CallerWebIdentity                         // a SAML or OIDC identity provider's user
)

var callerKindNames = map[CallerKind]string{
	CallerAnonymous: "anonymous", CallerRoot: "root", CallerUser: "user", CallerRole: "role",
	CallerAssumedRole: "assumed-role", CallerFederatedUser: "federated-user",
	CallerService: "service", CallerWebIdentity: "web-identity",
}

func (k CallerKind) String() string { return callerKindNames[k] }

// Caller is the principal of a request, parsed from its ARN.
type Caller struct {
	Kind    CallerKind
	ARN     string // the principal as given: an ARN, a service name or "*"
	Account string // 12 digits; "" for anonymous, service and web-identity callers
	Name    string // user or role name (for a session: its role's name; for a federated user: its IAM user's, when known)
	Session string // role session or federated user name
	// RoleARN is the IAM ARN of a session's role, without its path, which a
	// session ARN does not carry.
	RoleARN string
	// ServiceLinked marks a service-linked role or its session, to which SCPs
	// and RCPs do not apply.
	ServiceLinked bool
	// UserARN is the IAM user that created a federated user session with
	// GetFederationToken, when known (see SetFederatingUser).
	UserARN string
	// IdentityPool is the ID of the Amazon Cognito identity pool whose
	// identity makes the request (REGION:GUID), when the principal was
	// given as the pool's ARN: the caller is the federated principal
	// cognito-identity.amazonaws.com, and the request's
	// cognito-identity.amazonaws.com:aud is the pool's ID.
	IdentityPool string
}

// CognitoIdentity is the federated principal of Amazon Cognito identity
// pools' identities, which a role's trust policy names (Federated).
const CognitoIdentity = "cognito-identity.amazonaws.com"

// SetFederatingUser records the IAM user that created a federated user
// session. A resource-based policy that names that user then grants to the
// session too, within the session policy
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
// The user must be of the session's account.
func (c *Caller) SetFederatingUser(userARN string) error {
	if c.Kind != CallerFederatedUser {
		return fmt.Errorf("only a federated user session (arn:aws:sts::ACCOUNT:federated-user/NAME) has a federating IAM user, not %s", c.ARN)
	}
	u, err := ParseCaller(userARN)
	if err != nil || u.Kind != CallerUser {
		return fmt.Errorf("the federating user %q is not an IAM user ARN (arn:aws:iam::ACCOUNT:user/NAME)", userARN)
	}
	if u.Account != c.Account {
		return fmt.Errorf("the federating user %s is not of the session's account %s: GetFederationToken makes a session in the user's own account", userARN, c.Account)
	}
	c.UserARN, c.Name = userARN, u.Name
	return nil
}

// ParseCaller parses a request principal: an IAM or STS ARN, a 12-digit
// account ID (its root user), a service principal such as
// lambda.amazonaws.com, an identity provider such as accounts.google.com, an
// Amazon Cognito identity pool's ARN
// (arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/REGION:GUID: an
// identity of the pool, the federated principal
// cognito-identity.amazonaws.com), or "*" for an anonymous caller.
func ParseCaller(s string) (Caller, error) {
	c := Caller{ARN: s}
	switch {
	case s == "*":
		c.Kind = CallerAnonymous
		return c, nil
	case IsAccountID(s):
		c.Kind, c.Account, c.ARN = CallerRoot, s, "arn:aws:iam::"+s+":root"
		return c, nil
	case strings.HasPrefix(s, "arn:"):
		return parseCallerARN(s)
	case strings.Contains(s, ".") && !strings.ContainsAny(s, " \t/:*"):
		c.Kind = CallerWebIdentity
		if IsServicePrincipal(s) {
			c.Kind = CallerService
		}
		return c, nil
	}
	return c, fmt.Errorf("unrecognized principal %q: want an IAM or STS ARN, an account ID, a service principal or *", s)
}

// IsServicePrincipal reports whether s names an AWS service principal.
// Cognito's identity pool provider is a federated principal, not a service.
func IsServicePrincipal(s string) bool {
	if s == CognitoIdentity {
		return false
	}
	return strings.HasSuffix(s, ".amazonaws.com") || strings.HasSuffix(s, ".amazonaws.com.cn") || strings.HasSuffix(s, ".amazon.com") && s != "www.amazon.com"
}

func parseCallerARN(s string) (Caller, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return Caller{}, fmt.Errorf("principal %q: %w", s, err)
	}
	c := Caller{ARN: s, Account: a.Account}
	bad := func() (Caller, error) {
		return Caller{}, fmt.Errorf("unrecognized principal ARN %q: want a root, user, role, assumed-role or federated-user ARN", s)
	}
	if !IsAccountID(a.Account) {
		return bad()
	}
	switch a.Service {
	case "cognito-identity":
		// An identity of the pool: Cognito's web identity tokens are
		// issued by cognito-identity.amazonaws.com with the pool's ID as
		// their audience (Amazon Cognito Developer Guide, "IAM roles",
		// role trust and permissions).
		id, ok := strings.CutPrefix(a.Resource, "identitypool/")
		region, guid, ok2 := strings.Cut(id, ":")
		if !ok || !ok2 || region != a.Region || guid == "" || strings.ContainsAny(guid, "/:*?") {
			return Caller{}, fmt.Errorf("unrecognized principal ARN %q: an identity pool is arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/REGION:GUID", s)
		}
		return Caller{Kind: CallerWebIdentity, ARN: CognitoIdentity, IdentityPool: id}, nil
	case "iam":
		typ, rest, _ := strings.Cut(a.Resource, "/")
		switch {
		case a.Resource == "root":
			c.Kind = CallerRoot
		case typ == "user" && rest != "":
			c.Kind, c.Name = CallerUser, lastSegment(rest)
		case typ == "role" && rest != "":
			c.Kind, c.Name = CallerRole, lastSegment(rest)
			c.RoleARN = s
			c.ServiceLinked = strings.HasPrefix(rest, "aws-service-role/")
		case (typ == "saml-provider" || typ == "oidc-provider") && rest != "":
			c.Kind, c.Account = CallerWebIdentity, ""
		default:
			return bad()
		}
	case "sts":
		parts := strings.Split(a.Resource, "/")
		switch {
		case len(parts) == 3 && parts[0] == "assumed-role" && parts[1] != "" && parts[2] != "":
			c.Kind, c.Name, c.Session = CallerAssumedRole, parts[1], parts[2]
			c.RoleARN = "arn:" + a.Partition + ":iam::" + a.Account + ":role/" + parts[1]
			c.ServiceLinked = strings.HasPrefix(parts[1], "AWSServiceRoleFor")
		case len(parts) == 2 && parts[0] == "federated-user" && parts[1] != "":
			c.Kind, c.Session = CallerFederatedUser, parts[1]
		default:
			return bad()
		}
	default:
		return bad()
	}
	return c, nil
}

func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// IsAccountID reports whether s is an AWS account ID: 12 digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
