package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/compliance"
	landingzones "github.com/securecart/warden/landing-zones"
)

func newCompliance(env Env) *cobra.Command {
	var orgPath, rulesPath, format, failOn, region string
	var noRules bool
	cmd := &cobra.Command{
		Use:   "compliance [--org PATH] [--rules FILE] [--format text|json|asff|sarif|junit] [--fail-on SEVERITY]",
		Short: "Evaluate AWS Config rules and the organization's own rules on an organization",
		Long: `Evaluate every AWS Config rule Warden implements (the AWS managed rules that concern IAM, the
trail and S3 bucket policies, with AWS's identifiers, semantics and default parameters) and the
organization's own rules (CEL expressions in a rules file; docs/compliance.md) on an organization,
as AWS Config would on its resources: an IAM policy is named by its PolicyId, a role by its RoleId.

An organization file holds no credentials: the rules on passwords and access keys see none, and
the trail rules see the organization trail that 'warden serve' keeps.

Without --org, the embedded SecureCart landing zone is evaluated with its own rules file. With
--org, give its rules with --rules (or only the managed rules run).

Formats: text (grouped by account and rule, with how to fix each), json (one evaluation per
line), asff (Security Hub findings, AWS Security Finding Format 2018-10-08, as a JSON array),
sarif (SARIF 2.1.0), junit (a test suite per rule).

Exit status: 0 when every resource complies (or what does not is below --fail-on), 1 when some
resource is NON_COMPLIANT or a rule could not be evaluated, 2 for malformed input.`,
		Example: `  warden compliance
  warden compliance --org ./my-org --rules ./my-org-rules.yaml --format junit > compliance.xml
  warden compliance --fail-on HIGH --format json | jq 'select(.complianceType == "NON_COMPLIANT")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json", "asff", "sarif", "junit"); err != nil {
				return err
			}
			if failOn != "" && !compliance.ValidSeverity(failOn) {
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --fail-on %q: want INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL", failOn)}
			}
			o, err := loadOrg(orgPath)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			rules, err := complianceRules(orgPath, rulesPath, noRules)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			in := &compliance.Input{Org: o, Now: env.Now(), Credentials: compliance.OfflineCredentials{},
				Trail: compliance.WardenTrail(compliance.AuditAccount(o), true)}
			rep := compliance.Evaluate(in, rules, progressBar(env.Stderr, "evaluating rules"))
			if err := writeCompliance(env.Stdout, format, rep, in); err != nil {
				return err
			}
			if bad := rep.NonCompliant(failOn); len(bad) > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	f.StringVar(&rulesPath, "rules", "", "the organization's rules file (default with no --org: SecureCart's)")
	f.BoolVar(&noRules, "managed-only", false, "run only the AWS managed rules, with their defaults")
	f.StringVar(&format, "format", "text", "output format: text, json, asff, sarif or junit")
	f.StringVar(&failOn, "fail-on", "", "exit 1 only for rules of this severity or higher (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)")
	f.StringVar(&region, "region", "us-east-1", "the Region named in ASFF findings")
	return cmd
}

// complianceRules are the managed rules with their defaults, then the
// rules file's rules (a managed rule the file deploys with parameters
// replaces its default).
func complianceRules(orgPath, rulesPath string, managedOnly bool) ([]*compliance.Rule, error) {
	rules := compliance.DefaultRules()
	if managedOnly {
		return rules, nil
	}
	var set *compliance.RuleSet
	var err error
	switch {
	case rulesPath != "":
		set, err = compliance.LoadRules(rulesPath)
	case orgPath == "":
		var src []byte
		if src, err = landingzones.FS.ReadFile(landingzones.SecureCartCompliance); err == nil {
			set, err = compliance.ParseRules(src, "landing-zones/"+landingzones.SecureCartCompliance)
		}
	default:
		return rules, nil
	}
	if err != nil {
		return nil, err
	}
	return append(rules, set.Rules()...), nil
}

// progressBar draws "label [done/total]" on w when it is a terminal, and
// nothing otherwise.
func progressBar(w io.Writer, label string) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(done, total int) {
		width := 30
		n := width * done / total
		fmt.Fprintf(w, "\r%s [%s%s] %d/%d", label, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
		if done == total {
			fmt.Fprint(w, "\r\033[K")
		}
	}
}

func writeCompliance(w io.Writer, format string, rep *compliance.Report, in *compliance.Input) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		for _, e := range rep.Evaluations {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	case "asff":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		fs := rep.Findings("us-east-1", in.Now)
		if fs == nil {
			fs = []compliance.ASFF{}
		}
		return enc.Encode(fs)
	case "sarif":
		return writeComplianceSARIF(w, rep)
	case "junit":
		return writeComplianceJUnit(w, rep)
	}
	return writeComplianceText(w, rep, in)
}

func writeComplianceText(w io.Writer, rep *compliance.Report, in *compliance.Input) error {
	names := map[string]string{}
	for _, a := range in.Org.Accounts {
		names[a.ID] = a.Name
	}
	counts := map[string]int{}
	account, rule := "", ""
	for _, e := range rep.Evaluations {
		counts[e.Compliance]++
		if e.Compliance != compliance.NonCompliant && e.Compliance != compliance.InsufficientData {
			continue
		}
		if e.Resource.Account != account {
			account, rule = e.Resource.Account, ""
			fmt.Fprintf(w, "\n%s (%s)\n", names[account], account)
		}
		r := rep.Rule(e.Rule)
		if e.Rule != rule {
			rule = e.Rule
			fmt.Fprintf(w, "  %s [%s]\n", rule, r.Severity)
			if r.Remediation != "" {
				fmt.Fprintf(w, "    fix: %s\n", r.Remediation)
			}
		}
		fmt.Fprintf(w, "    %s %s %s: %s", e.Compliance, e.Resource.Type, e.Resource.Name, e.Annotation)
		if e.Where != "" {
			fmt.Fprintf(w, " (%s)", e.Where)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n%d rules, %d evaluations: %d compliant, %d non-compliant, %d not applicable, %d insufficient data\n",
		len(rep.Rules), len(rep.Evaluations), counts[compliance.Compliant], counts[compliance.NonCompliant],
		counts[compliance.NotApplicable], counts[compliance.InsufficientData])
	return nil
}

func sarifLevel(sev string) string {
	switch sev {
	case "CRITICAL", "HIGH":
		return "error"
	case "MEDIUM":
		return "warning"
	}
	return "note"
}

func writeComplianceSARIF(w io.Writer, rep *compliance.Report) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "warden compliance", InformationURI: "https://github.com/securecart/warden"}}, Results: []sarifResult{}}
	for _, r := range rep.Rules {
		sr := sarifRule{ID: r.Name, ShortDescription: sarifMessage{r.Description}, DefaultConfiguration: &sarifConfig{Level: sarifLevel(r.Severity)},
			Properties: map[string]any{"sourceIdentifier": r.Identifier, "severity": r.Severity, "controls": r.Controls}}
		if strings.HasPrefix(r.Page, "https://") {
			sr.HelpURI = r.Page
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sr)
	}
	for _, e := range rep.NonCompliant("") {
		r := rep.Rule(e.Rule)
		res := sarifResult{RuleID: e.Rule, Level: sarifLevel(r.Severity),
			Message:    sarifMessage{fmt.Sprintf("%s %s: %s", e.Resource.Type, e.Resource.Name, e.Annotation)},
			Properties: map[string]any{"complianceType": e.Compliance, "resourceId": e.Resource.ID, "accountId": e.Resource.Account}}
		loc := sarifLocation{LogicalLocations: []sarifLogical{{FullyQualifiedName: firstNonEmpty(e.Resource.ARN, e.Resource.ID), Kind: "resource"}}}
		loc.PhysicalLocation = physicalOf(e.Where)
		res.Locations = []sarifLocation{loc}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func writeComplianceJUnit(w io.Writer, rep *compliance.Report) error {
	byRule := map[string]*junitSuite{}
	var order []string
	for _, r := range rep.Rules {
		byRule[r.Name] = &junitSuite{Name: r.Name, Time: "0"}
		order = append(order, r.Name)
	}
	for _, e := range rep.Evaluations {
		s := byRule[e.Rule]
		c := junitCase{Name: e.Resource.Type + " " + e.Resource.Name + " (" + e.Resource.ID + ")", Classname: e.Resource.Account}
		switch e.Compliance {
		case compliance.NonCompliant:
			c.Failure = &junitFailure{Message: e.Annotation, Text: e.Where}
			s.Failures++
		case compliance.InsufficientData:
			c.Error = &junitFailure{Message: e.Annotation}
			s.Errors++
		case compliance.NotApplicable:
			c.Skipped = &junitFailure{Message: "NOT_APPLICABLE " + e.Annotation}
			s.Skipped++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	sort.Strings(order)
	out := junitSuites{}
	for _, n := range order {
		out.Suites = append(out.Suites, *byRule[n])
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
