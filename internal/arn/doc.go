// Package arn parses Amazon Resource Names and matches them against the
// wildcard patterns of IAM policies.
//
// The rules implemented here come from the IAM User Guide:
//
//   - An ARN has six colon-separated parts: arn:partition:service:region:account:resource.
//     The resource part may itself contain colons and slashes
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
//   - In the Resource element and in the Arn* condition operators, each of the
//     six parts is matched separately; within a part, * matches any run of
//     characters (including none) and ? matches exactly one character. The
//     resource part is matched as a whole, so * there spans / and :
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
//   - ARN matching is case-sensitive; action matching is not (see MatchFold).
//
// Nothing here allocates on the matching paths: the policy engine calls them
// once per statement per request.
package arn
