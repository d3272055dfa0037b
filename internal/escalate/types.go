package escalate

import (
	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/analyze/reach"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Admin is the To of a path that ends in administrator-equivalent power.
const Admin = "admin"

// Step is one request of a path, in the shape of `warden explain`: the
// principal makes the request and the engine allows it.
type Step struct {
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	Principal string `json:"principal"`
	// SessionName, set when Principal is a role session a policy singles
	// out by name (a Principal element naming assumed-role/ROLE/NAME, a
	// condition on aws:userid), is that name: whoever assumes the role
	// chooses it (RoleSessionName), and no other session makes the step.
	SessionName string `json:"sessionName,omitempty"`
	// Kind names the edge the step belongs to (see Kinds).
	Kind string `json:"kind,omitempty"`
	// Context is the request's context as `warden explain --context`
	// takes it: the values the caller chooses and those it must have.
	Context map[string]any `json:"context,omitempty"`
	// Requires lists the keys of Context the caller cannot choose (MFA,
	// source IP, VPC, ...): conditions that must hold for the step.
	Requires map[string]any `json:"requires,omitempty"`
	// AllowedBy names the statements that allow the request.
	AllowedBy []string `json:"allowedBy,omitempty"`
	// Note says what the step does when the request alone does not say it.
	Note string `json:"note,omitempty"`
	// Needs lists what must hold outside IAM for the step to work, which
	// the organization's files do not describe (a network path to an
	// instance): requirements the analysis states, not checks it made.
	Needs []string `json:"needs,omitempty"`
}

// Path is one way from a principal to administrator-equivalent power in an
// account (To is Admin) or to a named target (To is its ARN).
type Path struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Steps []Step `json:"steps"`
	// Account is the account where the path ends in admin power.
	Account string `json:"account,omitempty"`
	// Admin is the principal the path ends as and why it is admin.
	Admin *AdminProof `json:"admin,omitempty"`
	// Session lists what the sessions of the path's role chains must
	// carry (MFA at sign-in, a source identity, session tags), Hop being
	// the step that sets it (0: the path's start signs in with it).
	Session []reach.SessionNeed `json:"session,omitempty"`
}

// AdminProof says why a principal is administrator-equivalent: the
// statements that allow the representative requests.
type AdminProof struct {
	Principal string         `json:"principal"`
	AllowedBy []string       `json:"allowedBy,omitempty"`
	Requires  map[string]any `json:"requires,omitempty"`
}

// Node is a principal of the organization: a role (acting as a session) or
// an IAM user, or an identity provider whose users assume roles.
type Node struct {
	ARN     string // the role's, user's or provider's ARN
	Caller  string // the ARN its requests are made as
	Account *org.Account
	Role    *org.Role
	User    *org.User
	// Provider is set for an identity provider: it only starts paths.
	Provider *org.Provider
	// Outside is set for a principal outside the organization (another
	// account, anyone) that a trust policy lets in: it only starts paths.
	Outside bool

	allows []*policy.CompiledStatement // its identity policies' Allow statements
	bound  []*policy.CompiledStatement // its boundary's Allow statements (nil: no boundary)
	admin  *AdminProof
	// grant is how the node makes itself admin (a self grant, or a grant on
	// a principal it can then become), when it is not admin already.
	grant      []Step
	grantProof *AdminProof
	// grantWay, grantee and grantEdges are how: the way the node makes
	// the grant, the principal it makes admin and the edges by which the
	// node then becomes it (none when it is the node itself).
	grantWay   *grantWay
	grantee    *Node
	grantEdges []*Edge
	// sessStmts are its layers' statements that test a key of its
	// sessions (see sessionStmts; nil: not gathered yet).
	sessStmts []analyze.Stmt
	out       []*Edge
	index     int
	// services are the compute services the role trusts (nil: not known yet).
	services []*computeService
}

// Edge says that From can act as To: assume it, run code as it, or take
// its credentials.
type Edge struct {
	From, To *Node
	Kind     string
	Steps    []Step
	// hop is an assumption's edge as package reach decided it alone: a
	// path links its chains of them (see linkSteps).
	hop *reach.Edge
	// service, when set, is the service whose session for To the edge's
	// code runs with (a passed role's, a workload's).
	service *serviceSession
}

// Admin is why the node is administrator-equivalent by its own policies
// (nil when it is not).
func (n *Node) Admin() *AdminProof { return n.admin }

// external reports whether the node only starts paths: an identity
// provider's users or a principal outside the organization.
func (n *Node) external() bool { return n.Provider != nil || n.Outside }
