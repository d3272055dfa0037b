package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/prove"
)

func newCheck(env Env) *cobra.Command {
	var orgPath, format string
	cmd := &cobra.Command{
		Use:   "check [--org PATH] [--format text|json|junit] TESTS...",
		Short: "Run access tests against an organization",
		Long: `Run access tests against an organization: each TESTS file (YAML or JSON) has a top-level
tests: list; each test gives a principal, an action, a resource, an optional context and the
decision it must get (allow, deny, explicit-deny, implicit-deny), optionally with the layer that
must deny it (deniedBy: scp, rcp, boundary, session, identity, resource, trust, none). A
guardrails: list beside tests: is proved as by warden prove, and a guardrail that is not proved
fails (JSON: one object per guardrail in warden prove's shape; JUnit: classname warden.prove).

A principal that the org does not have (a role or IAM user its account lacks) fails its test with
"no such principal in the org", so that a typo cannot pass a deny test; a test that means it says
principalAbsent: true, and then passes when it expects a denial (nobody can act as that principal).

{Account} in any string is replaced by that account's ID, and {PermissionSet:NAME} by the name
of the role the permission set is provisioned as. Warden assembles each principal's whole
situation from the org: its identity policies, permissions boundary, the SCPs of its account from
the root down, the resource's policy and its account's RCPs, and the context keys AWS sets.

Without --org, the embedded SecureCart landing zone is used.

Exit status: 0 when every test passed, 1 when any failed, 2 when the org or a test file is
malformed or a test names an account, permission set or role to assume that the org does not have.`,
		Example: `  warden check landing-zones/securecart-tests/tests.yaml
  warden check --org ./my-org --format junit tests/*.yaml > report.xml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "junit":
			default:
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want text, json or junit", format)}
			}
			o, err := loadOrg(orgPath)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			now := env.Now()
			checker := check.New(o)
			var results []check.Result
			var guardrails []*prove.Guardrail
			start := time.Now()
			for _, f := range args {
				src, err := readInput(env, f)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				tests, err := check.Parse(src, f, o)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				gs, err := prove.Parse(src, f, o)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				guardrails = append(guardrails, gs...)
				for _, t := range tests {
					r, err := checker.Run(t, now)
					if err != nil {
						return &ExitError{Code: 2, Err: err}
					}
					results = append(results, r)
				}
			}
			failed := 0
			for _, r := range results {
				if !r.Pass {
					failed++
				}
			}
			var proofs []prove.Result
			if len(guardrails) > 0 {
				p := prove.New(o, now)
				for _, g := range guardrails {
					r := p.Prove(g)
					if !r.Pass {
						failed++
					}
					proofs = append(proofs, r)
				}
			}
			switch format {
			case "json":
				enc := json.NewEncoder(env.Stdout)
				enc.SetEscapeHTML(false)
				for _, r := range results {
					if err := enc.Encode(r); err != nil {
						return err
					}
				}
				if _, err := writeProofs(env.Stdout, "json", proofs); err != nil {
					return err
				}
			case "junit":
				if err := writeJUnit(env.Stdout, results, proofs, time.Since(start)); err != nil {
					return err
				}
			default:
				for _, r := range results {
					printCheckText(env.Stdout, &r)
				}
				if _, err := writeProofs(env.Stdout, "text", proofs); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%d passed, %d failed\n", len(results)+len(proofs)-failed, failed)
			}
			if failed > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or junit")
	return cmd
}

func printCheckText(w io.Writer, r *check.Result) {
	status := "PASS"
	if !r.Pass {
		status = "FAIL"
	}
	line := fmt.Sprintf("%s %s: %s", status, r.Name, r.Decision)
	if r.Decision != "Allow" {
		line += " by " + r.DeniedBy
	}
	if !r.Pass {
		want := r.Expect
		if r.Test.DeniedBy != "" {
			want += " by " + r.Test.DeniedBy
		}
		line += " (expected " + want + ")"
	}
	fmt.Fprintln(w, line)
	if !r.Pass {
		for i, rs := range r.Reasons {
			// "SCP WorkloadsOU: Allow FullAWSAccess", the policy's name without
			// the type its layer already says.
			er := r.Explanation.Reasons[i]
			name := strings.TrimPrefix(rs.Policy, rs.PolicyType+" ")
			fmt.Fprintf(w, "     %s: %s %s, statement %s", layerLabel(er.Layer, er.Target), rs.Effect, name, rs.Statement)
			if rs.Position != "" {
				fmt.Fprintf(w, " at %s", rs.Position)
			}
			fmt.Fprintln(w)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "     %s\n", r.Note)
		}
	}
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr,omitempty"`
	Skipped  int         `xml:"skipped,attr,omitempty"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *junitFailure `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, results []check.Result, proofs []prove.Result, d time.Duration) error {
	bySuite := map[string]*junitSuite{}
	var order []string
	suite := func(file string) *junitSuite {
		s := bySuite[file]
		if s == nil {
			s = &junitSuite{Name: file}
			bySuite[file] = s
			order = append(order, file)
		}
		return s
	}
	for _, r := range results {
		s := suite(r.Test.File)
		c := junitCase{Name: r.Name, Classname: "warden.check"}
		if !r.Pass {
			s.Failures++
			msg := fmt.Sprintf("got %s (denied by %s), want %s", r.Decision, r.DeniedBy, r.Expect)
			if r.Test.DeniedBy != "" {
				msg += " by " + r.Test.DeniedBy
			}
			var b strings.Builder
			printCheckText(&b, &r)
			c.Failure = &junitFailure{Message: msg, Text: b.String()}
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for i := range proofs {
		r := &proofs[i]
		s := suite(r.Guardrail.File)
		c := junitCase{Name: r.Name, Classname: "warden.prove"}
		if !r.Pass {
			s.Failures++
			var b strings.Builder
			printProof(&b, r)
			c.Failure = &junitFailure{Message: "guardrail " + r.Result, Text: b.String()}
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	out := junitSuites{}
	for _, f := range order {
		s := bySuite[f]
		s.Time = fmt.Sprintf("%.3f", d.Seconds()/float64(len(order)))
		out.Suites = append(out.Suites, *s)
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
