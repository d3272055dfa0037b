// Package compliance evaluates AWS Config rules over an organization: the
// AWS managed rules that concern IAM, the trail and S3 bucket policies,
// under AWS's identifiers and with AWS's documented semantics and
// parameters, and an organization's own rules written as CEL expressions
// (https://github.com/google/cel-go) over the org model, with the engine's
// decisions callable from them.
//
// An evaluation names its resource as AWS Config does: an IAM policy by its
// PolicyId, a role by its RoleId, a user by its UserId, a group by its
// GroupId (Warden's stable IDs, the ones the IAM API returns), an account
// by its ID, an S3 bucket by its name. Its compliance type is one of AWS
// Config's: COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA
// (https://docs.aws.amazon.com/config/latest/APIReference/API_Evaluation.html).
//
// Evaluate runs every rule on one input and returns the evaluations sorted
// by account, rule and resource: a pure function of its input, so the same
// org gives the same report offline (`warden compliance`) and in a server.
//
// What the org model does not hold is an input of its own: the credentials
// of users and root users (Credentials, as IAM's credential report lists
// them) and the organization's trail (Trail). An org file holds no
// credentials: OfflineCredentials reports that, and the rules that need
// credentials decide on it (no access keys, no passwords).
package compliance
