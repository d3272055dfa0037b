// Package securityhub serves AWS Security Hub's API (botocore's
// securityhub 2018-10-26: REST-JSON) over the organization: one place for
// every finding, in the AWS Security Finding Format (ASFF 2018-10-08).
//
// The Security account is the organization's delegated administrator: a
// call from it (or from the management account) sees every account's
// findings; a call from a member account sees its own.
//
// Findings come from sources: the Config rules' evaluations as Security Hub
// control findings (FAILED, PASSED), the external access findings of the
// Access Analyzer analysis, the trail's detections as GuardDuty's findings
// (detections.go, internal/detect), and the findings callers import with
// BatchImportFindings. Findings are computed from the organization's
// state on each read after it changed, so a finding whose cause changes is
// updated (the same Id, a new UpdatedAt) and one whose cause is gone is
// archived (RecordState ARCHIVED, Workflow RESOLVED), never duplicated.
// The access findings come from an incremental analysis
// (analyze.Incremental): a change reanalyzes only the resources it
// touched, and the Background task brings the analysis up to each new
// state (at start and every detection period), so a read seldom analyzes
// anything itself. The Config rules' public-bucket checks keep theirs in
// compliance.Live the same way.
// Workflow changes (BatchUpdateFindings) are kept per finding Id. Findings,
// workflow changes and insights live in the store's records (persist.go),
// so that every replica serves the same.
package securityhub
