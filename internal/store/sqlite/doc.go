// Package sqlite is Warden's embedded store: one SQLite database file,
// dir/warden.db, for a deployment on one machine. It implements store.Store
// and passes store/storetest.
//
// Rules it keeps:
//
//   - Durability: WAL journal with synchronous=FULL, so the WAL is synced on
//     every commit and a write that returned nil survives a crash of the
//     process or of the machine.
//   - One writer: every write goes through a single connection (SQLite
//     allows one writer at a time; queueing in Go is cheaper than
//     SQLITE_BUSY). Write transactions begin IMMEDIATE, so another process
//     sharing the file waits on busy_timeout instead of failing mid-way.
//     Reads use a separate pool of query-only connections and see every
//     committed write.
//   - The audit trail is appended under the writer, so appenders chain one
//     after the other; callers batch many records per AppendAudit (group
//     commit) because each call costs one sync.
//   - The schema is migrations/*.sql, embedded, applied by goose on Open.
//   - Files are private: the directory is created 0700, the database 0600
//     (SQLite gives its -wal and -shm files the database's mode).
package sqlite
