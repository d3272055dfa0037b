// Package validate implements IAM Access Analyzer's policy validation
// (ValidatePolicy): every check of AWS's policy-check reference
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html),
// with AWS's findingType, issueCode and learnMoreLink, and AWS's locations.
//
// Entry points, for the CLI (warden validate) and the accessanalyzer API's
// ValidatePolicy operation:
//
//	opt, err := validate.OptionsFromAPI(policyType, validatePolicyResourceType) // API enums
//	opt, err := validate.NewOptions(policy.Trust, "")                           // Warden's policy types
//	findings := validate.Validate(policyDocument, opt)                          // []validate.Finding
//
// Finding marshals (encoding/json) to AWS's ValidatePolicyFinding:
// findingType, issueCode, findingDetails, learnMoreLink and locations, each
// a path and a span. OptionsFromAPI's error names the bad parameter, for a
// ValidationException. Validate never fails and is safe for concurrent use;
// findings come in source order.
//
// Rules:
//
//   - Positions are AWS's: line from 1, column from 0, offset from 0, in
//     characters; a span ends after the value (a string's closing quote).
//   - Paths are AWS's: {"value": "Statement"}, {"index": 0}, {"value":
//     "Action"}, {"index": 1}; a finding about an element or key's name
//     ends with {"key": name} and spans the name.
//   - The document is read leniently (duplicate names, values of the wrong
//     JSON type) so that every problem is reported, not only the first; a
//     document that is not JSON is one JSON_SYNTAX_ERROR finding.
//   - Reference checks (services, actions, ARN formats, Regions, condition
//     keys and their types, the keys each action supports, tag keys per
//     service) run against the Service Authorization Reference embedded in
//     internal/awsdata.
//   - Redundancy is exact: a pattern is redundant when every string it can
//     match, today's actions and resources and future ones, another pattern
//     matches too; this is decided on the patterns' automata, not by
//     sampling the reference data. Statements are redundant when their
//     effect, principals, conditions and irredundant actions and resources
//     are the same.
//   - A RESOURCE_POLICY with no resource type whose statements name no
//     resource and only sts: actions is read as a role trust policy, as
//     AWS does.
//   - SCPs use the full IAM policy language (since September 2025): the
//     older SCP_SYNTAX_ERROR_* checks other than principals no longer
//     apply. RCPs have their own grammar checks (RCP_SYNTAX_ERROR_*).
//   - Size quotas: identity policies 6,144 characters without white space,
//     role trust policies 2,048, SCPs and RCPs 5,120 with white space,
//     resource policies 20,480.
package validate
