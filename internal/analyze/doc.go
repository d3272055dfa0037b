// Package analyze reasons over all requests at once: who outside a zone of
// trust can reach a resource (Access Analyzer's external access findings),
// and the custom policy checks (CheckNoPublicAccess, CheckAccessNotGranted,
// CheckNoNewAccess). It never samples: it splits every dimension of a
// request into finitely many classes, within each of which every policy
// statement gives the same answer, and decides one representative of each
// class with the engine itself (package eval). This is the "stratified
// abstraction" of AWS's Zelkova work (Backes et al., "Stratified Abstraction
// of Access Control Policies", CAV 2020): the literals of the policies
// partition the request space.
//
// # The classes
//
//   - Condition keys (NewSpace, KeyClasses). A key's values are split by
//     every literal the statements test it with. Strings (StringEquals,
//     StringLike, the IgnoreCase forms) and ARNs (ArnLike, ArnEquals, matched
//     part by part when the value is ARN-shaped, as a whole otherwise) are
//     split exactly by exploring the product of the patterns' automata over
//     the characters they name plus one they do not (regions): every
//     combination of "matches / does not match" that some string realizes
//     is found, with its shortest string. Numbers and dates split at each
//     literal (the literal, one on each side, between neighbours), IP
//     addresses at each CIDR block's first address and the address after
//     its last, booleans into true, false and neither. Every key also has
//     the class "absent". A multi-valued key (a set operator, or a list type
//     in AWS's reference) takes every non-empty set of the single-value
//     representatives, up to 6 of them. The classes of several keys combine
//     as a product (Space.Each).
//   - Principals (Principals). Anonymous callers; for each class of account
//     outside the zone (the 12-digit IDs split by every account literal and
//     the account parts of principal ARN patterns) and each class of
//     principal name (the resource parts of principal ARNs, split by the
//     same patterns: the root user, users, role sessions, federated users),
//     with each organization such an account can be in (none, the literals
//     of aws:PrincipalOrgID and aws:PrincipalOrgPaths, one no literal
//     names); other accounts of the organization when the zone is one
//     account; every service principal a policy names, and one it does not,
//     acting for each class of source account and source ARN
//     (aws:SourceAccount, aws:SourceArn); the identity providers a policy
//     names. The keys AWS sets from the caller (IsFixedKey) take the class's
//     values, never free ones.
//   - Actions (ActionsOn, ActionClasses). The actions of AWS's reference
//     whose resource types' ARN templates match the resource, plus the
//     literal actions of services the reference does not know, grouped by
//     the statements that match them.
//   - Resources (ResourceReps). The resource, and for S3 buckets and access
//     points one object per class of object keys the Resource elements tell
//     apart.
//
// # Soundness
//
// Within a class every statement matches or not alike, so the engine's
// decision on the representative is the decision on the whole class: the
// analysis is exact. Where a partition cannot be made exact (a policy
// variable in a condition or Resource value, operators of different families
// on one key, more than 6 values of a multi-valued key, a service the
// reference does not know named by a wildcard, or MaxCombinations reached),
// the access not ruled out is reported as a finding marked Unsure, never
// dropped. A fuzz test checks the property against the engine: whenever the
// engine allows a request from outside the zone, a finding covers it.
//
// # External access (Access, AccessOrg)
//
// Findings follow Access Analyzer
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html):
// a principal outside the zone (another account, anyone, a service acting for
// another account, an identity provider's users) that the resource policy and
// the RCPs of the resource's account let in, assuming its own account's
// policies allow, as Access Analyzer assumes. A finding names the principal
// as the allowing statement does ({"AWS": "*"} for a grant to everyone), the
// actions, the condition on keys the caller cannot choose (IsRestrictingKey:
// aws:PrincipalOrgID, aws:SourceVpce, aws:SourceIp, ...) that the request
// had to meet, and whether it is public: anyone, with no such condition
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
// Each finding carries an example request the engine allows and the
// statement that lets it in. Roles AWS manages (service-linked roles, the
// roles Identity Center provisions) are not analyzed. S3 Block Public
// Access in force for a bucket or access point (Target.BPA, the account's
// and its own) is applied: with RestrictPublicBuckets and a public policy
// (org.PublicS3Statement), only the findings of service principals remain,
// since nobody else outside the owner's account gets in.
//
// # Custom checks (CheckNoPublicAccess, CheckAccessNotGranted, CheckNoNewAccess)
//
// The same classes, over one or two policy documents, with Access Analyzer's
// request and response shapes
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html).
//
// # Reuse
//
// Other analyses (guardrail proofs, who-can, diff) build on the same parts:
// NewSpace and Space.Each for the contexts, Principals for callers outside
// a zone, ActionsOn and ActionClasses for actions, ResourceReps for
// resources; decide each combination with eval.Evaluate, and treat a
// partition whose Exact is false as "unknown", never as "proved".
package analyze
