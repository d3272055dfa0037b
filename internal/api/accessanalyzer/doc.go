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
//     UpdateArchiveRule, DeleteArchiveRule, ApplyArchiveRule. A rule archives
//     the new findings that match it; ApplyArchiveRule archives the existing
//     ones.
//
// Findings are recomputed from the organization's current state whenever an
// analyzer's findings are read and the state has changed since they were
// computed, before the call answers: a resource policy changed through the
// API shows in the next ListFindings. Unread, they are recomputed at most
// RefreshEvery (10 seconds) after the change. Each change of a finding (created,
// resolved, active again, archived, unarchived) is recorded in the audit
// trail as an event of access-analyzer.amazonaws.com named after the change
// (FindingCreated, FindingResolved, ...), in the analyzer's account.
//
// Analyzers, archive rules and finding statuses live in the server process:
// each replica keeps its own, and a restart forgets them (the findings
// themselves are recomputed from the stored organization).
package accessanalyzer
