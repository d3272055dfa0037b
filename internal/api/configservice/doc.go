// Package configservice serves AWS Config's API (botocore's config
// 2014-11-12: JSON 1.1, target prefix StarlingDoveService) over the
// organization's state: Config rules deployed to every account as
// organization rules, their evaluations, compliance by rule and by
// resource, and the organization-wide view through an aggregator in the
// management account or the delegated administrator (the Security
// account).
//
// The rules are those of internal/compliance: the AWS managed rules under
// AWS's identifiers, and the organization's own CEL rules (Owner
// CUSTOM_POLICY, PolicyRuntime cel-1.x.x), checked when put. They are stored with the organization's state (one
// list for the whole organization, as PutOrganizationConfigRule deploys
// them), so every replica serves the same rules; until a rule is put or
// deleted, the managed rules with their defaults are deployed.
//
// Evaluation follows the state: a read after the organization changed
// evaluates every rule again before it answers (configuration-change
// trigger), and periodic rules are evaluated again once their frequency
// has passed (TwentyFour_Hours by default); StartConfigRulesEvaluation
// evaluates at once. Each result keeps the time its compliance was first
// recorded (ResultRecordedTime), and DescribeConfigRuleEvaluationStatus
// the times of the first and last evaluations, both kept in the store's
// records so that every replica answers the same (persist.go). Every change
// of a resource's results appends an item to its compliance history,
// served by GetResourceConfigHistory as AWS::Config::ResourceCompliance
// configuration items, the latest HistoryLimit per resource (history.go).
// A call in an account answers for that account's resources.
package configservice
