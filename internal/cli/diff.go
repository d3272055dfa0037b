package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/analyze/diff"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

func newDiff(env Env) *cobra.Command {
	var format, failOn string
	cmd := &cobra.Command{
		Use:   "diff [--format text|json|markdown] [--fail-on opened|any] OLD NEW",
		Short: "Show every request whose decision changes between two organizations",
		Long: `Compare the decisions of two organizations over every request: each class of requests (principal,
action, resource, context) that the engine allows in NEW and not in OLD (opened) or the other way
(closed), with an example request that warden explain decides so in each, the statements that
decide it in OLD and NEW (policy, Sid, file:line:column; the statements that differ are marked),
and the principals and resources with the same change. What a reviewer of an SCP or a
permission-set change asks: what does this open, and what does it break?

It never samples: requests are split into classes within which every statement of both
organizations answers alike (the principals whose policies differ and every principal on the
resources whose policies differ; actions, resources and context keys split by every literal of
both organizations' policies), and each class is decided by the engine in both. Where a class
cannot be split exactly (a policy variable of a key the caller chooses, too many classes), it is
reported as unknown: not proved unchanged. Principals in equal situations (the same role and
policies in many accounts) and resources in equal situations (the same bucket, queue or key
policy or trust policy in many accounts, up to the account ID and the resources' names) are
compared once per class and reported as their class ("S3 buckets of 998 accounts, like
arn:aws:s3:::...").

OLD and NEW are each one of:
  PATH                 an organization file or directory (as --org takes them)
  embedded:securecart  the embedded SecureCart landing zone
  store:DIR            the organization a running (or stopped) warden serve --data DIR holds
  postgres://...       the organization of a warden serve --database postgres://... store
A store's organization includes what was changed through the APIs since it was seeded, and the
bootstrap user warden-admin (until it is retired), which files do not have.

Formats: text (grouped by change, for people), json (one object per change per line:
{"change": "opened|closed", "principal", "action", "resource", "context", with the classes in
principals, actions, actionCount, resources and resourceClasses, the decisions in before and after, and the
causes}; unknown classes are written to standard error), markdown (a summary to paste into a
pull request).

Exit status: 0 when no decision changes; 1 when any does, or a class is unknown (with
--fail-on opened: only when something opens or is unknown); 2 for malformed input.`,
		Example: `  warden diff landing-zones/securecart ./securecart-edited
  warden diff --format markdown --fail-on opened main-org/ pr-org/ > diff.md
  warden diff store:$HOME/.local/share/warden ./my-org`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json", "markdown"); err != nil {
				return err
			}
			if failOn != "any" && failOn != "opened" {
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --fail-on %q: want opened or any", failOn)}
			}
			var orgs [2]*org.Org
			for i, a := range args {
				o, err := loadOperand(cmd.Context(), a)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				orgs[i] = o
			}
			rep := diff.Diff(orgs[0], orgs[1], diff.Options{Now: env.Now(), Progress: progressBar(env.Stderr, "comparing principals")})
			if err := writeDiff(env, format, args, rep); err != nil {
				return err
			}
			failed := len(rep.Changes) > 0 || len(rep.Unknown) > 0
			if failOn == "opened" {
				failed = rep.Opened() || len(rep.Unknown) > 0
			}
			if failed {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or markdown")
	cmd.Flags().StringVar(&failOn, "fail-on", "any", "exit 1 on any change (any) or only when access opens (opened)")
	return cmd
}

// loadOperand loads one side of a diff: an org path, the embedded landing
// zone, or the organization a store holds.
func loadOperand(ctx context.Context, a string) (*org.Org, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	var st store.Store
	var err error
	switch {
	case a == "embedded:securecart":
		return org.LoadFS(landingzones.FS, landingzones.SecureCart)
	case strings.HasPrefix(a, "embedded:"):
		return nil, fmt.Errorf("%s: no such embedded landing zone (there is embedded:securecart)", a)
	case strings.HasPrefix(a, "store:"):
		dir := strings.TrimPrefix(a, "store:")
		if _, serr := os.Stat(filepath.Join(dir, sqlite.FileName)); serr != nil {
			return nil, fmt.Errorf("%s: no Warden store in %s: %w", a, dir, serr)
		}
		if st, err = sqlite.Open(ctx, dir); err != nil {
			return nil, fmt.Errorf("%s: %w", a, err)
		}
	case strings.HasPrefix(a, "postgres://"), strings.HasPrefix(a, "postgresql://"):
		if st, err = postgres.Open(ctx, a); err != nil {
			return nil, fmt.Errorf("the PostgreSQL store: %w", err)
		}
	case a == "":
		return nil, fmt.Errorf("an empty operand: give an organization file or directory")
	default:
		return org.Load(a)
	}
	defer st.Close()
	o, err := state.New(st, time.Now).Org(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the organization: %w", redactURL(a), err)
	}
	return o, nil
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
				return s[:i+3] + rest[:colon] + ":***" + rest[at:]
			}
		}
	}
	return s
}
