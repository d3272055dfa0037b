// Package accessanalyzer implements IAM Access Analyzer's API (REST-JSON,
// botocore's accessanalyzer 2019-11-01) on Warden's organization:
//
//   - ValidatePolicy (package analyze/validate) and the custom policy checks
//     CheckNoPublicAccess, CheckAccessNotGranted and CheckNoNewAccess
//     (package analyze): stateless, any principal allowed the action.
//   - Analyzers of type ACCOUNT (the caller's account is the zone of trust)
//     and ORGANIZATION (the organization is; created only from the
//     management account or the delegated administrator, which is the
//     organization's account named Security, as the org format names no
//     delegated administrators): CreateAnalyzer, GetAnalyzer, ListAnalyzers,
//     DeleteAnalyzer.
//   - External access findings (package analyze): ListFindings,
//     ListFindingsV2, GetFinding, GetFindingV2 with filters (eq, neq,
//     contains, exists on the filter keys of
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html),
//     sorting and pagination; UpdateFindings archives and unarchives.
//   - Archive rules: CreateArchiveRule, GetArchiveRule, ListArchiveRules,
//     UpdateArchiveRule, DeleteArchiveRule, ApplyArchiveRule. As in AWS
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-archive-rules.html),
//     a rule archives the new findings that match it (and a resolved
//     finding found again); ApplyArchiveRule archives the existing ones.
//
// Analyzers (with their archive rules) and findings (with their status,
// times and IDs) are stored in the store's records (namespaces
// accessanalyzer/analyzers and accessanalyzer/findings), so they survive a
// restart and every replica serving one database serves the same. Reads
// (ListFindings, GetFinding, ...) answer from the stored findings at once:
// they never wait for an analysis.
//
// A worker in each replica analyzes in the background: every PollEvery
// (250 ms) it compares each analyzer's StateVersion, the version of the
// organization's state its findings reflect, with the state's, and when
// the state is newer it analyzes again the resources the change touched
// (analyze.Incremental: a changed resource policy reanalyzes that resource;
// a change of accounts or OUs reanalyzes all) and reconciles the stored
// findings in one batch with the analyzer's new StateVersion. Of several
// replicas reconciling one change, one batch wins and the others find
// nothing left to do. Meanwhile the findings of the last complete analysis
// are served. A new analyzer is CREATING until its first analysis is
// stored. So a change of a resource policy (through IAM's
// UpdateAssumeRolePolicy, CreateRole, or a new org file) shows in the
// findings within PollEvery plus the analysis of what it touched: BENCHMARKS.md
// measures it on SecureCart and on 1,000 accounts.
//
// Each change of a finding is recorded in the audit trail, by the replica
// that stored it, as an event of access-analyzer.amazonaws.com in the
// analyzer's account named after the change: FindingCreated,
// FindingUpdated (its access changed), FindingResolved, FindingReopened,
// FindingArchived and FindingUnarchived.
package accessanalyzer
