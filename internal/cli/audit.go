package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/sqlite"
)

type storeFlags struct {
	data, database, masterKeyFile string
}

func (f *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.data, "data", defaultDataDir(), "data directory of the SQLite store (and of the master key)")
	cmd.Flags().StringVar(&f.database, "database", "", "PostgreSQL URL instead of the SQLite store")
	cmd.Flags().StringVar(&f.masterKeyFile, "master-key-file", "", "master key file (default DATA/master.key; or WARDEN_MASTER_KEY)")
}

func (f *storeFlags) open(ctx context.Context) (store.Store, *creds.Sealer, error) {
	var st store.Store
	var err error
	if f.database != "" {
		st, err = postgres.Open(ctx, f.database)
	} else {
		if _, serr := os.Stat(filepath.Join(f.data, "warden.db")); serr != nil {
			return nil, nil, fmt.Errorf("no Warden store in %s: %w", f.data, serr)
		}
		st, err = sqlite.Open(ctx, f.data)
	}
	if err != nil {
		return nil, nil, err
	}
	key, err := existingMasterKey(f)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	sealer, err := creds.NewSealer(key)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, sealer, nil
}

// existingMasterKey reads the deployment's master key without ever creating
// one: a reader of the trail that made a new key would only fail to unseal.
func existingMasterKey(f *storeFlags) ([]byte, error) {
	if v := os.Getenv("WARDEN_MASTER_KEY"); v != "" {
		return creds.ParseMasterKey(v)
	}
	path := f.masterKeyFile
	if path == "" {
		path = filepath.Join(f.data, "master.key")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("the master key: %w (give --master-key-file or WARDEN_MASTER_KEY, as the server has it)", err)
	}
	return creds.ParseMasterKey(string(b))
}

func newAudit(env Env) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read, verify and export the audit trail"}
	cmd.AddCommand(newAuditLookup(env), newAuditVerify(env), newAuditHead(env), newAuditTail(env), newAuditExport(env), newAuditDetect(env))
	return cmd
}

