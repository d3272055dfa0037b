package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/check"
)

func newAnalyze(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analyze",
		Short: "Analyze an organization's policies over all requests",
		Long: `Analyze policies over every request at once, as IAM Access Analyzer does: external and
public access to every resource of an organization, and the custom policy checks. The analysis
splits principals, actions, resources and condition values into finitely many classes and decides
one request of each class with the engine, so it never samples: where it cannot decide, it says
so ("unsure"), never "no access".`,
	}
	cmd.AddCommand(newAnalyzeAccess(env))
	cmd.AddCommand(newAnalyzeEscalation(env))
	cmd.AddCommand(newCheckCommands(env)...)
	return cmd
}

func newAnalyzeAccess(env Env) *cobra.Command {
	var orgPath, zone, format string
	cmd := &cobra.Command{
		Use:   "access [--org PATH] [--zone account|organization] [--format text|json|sarif]",
		Short: "Find who outside the zone of trust can reach each resource",
		Long: `Find, for every resource-based policy of the organization (bucket, key, queue, topic, function,
secret and repository policies, and role trust policies), which principals outside the zone of
trust can reach the resource, for which actions and under which conditions: Access Analyzer's
external access findings. The zone is each resource's own account (--zone account, the default)
or the whole organization (--zone organization). The resource's policy and the RCPs of its
account are applied; the outside principal's own account is assumed to allow, as Access Analyzer
assumes.

Each finding gives the principal, the actions, the condition on keys the caller cannot choose
(aws:PrincipalOrgID, aws:SourceVpce, aws:SourceIp, ...), whether it is public, an example request
that the engine allows (give it to 'warden explain') and the statement that lets it in. A finding
marked unsure is access the analysis could not rule out.

--format json prints one finding per line in Access Analyzer's field names; --format sarif prints
a SARIF 2.1.0 log. Without --org, the embedded SecureCart landing zone is used.

Exit status: 0 when there is no finding, 1 when there is one, 2 for a malformed org.`,
		Example: `  warden analyze access --zone organization
  warden analyze access --org ./my-org --format json | jq 'select(.isPublic)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := zoneKind(zone)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if err := checkFormat(format, "text", "json", "sarif"); err != nil {
				return err
			}
			o, err := loadOrg(orgPath)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			fs := analyze.AccessOrg(o, kind)
			sortFindings(fs)
			src := check.NewSources(o)
			for _, f := range fs {
				if st := f.Statement; st != nil {
					if pos := src.Position(st.Compiled, st.Source); pos != "" {
						st.Pos = pos
					}
				}
			}
			switch format {
			case "json":
				enc := json.NewEncoder(env.Stdout)
				for _, f := range fs {
					if err := enc.Encode(f); err != nil {
						return err
					}
				}
			case "sarif":
				if err := writeAccessSARIF(env.Stdout, fs); err != nil {
					return err
				}
			default:
				printFindingsText(env.Stdout, fs, kind)
			}
			if len(fs) > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	cmd.Flags().StringVar(&zone, "zone", "account", "zone of trust: account or organization")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif")
	return cmd
}

func zoneKind(s string) (string, error) {
	switch strings.ToLower(s) {
	case "account":
		return analyze.ZoneAccount, nil
	case "organization", "org":
		return analyze.ZoneOrganization, nil
	}
	return "", fmt.Errorf("unknown --zone %q: want account or organization", s)
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want %s", format, strings.Join(allowed, ", "))}
}

func sortFindings(fs []analyze.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Resource != fs[j].Resource {
			return fs[i].Resource < fs[j].Resource
		}
		return fs[i].ID < fs[j].ID
	})
}

func principalText(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" "+p[k])
	}
	return strings.Join(parts, ", ")
}

func printFindingsText(w io.Writer, fs []analyze.Finding, kind string) {
	if len(fs) == 0 {
		fmt.Fprintf(w, "No access from outside the zone of trust (%s).\n", strings.ToLower(kind))
		return
	}
	public := 0
	for _, f := range fs {
		label := "EXTERNAL"
		switch {
		case f.Unsure:
			label = "UNSURE"
		case f.IsPublic:
			label = "PUBLIC"
			public++
		}
		fmt.Fprintf(w, "%-8s %s (%s, account %s)\n", label, f.Resource, f.ResourceType, f.ResourceOwnerAccount)
		fmt.Fprintf(w, "  principal: %s\n", principalText(f.Principal))
		fmt.Fprintf(w, "  actions:   %s\n", strings.Join(f.Action, ", "))
		if len(f.Condition) > 0 {
			fmt.Fprintf(w, "  condition: %s\n", principalText(f.Condition))
		}
		if f.Unsure {
			fmt.Fprintf(w, "  why:       %s\n", f.Reason)
		}
		if f.Statement != nil {
			fmt.Fprintf(w, "  statement: %s", statementText(f.Statement))
			fmt.Fprintln(w)
		}
		if e := f.Example; e != nil {
			fmt.Fprintf(w, "  example:   warden explain --principal %s --action %s --resource %s%s\n", e.Principal, e.Action, e.Resource, contextArgs(e.Context))
		}
		fmt.Fprintf(w, "  id:        %s\n\n", f.ID)
	}
	fmt.Fprintf(w, "%d findings (%d public) with the zone of trust: %s\n", len(fs), public, strings.ToLower(kind))
}

func statementText(s *analyze.StatementRef) string {
	label := s.Sid
	if label == "" {
		label = fmt.Sprintf("#%d", s.Index)
	}
	out := s.Policy + ", statement " + label
	if s.Pos != "" {
		out += " at " + s.Pos
	}
	return out
}

func contextArgs(ctx map[string][]string) string {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range ctx[k] {
			fmt.Fprintf(&b, " --context %s=%s", k, shellQuote(v))
		}
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"$`\\*?[]{}()<>|&;#~!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
