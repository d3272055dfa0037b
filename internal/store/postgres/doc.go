// Package postgres is Warden's store for several replicas: one PostgreSQL
// database shared by every replica, reached through pgx's database/sql
// driver. It implements store.Store and passes store/storetest.
//
// Rules it keeps:
//
//   - Migrations (migrations/*.sql, embedded, goose) run on Open under a
//     session advisory lock, so replicas starting together apply them once.
//   - Optimistic concurrency is one conditional statement: PutState is
//     UPDATE ... WHERE version = expect (an INSERT ... ON CONFLICT DO NOTHING
//     for version 0), AdvanceMFAStep is UPDATE ... WHERE last_step < step.
//     Under READ COMMITTED a second writer waits for the first's row lock
//     and then re-checks the condition against the committed row, so exactly
//     one of racing writers wins.
//   - The audit trail's appenders lock the chain-head row (SELECT ... FOR
//     UPDATE) for the whole append, so appenders in every replica chain one
//     after the other; a batch is stored with one INSERT ... SELECT FROM
//     unnest(...).
//   - The state's version is known without a query per request
//     (KnownStateVersion): PutState announces each new version with
//     pg_notify in the statement that writes it (delivered on commit), and
//     every replica keeps one connection LISTENing that also reads the
//     version every half VersionBound. A missed notification or a dropped
//     connection delays a change by at most VersionBound: a version is
//     known only within that bound of its last read, after which the
//     caller reads it itself; the listener reconnects and reads the
//     version again before trusting notifications.
package postgres
