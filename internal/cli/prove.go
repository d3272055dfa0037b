package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/prove"
)

func newProve(env Env) *cobra.Command {
	var orgPath, format string
	cmd := &cobra.Command{
		Use:   "prove [--org PATH] [--format text|json] FILE...",
		Short: "Prove an organization's guardrails over every request",
		Long: `Prove the guardrails of each FILE (YAML or JSON with a top-level guardrails: list, beside an
optional tests: list): that no request by a principal of the org matching principals (and no
glob of except), in the accounts named, for one of the actions on a resource matching resources,
is allowed, under any context. Keys the guardrail's context fixes keep their values; every other
key the policies test ranges over all its values, split into the classes within which every
statement answers alike (package analyze), and each class is decided by the engine.

A guardrail is proved (with, per class of principals, the layers and statements that block every
request), refuted (with a request that warden explain --org allows, and the statements that allow
it), or unknown when a partition cannot be made exact (a policy variable, too many classes).
Principals are the org's own: each account's root user, its roles (acting as a session; a
session a Principal element names by its session ARN apart, and a session's aws:userid, whose
session name the caller chooses, ranging freely) and its IAM users; and, when a guardrail names
no accounts, the callers outside the org that its resource, trust and resource control policies
let in (other accounts and their principals, anyone, AWS services, identity providers' users),
on the org's resources.

Exit status: 0 when every guardrail is proved, 1 when any is refuted or unknown, 2 for
malformed input.`,
		Example: `  warden prove landing-zones/securecart-tests/guardrails.yaml
  warden prove --org ./my-org --format json guardrails.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := loadOrgAs(orgPath, format, env.Stderr)
			if err != nil {
				return err
			}
			gs, err := readGuardrails(env, o, args)
			if err != nil {
				return err
			}
			p := prove.New(o, env.Now())
			results := make([]prove.Result, 0, len(gs))
			for _, g := range gs {
				results = append(results, p.Prove(g))
			}
			failed, err := writeProofs(env.Stdout, format, results)
			if err != nil {
				return err
			}
			if format == "text" {
				fmt.Fprintf(env.Stdout, "%d proved, %d not\n", len(results)-failed, failed)
			}
			if failed > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// readGuardrails parses the guardrails of files (exit status 2 for
// malformed input).
func readGuardrails(env Env, o *org.Org, files []string) ([]*prove.Guardrail, error) {
	var gs []*prove.Guardrail
	for _, f := range files {
		src, err := readInput(env, f)
		if err != nil {
			return nil, &ExitError{Code: 2, Err: err}
		}
		got, err := prove.Parse(src, f, o)
		if err != nil {
			return nil, &ExitError{Code: 2, Err: err}
		}
		if len(got) == 0 {
			// A misspelt guardrails: key would otherwise prove nothing
			// and pass.
			return nil, &ExitError{Code: 2, Err: fmt.Errorf("%s: no guardrails to prove: a guardrail file has a top-level guardrails: list", f)}
		}
		gs = append(gs, got...)
	}
	return gs, nil
}

// writeProofs writes guardrail results as text or JSON lines and counts
// those that did not prove.
func writeProofs(w io.Writer, format string, results []prove.Result) (failed int, err error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range results {
		r := &results[i]
		if !r.Pass {
			failed++
		}
		if format == "json" {
			if err := enc.Encode(r); err != nil {
				return failed, err
			}
			continue
		}
		printProof(w, r)
	}
	return failed, nil
}

func printProof(w io.Writer, r *prove.Result) {
	switch r.Result {
	case prove.Proved:
		fmt.Fprintf(w, "PROVED %s (%s)\n", r.Name, count(r.Principals, "principal", "principals"))
		for _, b := range r.Blocked {
			fmt.Fprintf(w, "     %s (%s", count(len(b.Principals), "principal", "principals"), b.Principals[0])
			if len(b.Principals) > 1 {
				fmt.Fprint(w, ", ...")
			}
			fmt.Fprintln(w, ") blocked by:")
			for _, by := range b.By {
				fmt.Fprintf(w, "         %s\n", by)
			}
		}
	case prove.Refuted:
		c := r.Counterexample
		fmt.Fprintf(w, "REFUTED %s\n     %s can %s on %s\n", r.Name, c.Principal, c.Action, c.Resource)
		if len(c.Context) > 0 {
			ctx, _ := json.Marshal(c.Context)
			fmt.Fprintf(w, "     with context %s\n", ctx)
		}
		for _, a := range r.Allowed {
			fmt.Fprintf(w, "     %s\n", a)
		}
		if len(r.Session) > 0 {
			fmt.Fprintln(w, "     in a session made by:")
			for i, q := range r.Session {
				ctx, _ := json.Marshal(q.Context)
				fmt.Fprintf(w, "       %d. %s calls %s on %s with context %s\n", i+1, q.Principal, q.Action, q.Resource, ctx)
			}
		}
	default:
		fmt.Fprintf(w, "UNKNOWN %s: %s\n", r.Name, r.Reason)
	}
}
