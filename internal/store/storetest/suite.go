// Package storetest is the suite every store.Store implementation passes
// (in the manner of teleport's services/suite): one Run, called from each
// implementation's tests with a function that opens a fresh, empty store.
//
// What it pins down, beyond the comments in store.go:
//
//   - Times round-trip exactly (to the nanosecond), and read back in UTC.
//   - Optimistic concurrency: concurrent read-modify-write loops that retry
//     on ErrConflict lose no update.
//   - AdvanceMFAStep: of many concurrent advances to one step, exactly one
//     succeeds.
//   - TouchAccessKey ignores a use older than the recorded one; retiring a
//     retired server key keeps its first retirement time.
//   - The audit chain: build sees the head; a batch that does not continue
//     the chain is refused whole; concurrent appenders give a gapless chain;
//     the head (LastAudit) survives retention, and the chain continues.
//   - A limit below 1 returns no records.
//   - Sign-in: a device authorization is decided once and exchanged once
//     (of concurrent exchanges exactly one wins); a poll sooner than the
//     interval slows the client down by 5 seconds; a token is revoked once,
//     and revoking a sign-in keeps earlier revocation times; rate-limit
//     windows restart after their length and count concurrent hits.
//   - Records: versions are the namespace's revision at the write, so a
//     refused write or batch moves nothing; keys list in byte order
//     whatever the database's collation; deletions show in RecordChanges
//     until purged, and then changes from before them are ErrStale;
//     concurrent read-modify-write loops lose no update.
//   - Each AppendAudit is one block with its records' Seq and time range as
//     columns; AuditBlocks reads the blocks whose first record is in a Seq
//     range, both ends included, and several ranges can be read at once;
//     the record queries read across and within blocks alike.
//
// Every time the suite uses is fixed (a fake clock), never time.Now.
package storetest

import (
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Run runs the suite. open must return a new, empty store each time it is
// called; Run closes every store it gets (and checks Close), so open should
// register only its own clean-up (files, databases) with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"StateRoundTrip", testStateRoundTrip},
		{"StateVersionConflict", testStateVersionConflict},
		{"StateConcurrentWriters", testStateConcurrentWriters},
		{"AccessKeys", testAccessKeys},
		{"AccessKeyStatus", testAccessKeyStatus},
		{"AccessKeyTouch", testAccessKeyTouch},
		{"ServerKeys", testServerKeys},
		{"MFADevices", testMFADevices},
		{"MFAAdvance", testMFAAdvance},
		{"MFAAdvanceConcurrent", testMFAAdvanceConcurrent},
		{"AuditChain", testAuditChain},
		{"AuditRefusesBrokenBatch", testAuditRefusesBrokenBatch},
		{"AuditConcurrentAppenders", testAuditConcurrentAppenders},
		{"AuditRecordsPaging", testAuditRecordsPaging},
		{"AuditBlocks", testAuditBlocks},
		{"AuditRecordsByTime", testAuditRecordsByTime},
		{"AuditDigests", testAuditDigests},
		{"DeleteAuditThrough", testDeleteAuditThrough},
		{"DeleteAuditMany", testDeleteAuditMany},
		{"SSOClients", testSSOClients},
		{"DeviceAuthFlow", testDeviceAuthFlow},
		{"DeviceAuthConsumeConcurrent", testDeviceAuthConsumeConcurrent},
		{"SSOTokens", testSSOTokens},
		{"SSOPasswords", testSSOPasswords},
		{"RateLimits", testRateLimits},
		{"RecordsRoundTrip", testRecordsRoundTrip},
		{"RecordsConflicts", testRecordsConflicts},
		{"RecordsRejectBadInput", testRecordsRejectBadInput},
		{"RecordsDelete", testRecordsDelete},
		{"RecordsBatch", testRecordsBatch},
		{"RecordsList", testRecordsList},
		{"RecordChanges", testRecordChanges},
		{"RecordsConcurrentWriters", testRecordsConcurrentWriters},
		{"UseOnce", testUseOnce},
		{"UseOnceConcurrent", testUseOnceConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
	t.Run("Close", func(t *testing.T) {
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, _, err := s.State(t.Context()); err == nil {
			t.Errorf("State after Close: got no error, want one")
		}
	})
}

// t0 is the suite's fake clock reading; it has nanoseconds so that a store
// that truncates times fails.
var t0 = time.Date(2026, 11, 22, 12, 0, 0, 123456789, time.UTC)

// at returns t0 plus sec seconds.
func at(sec int64) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// ts formats a time for comparison: two times are the same instant in UTC
// exactly when their ts are equal.
func ts(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.UTC().Format(time.RFC3339Nano) + "/" + t.Location().String()
}
