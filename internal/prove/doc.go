// Package prove proves an organization's guardrails (`warden prove`, the
// contract of shared/spec/analyze.md): "no request by a principal matching
// P, of accounts A, for actions X on resources R, is allowed, under any
// context", and its "only principals Q can" form (except:).
//
// # What is covered
//
// The principals are the organization's own: each account's root user, each
// role acting as a session (and, apart, each session of it a Principal
// element names by its session ARN), each IAM user; and, when the guardrail
// names no accounts, the classes of callers outside the organization that
// its resource policies and RCPs (and trust policies, for the STS actions)
// tell apart (analyze.Principals: other accounts and their principals,
// anyone, AWS services, identity providers' users), split by the
// guardrail's principals and except globs too, each on the org's resources
// only. Each one's whole situation package authz assembles (identity policies, permissions boundary, the SCPs of the
// account from the root down, the resource's policy or a role's trust policy,
// the RCPs of the resource's account). Actions are those named, globs
// expanded over AWS's Service Authorization Reference. Resources are split
// into classes by every Resource element of the statements that can apply
// (analyze.ResourceClasses), by the ARNs of the org's resource policies (and
// of its roles for the STS actions), and, where RCPs differ between accounts
// or a statement tests aws:ResourceAccount, by account.
//
// # Contexts
//
// A key the guardrail's context gives keeps its value. A key AWS sets from
// the caller or the resource (aws:PrincipalArn, aws:PrincipalTag/*,
// aws:userid, aws:ResourceAccount, ...) takes the value AWS would give it,
// and policy variables of such keys are replaced by those values; except a
// role session's aws:userid ("role-id:session-name", the name the caller's
// choice, the role's ID not in the org), which ranges like a key the caller
// sets (a policy variable of it is not exact); and a role session's
// aws:PrincipalTag/* keys when the role's trust policy allows
// sts:TagSession (session tags override the role's), which range freely or
// over the values the trust's StringEquals aws:RequestTag/KEY allows (see
// sessionTagsOf), or freely when the role can be assumed from a session
// that may carry transitive tags (see inherits). Every
// other key the statements test, which the caller controls or which ranges
// over whatever values requests carry, is split into the classes of
// analyze.NewSpaceVars, and one representative of each class is decided by
// the engine: within a class every statement answers alike, so the decision
// on the representative is the decision on the class.
//
// # Answers
//
// Proved: every class is denied; the answer names, per class of principals,
// the statements (or, for an implicit deny, the layer without an allow) that
// denied. Refuted: a class is allowed; its representative is the
// counterexample, a request `warden explain` allows, with the statements
// that allowed it, and, when its session's tags are not its role's, the
// chain of assumptions that makes that session (see sessionChain): a class
// no chain makes is not a counterexample. Unknown: nothing was found allowed, but some partition
// is not exact (a policy variable of a key the caller chooses, operators of
// several families on one key, too many classes): unknown is never reported
// as proved.
package prove
