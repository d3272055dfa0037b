// Package detect finds threats in the trail, as Amazon GuardDuty's IAM
// finding types name them
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html),
// from CloudTrail records alone: Warden's own trail, read from the store, or
// AWS's (a CloudTrail log file).
//
// The detections, each a GuardDuty finding type:
//
//   - Policy:IAMUser/RootCredentialUsage: a request made with an account's
//     root user credentials (userIdentity.type Root), except the events AWS
//     services record (eventType AwsServiceEvent).
//   - Stealth:IAMUser/CloudTrailLoggingDisabled: a successful StopLogging,
//     DeleteTrail or UpdateTrail ("a successful deletion or update of a
//     trail").
//   - DefenseEvasion:IAMUser/AnomalousBehavior: an attempt at one of those
//     that failed (the API GuardDuty lists for defense evasion, StopLogging,
//     called unsuccessfully: GuardDuty's anomalous-behavior findings list
//     unsuccessful calls with their error).
//   - Discovery:IAMUser/AnomalousBehavior: a burst of access-denied errors
//     for one principal: at least Config.DeniedCount within
//     Config.DeniedWindow. GuardDuty's machine-learning model reports such
//     probing as discovery; Warden uses a threshold instead of a model.
//   - InitialAccess:IAMUser/AnomalousBehavior: a successful AssumeRole from
//     an unusual account (outside the organization, and not seen assuming
//     that role within Config.Baseline) or from an unusual source (a
//     network, IPv4 /24 or IPv6 /48, that a principal with at least
//     Config.MinHistory earlier AssumeRole calls within the baseline never
//     called from).
//   - UnauthorizedAccess:IAMUser/RevokedSessionUsage: temporary credentials
//     used after their sessions were revoked, the way IAM revokes them
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html):
//     an inline policy AWSRevokeOlderSessions denying sessions whose
//     aws:TokenIssueTime is before a time. GuardDuty has no finding type for
//     it; Warden names it in GuardDuty's form.
//
// Repeated activity updates one finding (its count, last seen time and
// UpdatedAt), as GuardDuty aggregates findings; a finding whose activity has
// not recurred for Config.ArchiveAfter is archived, as Security Hub archives
// findings not updated for 90 days.
//
// Detection is a function of the trail: the same records give the same
// findings, with the same IDs, in every replica and offline.
//
// Security Hub reads the stored trail as it grows (Detector.ReadStored),
// written by any replica: each record as views of the stored bytes (or,
// when a record of the same shape came recently, by comparing its bytes
// with that one's: up to 1024 shapes, with a bounded work per record
// whatever the trail holds), and whole, copied, only when a rule acts on
// it (a rule's when). Most of a busy trail is calls no rule acts on.
//
// What ReadStored reads is the records as the audit trail's encoder
// writes them, whose hashes `warden audit verify` checks: it reads them
// to the same fields as encoding/json (repeated members and nulls
// included: TestDecodeRepeatedMembersAsJSON, FuzzSlimDecode), but it is
// no JSON validator, and where encoding/json is lenient it is not: a
// member whose name differs from CloudTrail's in case ("EventName") is
// not matched, and a string of invalid UTF-8 or with a lone surrogate
// makes the record unreadable (skipped, reported: SkippedError).
package detect
