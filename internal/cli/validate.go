package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/analyze/validate"
	"github.com/securecart/warden/internal/policy"
)

func newValidate(env Env) *cobra.Command {
	var typ, resourceType, format, failOn string
	cmd := &cobra.Command{
		Use:   "validate [--type identity|resource|trust|scp|rcp|boundary|session|endpoint] [--resource-type AWS::S3::Bucket|...] [--format text|json|sarif] [--fail-on LEVEL] FILE...",
		Short: "Check policy documents with IAM Access Analyzer's policy checks",
		Long: `Check IAM policy documents with every check of IAM Access Analyzer's policy validation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html):
JSON syntax and the grammar of the policy type; actions, resource ARNs and condition keys
against the embedded Service Authorization Reference; condition operators and values;
policy variables; redundant actions, resources, statements and condition values; size
quotas; and the security warnings (iam:PassRole on every role, service principals
without a source, OIDC trusts without conditions, ...).

Each finding has AWS's findingType (ERROR, SECURITY_WARNING, WARNING, SUGGESTION),
issueCode and learnMoreLink, and its location: the JSON path and the span.

Formats: text (file:line:column, the line with a caret under the span), json (one
finding per line with AWS's field names plus "file"), sarif (SARIF 2.1.0 for
code-scanning tools). "-" reads standard input.

--resource-type is AWS's validatePolicyResourceType: ` + strings.Join(validate.ResourceTypes, ", ") + `.

Warden's engine is stricter than AWS's checks in a few places (duplicate Sids in an
identity policy, Null with a set qualifier, condition values of the wrong type): a
document it rejects is reported on standard error and fails, even without an ERROR
finding.

Exit status: 0 when no document has an ERROR finding (or, with --fail-on LEVEL, no
finding at or above LEVEL: error, security_warning, warning or suggestion) and the
engine accepts every document; 1 otherwise; 2 when a file cannot be read or an option
is wrong.`,
		Example: `  warden validate --type scp scps/*.json
  warden validate --type trust role-trust.json
  warden validate --type resource --resource-type AWS::S3::Bucket bucket-policy.json
  warden validate --format sarif --fail-on warning policies/*.json > validate.sarif`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := policy.ParseType(typ)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			opt, err := validate.NewOptions(t, resourceType)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			threshold, err := failLevel(failOn)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			switch format {
			case "text", "json", "sarif":
			default:
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want text, json or sarif", format)}
			}
			var results []fileFindings
			unreadable := 0
			for _, f := range args {
				src, err := readInput(env, f)
				if err != nil {
					fmt.Fprintf(env.Stderr, "%v\n", err)
					unreadable++
					continue
				}
				r := fileFindings{file: f, src: src, findings: validate.Validate(src, opt)}
				if !hasError(r.findings) {
					// Warden's engine is stricter than AWS's store in a few
					// places (duplicate Sids in identity policies, Null with
					// a qualifier, condition values it cannot compare): say
					// so, as such a document cannot be loaded or evaluated.
					if _, err := policy.ParseAndCompile(src, f, t, f); err != nil {
						r.engineErr = err
					}
				}
				results = append(results, r)
			}
			switch format {
			case "text":
				for _, r := range results {
					printValidationText(env, r, t)
				}
			case "json":
				for _, r := range results {
					for _, f := range r.findings {
						line, _ := json.Marshal(struct {
							File string `json:"file"`
							validate.Finding
						}{r.file, f})
						fmt.Fprintln(env.Stdout, string(line))
					}
				}
			case "sarif":
				if err := writeSARIF(env.Stdout, results); err != nil {
					return err
				}
			}
			rejected := 0
			for _, r := range results {
				if r.engineErr != nil {
					rejected++
					fmt.Fprintf(env.Stderr, "%s: Warden's engine rejects the document, which AWS's checks let pass:\n%v\n", r.file, r.engineErr)
				}
			}
			if unreadable > 0 {
				return &ExitError{Code: 2, Err: fmt.Errorf("%d of %d files could not be read", unreadable, len(args))}
			}
			failing := 0
			for _, r := range results {
				for _, f := range r.findings {
					if validate.Severity(f.FindingType) >= threshold {
						failing++
					}
				}
			}
			if failing > 0 || rejected > 0 {
				var parts []string
				if failing > 0 {
					parts = append(parts, fmt.Sprintf("%d finding(s) at or above %s", failing, levelName(threshold)))
				}
				if rejected > 0 {
					parts = append(parts, fmt.Sprintf("%d document(s) rejected by the engine", rejected))
				}
				return &ExitError{Code: 1, Err: errors.New(strings.Join(parts, "; "))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", "identity", "policy type: identity, resource, trust, scp, rcp, boundary, session or endpoint")
	cmd.Flags().StringVar(&resourceType, "resource-type", "", "the resource a resource policy is attached to, as AWS's validatePolicyResourceType (such as AWS::S3::Bucket)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&failOn, "fail-on", "error", "exit 1 on any finding at or above this level: error, security_warning, warning or suggestion")
	return cmd
}

type fileFindings struct {
	file      string
	src       []byte
	findings  []validate.Finding
	engineErr error // the engine's rejection of a document without ERROR findings
}

func hasError(fs []validate.Finding) bool {
	for _, f := range fs {
		if f.FindingType == validate.Error {
			return true
		}
	}
	return false
}

// failLevel parses --fail-on into a severity.
func failLevel(s string) (int, error) {
	n := validate.Severity(strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
	if n == 0 {
		return 0, fmt.Errorf("unknown --fail-on %q: want error, security_warning, warning or suggestion", s)
	}
	return n, nil
}

func levelName(sev int) string {
	for _, t := range []string{validate.Error, validate.SecurityWarning, validate.Warning, validate.Suggestion} {
		if validate.Severity(t) == sev {
			return t
		}
	}
	return ""
}

// printValidationText prints each finding as a compiler does: the place, the
// finding, the source line with a caret under the span, and the link.
func printValidationText(env Env, r fileFindings, t policy.Type) {
	if len(r.findings) == 0 {
		fmt.Fprintf(env.Stdout, "%s: no findings (%s policy)\n", r.file, t)
		return
	}
	lines := strings.Split(string(r.src), "\n")
	for _, f := range r.findings {
		loc := validate.Location{Path: []validate.PathElement{}}
		if len(f.Locations) > 0 {
			loc = f.Locations[0]
		}
		start := loc.Span.Start
		fmt.Fprintf(env.Stdout, "%s:%d:%d: %s %s: %s\n", r.file, start.Line, start.Column+1, f.FindingType, f.IssueCode, f.FindingDetails)
		if p := loc.String(); p != "" {
			fmt.Fprintf(env.Stdout, "    at %s\n", p)
		}
		if start.Line >= 1 && start.Line <= len(lines) {
			src, caret := caretLines(lines[start.Line-1], loc.Span)
			fmt.Fprintf(env.Stdout, "    %s\n    %s\n", src, caret)
		}
		fmt.Fprintf(env.Stdout, "    %s\n", f.LearnMoreLink)
	}
}

// caretLines returns the source line (clipped to a window around the span
// for long lines, such as one-line JSON) and a line with ^~~ under the span.
func caretLines(line string, span validate.Span) (string, string) {
	const window = 100
	runes := []rune(strings.TrimRight(line, "\r"))
	col := min(span.Start.Column, len(runes))
	width := 1
	if span.End.Line == span.Start.Line && span.End.Column > span.Start.Column {
		width = span.End.Column - span.Start.Column
	}
	from, prefix, suffix := 0, "", ""
	if len(runes) > window {
		from = max(0, col-window/4)
		to := min(len(runes), from+window)
		if from > 0 {
			prefix = "..."
		}
		if to < len(runes) {
			suffix = "..."
		}
		runes = runes[from:to]
	}
	var caret strings.Builder
	caret.WriteString(strings.Repeat(" ", len(prefix)))
	for i := from; i < col; i++ {
		if runes[i-from] == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	caret.WriteByte('^')
	caret.WriteString(strings.Repeat("~", max(0, min(width, len(runes)-(col-from))-1)))
	return prefix + string(runes) + suffix, caret.String()
}
