package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/simulate"
)

func newSimulate(env Env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "simulate [--format text|json] FILE...",
		Short: "Evaluate authorization cases and compare them with their expected decisions",
		Long: `Evaluate authorization cases: each FILE holds one case object, a JSON array of cases,
or JSON Lines; - reads standard input. A case gives a request (principal, action, resource,
resourceAccount, context), the policies that apply (identity, boundary, session, resource,
scp, rcp, endpoint) and optionally the decision expected (Allow, ExplicitDeny, ImplicitDeny).

Exit status: 0 when every case with an expectation passed, 1 when any failed, 2 when an input
could not be read or a policy is malformed (the message names the file, the case, the JSON path
and line:column).`,
		Example: `  warden simulate cases/*.json
  warden simulate --format json - < case.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want text or json", format)}
			}
			return runSimulate(env, args, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func runSimulate(env Env, files []string, format string) error {
	now := env.Now()
	passed, failed, malformed := 0, 0, 0
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	for _, f := range files {
		src, err := readInput(env, f)
		if err != nil {
			fmt.Fprintf(env.Stderr, "warden: %v\n", err)
			malformed++
			continue
		}
		// Each case is answered as it is read, so that a file of any size
		// runs in the memory of one case.
		var werr error
		err = simulate.EachCase(src, f, func(c *simulate.Case) error {
			for _, w := range c.Warnings {
				fmt.Fprintf(env.Stderr, "warden: warning: %s: %v\n", c.Label(), w)
			}
			res := simulate.Run(c, now)
			if res.Error != "" {
				malformed++
				fmt.Fprintf(env.Stderr, "warden: %s: %s:\n  %s\n", f, c.Label(), strings.ReplaceAll(res.Error, "\n", "\n  "))
			} else if res.Pass != nil {
				if *res.Pass {
					passed++
				} else {
					failed++
				}
			}
			if format == "json" {
				werr = enc.Encode(res)
				return werr
			}
			printCaseText(env.Stdout, c, &res)
			return nil
		})
		if werr != nil {
			return werr
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "warden: %v\n", err)
			malformed++
		}
	}
	if format == "text" {
		fmt.Fprintf(env.Stdout, "%d passed, %d failed\n", passed, failed)
		if malformed > 0 {
			fmt.Fprintf(env.Stdout, "%d malformed\n", malformed)
		}
	}
	switch {
	case malformed > 0:
		return &ExitError{Code: 2}
	case failed > 0:
		return &ExitError{Code: 1}
	}
	return nil
}

func readInput(env Env, f string) ([]byte, error) {
	if f == "-" {
		return io.ReadAll(env.Stdin)
	}
	return os.ReadFile(f)
}

func printCaseText(w io.Writer, c *simulate.Case, r *simulate.Result) {
	if r.Error != "" {
		fmt.Fprintf(w, "ERROR %s\n", name(c))
		return
	}
	status := "     "
	if r.Pass != nil {
		if *r.Pass {
			status = "PASS "
		} else {
			status = "FAIL "
		}
	}
	line := fmt.Sprintf("%s%s: %s", status, name(c), r.Decision)
	if r.Pass != nil && !*r.Pass {
		line += fmt.Sprintf(" (expected %s)", r.Expect)
	}
	if r.DeniedBy != "" && r.DeniedBy != "none" {
		line += " by " + r.DeniedBy
	}
	fmt.Fprintln(w, line)
	if r.Pass != nil && !*r.Pass {
		for _, rs := range r.Reasons {
			fmt.Fprintf(w, "      %s policy %s statement %s: %s", rs.PolicyType, rs.Policy, rs.Statement, rs.Effect)
			if rs.Position != "" {
				fmt.Fprintf(w, " at %s:%s", c.File, rs.Position)
			}
			fmt.Fprintln(w)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "      %s\n", r.Note)
		}
	}
}

func name(c *simulate.Case) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("%s#%d", c.File, c.Index)
}
