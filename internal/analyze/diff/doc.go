// Package diff compares the decisions of two organizations (`warden diff`,
// the contract of shared/spec/analyze.md): every request whose decision is
// Allow in one and not in the other, grouped into classes, each with an
// example request that the engine decides that way in both, the statements
// that cause the change and its direction (opened: allowed in NEW only;
// closed: allowed in OLD only).
//
// # Where decisions can change
//
// A request's decision is a function of the principal's side (its identity
// policies, permissions boundary, SCP levels and the context keys AWS sets
// from it), the resource's side (its policy or a role's trust policy, the
// RCP levels and organization path of its account) and the request's own
// context. Within one layer the engine only reads the statements whose
// Action element matches the request's action. So the two organizations are
// compared layer by layer, statement by statement (by content, not by
// position: a reformatted file changes nothing), and:
//
//   - a principal whose side differs is compared on the actions that a
//     changed statement of its side matches (every action when a layer
//     appears or disappears, or a key AWS sets from it changes), on every
//     resource;
//   - every principal, including the classes of principals outside the
//     organization (analyze.Principals), is compared on the resources whose
//     side differs (a declared resource, a role's trust policy, an account's
//     RCPs or path), on the actions a changed statement of that side
//     matches.
//
// Any other request meets the same matching statements in both
// organizations, hence the same decision.
//
// # Classes, never samples
//
// What may change is then split as package analyze splits requests: actions
// into classes that every statement of both organizations treats alike
// (further split by whether RCPs apply to their service and whether they
// are the STS actions that read a trust policy), resources by every
// Resource element of both organizations and by the ARNs whose policies or
// accounts differ (analyze.ResourceClasses), contexts by every literal the
// statements of both organizations test (analyze.NewSpaceVars). Within a
// class every statement of both organizations answers alike, so the engine's
// two decisions on the representative are those on the whole class. Where a
// partition cannot be made exact (a policy variable of a key the caller
// chooses, operators of several families on one key, too many classes), the
// representatives are still decided and what they show is reported, and the
// principal and action are reported as unknown: not proved unchanged.
//
// AWS refuses some requests whatever the policies say (eval's refusals:
// reserved roles and policies, aws: tag keys); their decision never
// changes. When a representative is refused, the other actions of its class
// are tried, so that the class's other members are not missed.
//
// # Principals in equal situations
//
// Principals whose situations are equal up to their account (the same
// role, policies and SCPs in many accounts, with nothing on the resource
// side telling the accounts apart for the actions that may change) form a
// class, compared once through its first principal: see situations.go.
// The resources its account owns are part of its class key.
//
// # Resources in equal situations
//
// For one principal and one action class, accounts whose resource sides
// are equal up to their account ID and their resources' names (twins) are
// compared once through a representative, the others' ARNs left out of the
// partition: see sites.go. Options.PerPrincipal compares every principal on
// every resource on its own, the reference the tests compare with.
//
// # Reporting
//
// Changes of several principals with the same action class, resource
// class, context class, direction and causes are reported once, with the
// principals listed. Each example is decided again by authz.Decide in both
// organizations, exactly as `warden explain` would, before it is reported.
package diff