func newAuditLookup(env Env) *cobra.Command {
	var sf storeFlags
	var format, eventName, username, attr, value, start, end string
	var max int
	cmd := &cobra.Command{
		Use:   "lookup [--data DIR | --database URL] [--event-name NAME] [--format text|json]",
		Short: "Print trail records, newest first",
		Long: `Print the trail's CloudTrail records, newest first, optionally filtered by one lookup attribute
(--event-name, --username, or --attribute KEY --value V with KEY one of EventName, Username,
ResourceName, ResourceType, EventSource, AccessKeyId, ReadOnly, EventId) and a time range.
--format json prints one CloudTrail record (JSON) per line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want text or json", format)}
			}
			f := audit.Filter{Attribute: attr, Value: value}
			if eventName != "" {
				f.Attribute, f.Value = "EventName", eventName
			}
			if username != "" {
				f.Attribute, f.Value = "Username", username
			}
			var err error
			if f.Start, err = parseTimeFlag(start); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if f.End, err = parseTimeFlag(end); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			ctx := cmd.Context()
			st, _, err := sf.open(ctx)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			defer st.Close()
			if f.Attribute == "Username" {
				// Identity Center's users by name: their events name them
				// by user ID (audit.UsernameOf). A store without an
				// organization yet has none; one whose organization cannot
				// be read is still searched, by the names the records give.
				people, err := sso.UserNames(ctx, sso.OrgDirectory{Orgs: state.New(st, env.Now)})
				switch {
				case err == nil:
					f.People = people
				case !errors.Is(err, store.ErrNotFound):
					fmt.Fprintf(env.Stderr, "warden: Identity Center's user names cannot be read (%v): the events that name a person by user ID alone are not found by name\n", err)
				}
			}
			found, _, err := audit.Lookup(ctx, st, f, 0, max)
			if err != nil {
				return err
			}
			for _, fr := range found {
				if format == "json" {
					env.Stdout.Write(fr.Raw)
					io.WriteString(env.Stdout, "\n")
					continue
				}
				printRecord(env.Stdout, &fr.Record)
			}
			return nil
		},
	}
	sf.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "text", "output format: text or json")
	fl.StringVar(&eventName, "event-name", "", "only events with this name (EventName)")
	fl.StringVar(&username, "username", "", "only events of this user or session name")
	fl.StringVar(&attr, "attribute", "", "lookup attribute key")
	fl.StringVar(&value, "value", "", "lookup attribute value")
	fl.StringVar(&start, "start", "", "earliest event time (RFC 3339)")
	fl.StringVar(&end, "end", "", "latest event time (RFC 3339)")
	fl.IntVar(&max, "max", 1000, "at most this many records")
	return cmd
}

func parseTimeFlag(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: want RFC 3339, as in 2026-11-22T12:00:00Z", s)
	}
	return t, nil
}

func printRecord(w io.Writer, r *audit.Record) {
	status := "ok"
	if r.ErrorCode != "" {
		status = r.ErrorCode
	}
	fmt.Fprintf(w, "%s  %-16s %-28s %-14s %s  (account %s, %s)\n", r.EventTime, r.EventSource, r.EventName, status, r.UserIdentity.ARN, r.RecipientAccountID, r.SourceIPAddress)
}

func newAuditVerify(env Env) *cobra.Command {
	var sf storeFlags
	var format, anchorArg string
	var unsealed time.Duration
	cmd := &cobra.Command{
		Use:   "verify [--data DIR | --database URL] [--anchor HASH|FILE]",
		Short: "Verify the trail's hash chain and signed digests",
		Long: `Verify the whole trail: every record's SHA-256 hash (over every stored column) and its link to
the record before, every digest's Ed25519 signature, number and link to the digest before, that
the digests cover the records without gaps, that the chain head names the last record, that no
record has waited for a digest, and no digest is overdue, by more than --unsealed (digests come
on a fixed cadence, so a trail cut back to an earlier digest shows), and with --anchor that the
trail still contains that digest (a hash from 'warden audit head', or the anchor file serve
writes beside its data directory): a trail cut back or replaced by an older copy fails.

Exit status: 0 when the trail is intact, 1 when any record or digest was changed, removed,
inserted or reordered (each problem is named with where it is), 2 when the store cannot be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, sealer, err := sf.open(ctx)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			defer st.Close()
			keys, err := audit.PublicKeys(ctx, st, sealer)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			opt := audit.VerifyOptions{Now: env.Now(), Unsealed: unsealed}
			if anchorArg != "" {
				a, err := audit.ParseAnchor(anchorArg)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				opt.Anchor = &a
			}
			tuneGC()
			start := time.Now()
			rep, err := audit.Verify(ctx, st, keys, opt)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				enc.Encode(map[string]any{"ok": rep.OK(), "records": rep.Records, "digests": rep.Digests, "firstSeq": rep.FirstSeq,
					"lastSeq": rep.LastSeq, "sealedThrough": rep.Sealed, "problems": rep.Problems})
			} else {
				for _, p := range rep.Problems {
					fmt.Fprintf(env.Stdout, "TAMPERED %s\n", p.Detail)
				}
				verdict := "intact"
				if !rep.OK() {
					verdict = fmt.Sprintf("NOT intact: %d problems", len(rep.Problems))
				}
				fmt.Fprintf(env.Stdout, "trail %s: %d records (%d-%d), %d digests, sealed through record %d, verified in %v\n",
					verdict, rep.Records, rep.FirstSeq, rep.LastSeq, rep.Digests, rep.Sealed, time.Since(start).Round(time.Millisecond))
			}
			if !rep.OK() {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().DurationVar(&unsealed, "unsealed", 10*time.Minute, "grace period: how long a record may wait for its digest, and a digest be overdue, before the digest counts as missing")
	cmd.Flags().StringVar(&anchorArg, "anchor", "", "a digest the trail must still contain: its hash (64 hex digits) or an anchor file")
	return cmd
}

func newAuditHead(env Env) *cobra.Command {
	var sf storeFlags
	var format string
	cmd := &cobra.Command{
		Use:   "head [--data DIR | --database URL] [--format text|json]",
		Short: "Print the newest digest's hash and time: an anchor to keep outside the database",
		Long: `Print the anchor of the trail's newest digest: its number, the SHA-256 of its signed document,
its time and the last record it covers. Keep it outside the database (serve also writes it to a
file beside the data directory after each digest); 'warden audit verify --anchor HASH' later proves
that the trail still reaches at least that far. --format json prints the anchor file's format.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want text or json", format)}
			}
			ctx := cmd.Context()
			st, _, err := sf.open(ctx)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			defer st.Close()
			ds, err := st.AuditDigests(ctx)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if len(ds) == 0 {
				return &ExitError{Code: 1, Err: fmt.Errorf("the trail has no digest yet")}
			}
			a := audit.AnchorOf(ds[len(ds)-1])
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(a)
			}
			fmt.Fprintf(env.Stdout, "%s  digest %d of %s, records up to %d\n", a.Hash, a.Number, a.Time.Format(time.RFC3339), a.LastSeq)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func newAuditTail(env Env) *cobra.Command {
	var sf storeFlags
	var format string
	var interval time.Duration
	var from int64
	cmd := &cobra.Command{
		Use:   "tail [--data DIR | --database URL] [--format text|json]",
		Short: "Follow new trail records as they are written",
		Long:  "Print records as they are appended, oldest first, until interrupted (Ctrl-C).",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, _, err := sf.open(ctx)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			defer st.Close()
			next := from
			if next == 0 {
				last, _, err := st.LastAudit(ctx)
				if err != nil {
					return err
				}
				next = last + 1
			}
			for {
				recs, err := st.AuditRecords(ctx, next, 1000)
				if ctx.Err() != nil {
					return nil // interrupted: a normal end for tail
				}
				if err != nil {
					return err
				}
				for _, row := range recs {
					if format == "json" {
						env.Stdout.Write(row.Data)
						io.WriteString(env.Stdout, "\n")
					} else {
						var r audit.Record
						if json.Unmarshal(row.Data, &r) == nil {
							printRecord(env.Stdout, &r)
						}
					}
					next = row.Seq + 1
				}
				if len(recs) == 1000 {
					continue
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(interval):
				}
			}
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "how often to look for new records")
	cmd.Flags().Int64Var(&from, "from", 0, "start at this record number (default: new records only)")
	return cmd
}

func newAuditExport(env Env) *cobra.Command {
	var sf storeFlags
	var out string
	cmd := &cobra.Command{
		Use:   "export [--data DIR | --database URL] --out DIR",
		Short: "Export the trail as CloudTrail log and digest files",
		Long: `Write the trail as CloudTrail log files, gzipped {"Records":[...]} under
OUT/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/, one file per account, region and hour, and
the digests under OUT/AWSLogs/<owner>/CloudTrail-Digest/<region>/YYYY/MM/DD/, so that existing
CloudTrail tooling can read them. Existing files are not overwritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &ExitError{Code: 2, Err: fmt.Errorf("--out is required")}
			}
			ctx := cmd.Context()
			st, _, err := sf.open(ctx)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			defer st.Close()
			n, files, err := audit.Export(ctx, st, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "exported %d records in %d files to %s\n", n, files, out)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&out, "out", "", "output directory")
	return cmd
}
