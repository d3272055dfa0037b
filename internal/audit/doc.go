// Package audit keeps Warden's trail: every API call and sign-in as a
// CloudTrail record (eventVersion 1.11), durable before the call is
// answered, hash-chained and sealed by signed digests so that any change is
// detected.
//
// The algorithm (compare CloudTrail log file integrity validation,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html):
//
//   - Records are numbered from 1 in the order they are stored. Each stored
//     record's Hash is SHA-256 over the previous record's Hash (empty for
//     the first record) and every stored column: Seq, Time, EventID, Account
//     and Data, the record's JSON (see hasher). Changing any column,
//     removing, inserting or reordering a record breaks every later hash.
//   - A digest seals the records after the previous digest up to its own last
//     record. Its document (JSON) names the first and last sequence numbers,
//     their times, the last record's hash, the previous digest's signature
//     (its hash chain), the signing key's ID and the digest's time; it is
//     signed with the trail's Ed25519 key. The keys are sealed in the store
//     under the master key; their public halves are served by ListPublicKeys.
//   - Digests are numbered from 1. One is written every DigestEvery records,
//     within SealWithin of a record arriving, and every DigestInterval even
//     when no record arrived (then covering none), and one when the trail
//     closes, marked as its stop. Each says when the next is due. After each,
//     Options.Anchor receives the newest digest's hash (Anchor), to be kept
//     outside the database (Publisher).
//   - Verify checks every record's hash, every digest's signature and stored
//     columns, that the numbers follow on and each digest links to the one
//     before, that the digests cover the records without gaps, that the
//     chain head (the last record's number and hash, stored apart from the
//     records) names the last record and none follows it, that no record is
//     left unsealed and the newest digest is not overdue beyond a grace
//     period (unless it marks a stop), and that an anchor, when given, is
//     among the digests. It reads the trail
//     in ranges of records, several at once on their own connections,
//     hashing each range as it reads it, and then checks that each range
//     follows the one before.
//   - Retention (Trail.Retain, Options.Retention) removes whole digest
//     periods only, oldest first, and never a record not yet sealed; the
//     digests are kept, and verification starts from the last removed
//     period's digest, so it never breaks the chain.
//
// Appends use group commit: concurrent calls' records are written by one
// goroutine in one transaction, and each call returns when its transaction
// has committed, so that throughput stays high while every acknowledged
// record is durable.
package audit
