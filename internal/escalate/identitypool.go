package escalate

import (
	"strings"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// cognitoPrincipal is the federated principal of Amazon Cognito identity
// pools: the web identity Cognito's tokens are issued by, which a role's
// trust policy names (Federated) to let a pool's identities assume it.
const cognitoPrincipal = policy.CognitoIdentity

// needDeveloperProvider is what the developer-authenticated identity
// needs of the pool, which the org files do not say.
const needDeveloperProvider = "a developer provider name set on the identity pool (DeveloperProviderName), which developer-authenticated identities sign in with"

// identityPoolEdges adds the edges of pathfinding.cloud cognitoidentity-001
// through the authenticated role, on the identity pools of the caller's
// account (the org format's workloads): the caller passes a role
// (iam:PassRole, iam:PassedToService cognito-identity.amazonaws.com) that
// cognito-identity:SetIdentityPoolRoles makes the pool's authenticated
// role, signs an identity of its own in as a developer-authenticated user
// (cognito-identity:GetOpenIdTokenForDeveloperIdentity on the pool), and
// exchanges the token for the role's credentials (GetCredentialsForIdentity,
// a public API that IAM does not authorize): Cognito assumes the role with
// sts:AssumeRoleWithWebIdentity, decided under the role's trust policy as
// the federated principal cognito-identity.amazonaws.com with
// cognito-identity.amazonaws.com:aud the pool's ID and
// cognito-identity.amazonaws.com:amr "authenticated" (Amazon Cognito
// Developer Guide, "IAM roles" and "Developer-authenticated identities").
// That step's principal is the pool's ARN: the identity of the pool that
// makes the request, which warden explain --principal takes as the
// federated principal with the pool's ID as its audience (one ARN, as
// every other step names its principal).
//
// The pool's unauthenticated role is not an edge: in the enhanced flow
// Cognito scopes its credentials down with the session policy
// AmazonCognitoUnAuthedIdentitiesSessionPolicy, and in the basic flow
// (GetOpenIdToken, then sts:AssumeRoleWithWebIdentity by the caller) the
// role's trust policy alone decides, with or without SetIdentityPoolRoles:
// that is the assume-role edge from the federated principal.
func (a *analyzer) identityPoolEdges(from *Node) {
	if from.external() || !from.may("iam:PassRole") || !from.may("cognito-identity:SetIdentityPoolRoles") || !from.may("cognito-identity:GetOpenIdTokenForDeveloperIdentity") {
		return
	}
	var pools []*org.Workload
	for _, w := range a.workloads[from.Account] {
		if w.Kind == org.WorkloadIdentityPool {
			pools = append(pools, w)
		}
	}
	if len(pools) == 0 {
		return
	}
	set := a.decide(from, request{action: "cognito-identity:SetIdentityPoolRoles", resource: "*"})
	if set == nil {
		return
	}
	tokens := map[*org.Workload]*Step{}
	identities := map[*org.Workload]*Node{}
	for _, to := range a.nodesIn(from.Account) {
		if to == from || to.Role == nil || !namesFederated(to, cognitoPrincipal) {
			continue
		}
		var pass *Step
		for _, pool := range pools {
			id := pool.ARN[strings.Index(pool.ARN, ":identitypool/")+len(":identitypool/"):]
			cognito := identities[pool]
			if cognito == nil {
				cognito = &Node{Caller: pool.ARN}
				identities[pool] = cognito
			}
			assume := a.decide(cognito, request{action: "sts:AssumeRoleWithWebIdentity", resource: to.ARN, fixed: map[string][]string{
				"cognito-identity.amazonaws.com:aud": {id}, "cognito-identity.amazonaws.com:amr": {"authenticated"}}})
			if assume == nil {
				continue
			}
			if pass == nil {
				if pass = a.decide(from, request{action: "iam:PassRole", resource: to.ARN, fixed: map[string][]string{"iam:PassedToService": {cognitoPrincipal}}}); pass == nil {
					break
				}
			}
			token, ok := tokens[pool]
			if !ok {
				token = a.decide(from, request{action: "cognito-identity:GetOpenIdTokenForDeveloperIdentity", resource: pool.ARN})
				if token != nil {
					token.Needs = append(token.Needs, needDeveloperProvider)
				}
				tokens[pool] = token
			}
			if token == nil {
				continue
			}
			s, t := *set, *token
			s.Note = "the identity pool " + id + "'s authenticated role set to " + to.ARN
			assume.Note = "Cognito, given the token (GetCredentialsForIdentity, which IAM does not authorize), assumes the pool's authenticated role and returns its credentials: " + to.ARN
			a.edge(from, to, KindIdentityPoolRoles, *pass, s, t, *assume).service = &serviceSession{service: cognitoPrincipal, name: "CognitoIdentityCredentials"}
			break
		}
	}
}

// namePool names by its pool's ARN a step that Cognito's federated
// principal makes for the identities of one identity pool of workloads (its
// cognito-identity.amazonaws.com:aud the pool's ID, which is unique: a
// Region and a GUID), and the path's start when it is that step's: the
// identities of that pool, as warden explain --principal takes the pool's
// ARN. A step for a pool the org files do not list keeps the federated
// principal's name.
func (a *analyzer) namePool(p *Path) {
	for i := range p.Steps {
		s := &p.Steps[i]
		if s.Principal != cognitoPrincipal {
			continue
		}
		aud, _ := s.Context[cognitoPrincipal+":aud"].(string)
		acct := ""
		if parts := strings.SplitN(s.Resource, ":", 6); len(parts) == 6 {
			acct = parts[4]
		}
		pool := a.poolByID(aud, acct)
		if pool == "" {
			continue
		}
		if i == 0 && p.From == cognitoPrincipal {
			p.From = pool
		}
		s.Principal = pool
	}
}

// poolByID is the ARN of the identity pool of workloads whose ID is id
// ("" for none): the one in account acct (the account of the role the step
// assumes, where identityPoolEdges takes its pools) when there is one, else
// the one in the account of the lowest ID, so that org files listing one ID
// in several accounts name the same pool in every run.
func (a *analyzer) poolByID(id, acct string) string {
	if id == "" {
		return ""
	}
	found, foundAcct := "", ""
	for account, ws := range a.workloads {
		for _, w := range ws {
			if w.Kind != org.WorkloadIdentityPool || !strings.HasSuffix(w.ARN, ":identitypool/"+id) {
				continue
			}
			if account.ID == acct {
				return w.ARN
			}
			if found == "" || account.ID < foundAcct {
				found, foundAcct = w.ARN, account.ID
			}
		}
	}
	return found
}

// namesFederated reports whether a role's trust policy names the federated
// principal in an Allow statement (or any principal).
func namesFederated(to *Node, fed string) bool {
	return to.Role.Trust != nil && trustNames(to.Role.Trust, func(p *policy.Principal) []policy.Str { return p.Federated }, fed)
}
