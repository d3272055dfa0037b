package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/detect"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// detectFlags are the detections' thresholds, shared by `warden serve` and
// `warden audit detect`.
// `warden serve` names them with the prefix "detect-".
type detectFlags struct {
	cfg    detect.Config
	prefix string
}

func (f *detectFlags) add(fl *pflag.FlagSet, prefix string) {
	d := detect.Defaults()
	f.prefix = prefix
	fl.IntVar(&f.cfg.DeniedCount, prefix+"denied-count", d.DeniedCount, "access-denied errors of one principal that make a burst (Discovery:IAMUser/AnomalousBehavior)")
	fl.DurationVar(&f.cfg.DeniedWindow, prefix+"denied-window", d.DeniedWindow, "the window of a burst of access-denied errors")
	fl.DurationVar(&f.cfg.Baseline, prefix+"baseline", d.Baseline, "how long an account or network stays usual for AssumeRole after it was last seen")
	fl.IntVar(&f.cfg.MinHistory, prefix+"min-history", d.MinHistory, "AssumeRole calls a principal makes before a new network is unusual for it")
	fl.DurationVar(&f.cfg.ArchiveAfter, prefix+"archive-after", d.ArchiveAfter, "archive a finding whose activity has not recurred for this long")
	if prefix != "" {
		fl.DurationVar(&f.cfg.Every, prefix+"every", d.Every, "how often to read the trail's new records for detections")
	} else {
		f.cfg.Every = d.Every
	}
}

func (f *detectFlags) check() error {
	if err := f.cfg.Check(); err != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("--%s%w", f.prefix, err)}
	}
	return nil
}

