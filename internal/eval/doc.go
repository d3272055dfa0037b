// Package eval decides whether AWS would allow a request, and explains why.
//
// Evaluate follows AWS's policy evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
//
//  1. An explicit Deny in any applicable policy (SCPs, RCPs, VPC endpoint,
//     resource, identity, permissions boundary, session) decides: ExplicitDeny.
//  2. SCPs, when the caller's account is under them, need an Allow at every
//     level from the root to the account. They do not apply to the management
//     account (no SCP input), to service-linked roles, or to callers that
//     belong to no account (anonymous, services, identity providers).
//  3. RCPs of the resource's account only deny: RCPFullAWSAccess is attached
//     at every level and cannot be detached. They do not apply to
//     service-linked roles. Which requests get RCPs at all (their services,
//     actions with a resource type, not kms:RetireGrant, not a
//     service-linked role's trust policy) is decided by the caller of
//     Evaluate (package authz).
//  4. VPC endpoint policies, when the request passed an endpoint, must allow.
//  5. Within one account, an Allow in the resource policy or in the identity
//     policies suffices. What a resource policy grant is worth depends on how
//     it names the caller: naming the IAM user, the role session, the
//     federated user or everyone ("*") grants by itself, beyond the identity
//     policies, permissions boundary and session policy; naming a session's
//     role, or the IAM user that created a federated user session
//     (GetFederationToken), is still limited by that entity's boundary and the
//     session policy (access_policies.html#policies_session); naming the
//     account delegates to the identity policies. Role trust policies and KMS
//     key policies must allow the caller explicitly: an identity policy alone
//     is not enough.
//  6. Across accounts, the caller's identity policies (within boundary and
//     session policy) and the resource policy must both allow.
//  7. Identity policies are intersected with the permissions boundary and the
//     session policy. The root user has every permission in its account.
//  8. Otherwise: ImplicitDeny.
//
// An action that takes no resource (no resource type in the Service
// Authorization Reference; the caller marks it with Request.TakesNoResource)
// is evaluated against "*" whatever resource the request names, so only a
// Resource of "*" applies to it, not a service-wide ARN such as
// "arn:aws:s3:::*" (reference_policies_elements_notaction.html).
//
// A few requests are special in AWS and here: sts:GetCallerIdentity needs no
// permission; and AWS refuses some requests whatever the policies say, as each
// service's documentation states (reserved.go): changes to AWS managed IAM and
// Organizations policies, to roles under /aws-reserved/ and to the permissions
// of service-linked roles, tag keys with the aws: prefix, the root user
// assuming a role, and S3's reserved bucket names. Explanation.Refusal names
// the rule and its page; when the policies allow such a request, the decision
// is an implicit deny that no policy decided (DeniedBy none), with the rule in
// Note.
//
// The package is pure: no I/O, no clock, no logging. Requests carry their
// context, including aws:CurrentTime, from the caller.
package eval
