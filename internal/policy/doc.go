// Package policy decodes, checks and compiles IAM policy documents.
//
// Decoding keeps the line and column of every element, so that every error
// names the JSON path and position of what is wrong. The grammar is AWS's
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
//
//   - Top level: Version ("2012-10-17" or "2008-10-17"), Id, Statement (one
//     object or an array of objects). Nothing else.
//   - Statement: Sid, Effect ("Allow" or "Deny"), Principal or NotPrincipal,
//     Action or NotAction, Resource or NotResource, Condition. Nothing else;
//     element names are case-sensitive.
//   - Principal: "*" or an object whose keys are AWS, Service, Federated and
//     CanonicalUser, each a string or an array of strings.
//   - Condition: an object of operators, each an object of keys, each a
//     string, number, boolean or an array of them.
//
// Which elements a statement may or must have depends on the policy type
// (identity, resource, role trust, SCP, RCP, permissions boundary, session and
// VPC endpoint policies): see Check. Anything unknown or malformed is an
// error, never silently skipped: evaluation fails closed.
//
// Compile turns a checked document into an immutable Policy that the
// evaluation engine matches requests against, with its statements indexed by
// action so that a request's cost does not grow with statements about other
// services.
package policy