func newAuditDetect(env Env) *cobra.Command {
	var sf storeFlags
	var df detectFlags
	var logs []string
	var orgPath, format, at string
	cmd := &cobra.Command{
		Use:   "detect [--data DIR | --database URL | --logs PATH...] [--format text|json|asff]",
		Short: "Find threats in a trail, as GuardDuty's IAM finding types name them",
		Long: `Read a trail and report what GuardDuty would find in it (docs/compliance.md, "Detections on the
trail"): root credential use (Policy:IAMUser/RootCredentialUsage), a trail stopped, deleted or
updated (Stealth:IAMUser/CloudTrailLoggingDisabled) or an attempt at it that failed
(DefenseEvasion:IAMUser/AnomalousBehavior), a burst of access-denied errors for one principal
(Discovery:IAMUser/AnomalousBehavior), AssumeRole from an unusual account or network
(InitialAccess:IAMUser/AnomalousBehavior), and credentials used after their sessions were revoked
(UnauthorizedAccess:IAMUser/RevokedSessionUsage, Warden's).

The trail is the store's (--data or --database, the organization from the store), or CloudTrail
log files (--logs, files or directories: {"Records":[...]} gzipped or not, as AWS delivers them
and 'warden audit export' writes them, or one record per line), with the organization of --org
(default the SecureCart landing zone) telling which accounts are the organization's.

Formats: text, json (one finding per line), asff (the findings as GuardDuty sends them to
Security Hub, a JSON array). Exit status: 0 when no finding is active, 1 when some is, 2 for
malformed input.`,
		Example: `  warden audit detect --data /var/lib/warden
  warden audit detect --logs ./AWSLogs --org ./org --denied-count 20 --denied-window 10m --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json", "asff"); err != nil {
				return err
			}
			if err := df.check(); err != nil {
				return err
			}
			now, err := parseTimeFlag(at)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			var o *org.Org
			var recs []*audit.Record
			if len(logs) > 0 {
				if o, err = loadOrg(orgPath); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				if recs, err = detect.ReadLogs(logs); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
			}
			var d *detect.Detector
			if len(logs) == 0 {
				ctx := cmd.Context()
				st, _, err := sf.open(ctx)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				defer st.Close()
				// A trail kept without an organization (warden serve always
				// has one): every account but a role's own is outside.
				var inOrg func(string) bool
				o, err := state.New(st, env.Now).Org(ctx)
				switch {
				case err == nil:
					inOrg = detect.InOrg(o)
				case !errors.Is(err, store.ErrNotFound):
					return err
				}
				d = detect.New(df.cfg, inOrg)
				last, _, err := st.LastAudit(ctx)
				if err != nil {
					return err
				}
				bar := progressBar(env.Stderr, "reading the trail")
				progress := func(seq int64) {
					if bar != nil && last > 0 && seq < last {
						bar(int(seq), int(last))
					}
				}
				_, err = d.ReadStored(ctx, st, 0, progress)
				if bar != nil && last > 0 {
					bar(int(last), int(last))
				}
				// An unreadable record is skipped, with a warning: the
				// findings of the others still count.
				var skipped *detect.SkippedError
				if errors.As(err, &skipped) {
					warnSkipped(env.Stderr, skipped)
					if err == error(skipped) {
						err = nil
					}
				}
				if err != nil {
					return err
				}
			} else {
				d = detect.New(df.cfg, detect.InOrg(o))
				bar := progressBar(env.Stderr, "reading the logs")
				for i, r := range recs {
					d.Observe(r)
					if bar != nil && ((i+1)%1000 == 0 || i+1 == len(recs)) {
						bar(i+1, len(recs))
					}
				}
			}
			if now.IsZero() && len(logs) == 0 {
				now = env.Now()
			}
			found := d.Findings(now)
			if err := writeDetections(env.Stdout, format, found); err != nil {
				return err
			}
			for _, f := range found {
				if !f.Archived {
					return &ExitError{Code: 1}
				}
			}
			return nil
		},
	}
	sf.add(cmd)
	df.add(cmd.Flags(), "")
	fl := cmd.Flags()
	fl.StringArrayVar(&logs, "logs", nil, "CloudTrail log files or directories to read instead of the store (repeatable)")
	fl.StringVar(&orgPath, "org", "", "the organization, with --logs (default: the SecureCart landing zone)")
	fl.StringVar(&format, "format", "text", "output format: text, json or asff")
	fl.StringVar(&at, "at", "", "the time findings are archived against (RFC 3339; default now, or the last record's time with --logs)")
	return cmd
}

// detection is a finding as `warden audit detect --format json` prints it.
type detection struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	Severity    string   `json:"severity"`
	Account     string   `json:"accountId"`
	Principal   string   `json:"principal"`
	AccessKeyID string   `json:"accessKeyId,omitempty"`
	Count       int      `json:"count"`
	First       string   `json:"firstSeen"`
	Last        string   `json:"lastSeen"`
	Archived    bool     `json:"archived"`
	Description string   `json:"description"`
	EventIDs    []string `json:"eventIds"`
	Page        string   `json:"page"`
}

func writeDetections(w io.Writer, format string, found []detect.Finding) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		for _, f := range found {
			if err := enc.Encode(detection{ID: f.ID(), Type: f.Kind.Name, Severity: detect.Label(f.Kind.Severity), Account: f.Account,
				Principal: f.Principal, AccessKeyID: f.AccessKeyID, Count: f.Count, First: f.First.UTC().Format(time.RFC3339),
				Last: f.Last.UTC().Format(time.RFC3339), Archived: f.Archived, Description: f.Description, EventIDs: f.EventIDs, Page: f.Kind.Page}); err != nil {
				return err
			}
		}
		return nil
	case "asff":
		out := make([]detect.ASFF, 0, len(found))
		for i := range found {
			out = append(out, found[i].ToASFF(""))
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(found) == 0 {
		fmt.Fprintln(w, "No findings.")
		return nil
	}
	for _, f := range found {
		state := "ACTIVE"
		if f.Archived {
			state = "ARCHIVED"
		}
		fmt.Fprintf(w, "%s  %s  account %s  %s  (%d, %s .. %s)\n  %s\n  %s\n", detect.Label(f.Kind.Severity), f.Kind.Name, f.Account, state,
			f.Count, f.First.UTC().Format(time.RFC3339), f.Last.UTC().Format(time.RFC3339), f.Description, f.Kind.Page)
	}
	return nil
}

// warnSkipped warns of the trail records detection skipped, unreadable.
func warnSkipped(w io.Writer, e *detect.SkippedError) {
	for _, r := range e.Records {
		fmt.Fprintf(w, "warning: trail record %d is unreadable, skipped (warden audit verify checks the trail): %v\n", r.Seq, r.Err)
	}
	if more := e.Count - len(e.Records); more > 0 {
		fmt.Fprintf(w, "warning: %d more trail records are unreadable, skipped\n", more)
	}
}
