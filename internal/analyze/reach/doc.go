// Package reach answers who can reach what in an organization: the
// role-assumption graph (who can assume which role), `warden who-can`
// (every principal that can make a request, directly or by assuming roles)
// and `warden can` (what one principal can do).
//
// # Principals
//
// The organization's own: each account's root user, each role (acting as a
// session of it), each IAM user, and each role Identity Center provisions
// for a permission set (KindPermissionSet: the users and groups assigned to
// the permission set in that account are the people behind it). Outside
// it, whoever a resource or trust policy lets in: other accounts (named by
// their root ARN or by the ARN the policy names), AWS service principals
// (acting for each class of source account), the users of SAML and OIDC
// identity providers (a provider of an org account must exist there), and
// anyone ("*"). The outside principals are package analyze's classes
// (analyze.Principals), so that a condition on aws:PrincipalOrgID,
// aws:SourceAccount or aws:SourceArn splits them exactly.
//
// # Decisions
//
// Every decision is the engine's (eval.Evaluate on the inputs authz.Assemble
// builds, as `warden explain` does): the principal's identity policies,
// permissions boundary, the SCPs of its account, the resource's policy (a
// role's trust policy for sts:AssumeRole*), the RCPs of the resource's
// account. The context keys the caller does not fix range over all their
// values, split into package analyze's classes (analyze.NewSpaceVars), and
// a request is possible when the engine allows one class. The keys whose
// class decides (another class of the key, the rest unchanged, is denied)
// are the request's requirements: MFA, an external ID, a source address,
// a region. A partition that cannot be made exact (a policy variable of a
// key the caller chooses, too many classes) is reported Unsure and kept as
// possible, never dropped: like package analyze, the answer is sound.
//
// # The graph
//
// Graph.Into(role) lists the edges into a role: each principal that can
// call sts:AssumeRole on it (sts:AssumeRoleWithSAML or
// sts:AssumeRoleWithWebIdentity for an identity provider's users), with
// the requirements of that call. Edges are computed on demand per role and
// cached. The candidates are read from the trust policy: the principals it
// names, the principals of the accounts it names whose identity policies
// have an Allow statement that can match the call, everyone's for a grant
// to "*"; the cost follows them, not the organization's size. Roles that
// Identity Center provisions trust its SAML provider; their edge from the
// provider is left out, the permission set's assignments standing for it.
// A service-linked role's trust policy, which AWS keeps, names its service.
//
// # Who can
//
// Graph.WhoCan decides the request for each candidate principal (those
// whose identity policies can allow it in the resource's account, those the
// resource's policy names or lets in), then walks the graph backwards from
// each role that can: whoever can assume such a role can make the request
// through it. Each principal is listed once, with its shortest path. The
// caller's context keys apply to the request itself; each assumption on
// the way is decided over every context, with its own requirements.
package reach
