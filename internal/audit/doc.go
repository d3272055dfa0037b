// Package audit keeps Warden's trail: every API call and sign-in as a
// CloudTrail record (eventVersion 1.11), durable before the call is
// answered, hash-chained and sealed by signed digests so that any change is
// detected.
//
// The algorithm (compare CloudTrail log file integrity validation,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html):
//
//   - Records are numbered from 1 in the order they are stored. Each stored
//     record has Hash = SHA-256(PrevHash || Data), where Data is the record's
//     JSON and PrevHash the previous record's Hash (empty for the first
//     record). Changing, removing, inserting or reordering a record
//     breaks every later hash.
//   - A digest seals the records after the previous digest up to its own last
//     record. Its document (JSON) names the first and last sequence numbers,
//     their times, the last record's hash, the previous digest's signature
//     (its hash chain), the signing key's ID and the digest's time; it is
//     signed with the trail's Ed25519 key. The keys are sealed in the store
//     under the master key; their public halves are served by ListPublicKeys.
//   - A digest is written every DigestEvery records and every DigestInterval,
//     whichever comes first. Verify checks every record's hash, every
//     digest's signature, that each digest links to the one before, that the
//     digests cover the records without gaps, that the chain head (the last
//     record's number and hash, stored apart from the records) names the
//     last record, and that no record older than DigestInterval plus a grace
//     period is left unsealed (a removed latest digest). It reads the trail
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
