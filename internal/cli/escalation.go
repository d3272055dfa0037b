package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/escalate"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/prove"
)

func newAnalyzeEscalation(env Env) *cobra.Command {
	var orgPath, format, target string
	var guardrails []string
	cmd := &cobra.Command{
		Use:   "escalation [--org PATH] [--format text|json|dot|mermaid|html] [--target ARN]",
		Short: "Find who can become whom, or grant themselves more, up to administrator power",
		Long: `Build the privilege escalation graph of the organization, every layer applied (SCPs, RCPs,
permissions boundaries, trust policies, identity policies), each edge decided by the engine:

  assume-role            sts:AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity (also from
                         identity providers' users and accounts outside the organization)
  pass-role              iam:PassRole (iam:PassedToService respected) to a compute service the role
                         trusts, and the service's actions to run code as it: Lambda, EC2, EC2 Auto
                         Scaling, ECS, Glue, CloudFormation, SageMaker, CodeBuild, Data Pipeline,
                         App Runner
  update-assume-role     iam:UpdateAssumeRolePolicy, then sts:AssumeRole under the new trust policy
  create-access-key      iam:CreateAccessKey on another user
  login-profile          iam:CreateLoginProfile or iam:UpdateLoginProfile on another user
  account-assignment     sso:CreateAccountAssignment from an Identity Center session
  group-membership       identitystore:CreateGroupMembership from an Identity Center session
and the grants that make a principal (itself, or one it can become) administrator-equivalent:
  put-policy, attach-policy, create-policy-version, add-user-to-group, delete-boundary,
  put-boundary, permission-set-edit (sso:PutInlinePolicyToPermissionSet or
  AttachManagedPolicyToPermissionSet with sso:ProvisionPermissionSet).

A principal is administrator-equivalent ("admin") in its account when, for every class of actions,
whenever it would be allowed with AdministratorAccess and no boundary, it is allowed as it is: its
own policies take nothing away that the organization's guardrails leave.

For each principal that is not admin, the shortest path to admin (or, with --target, to the
principal ARN) is printed with its steps: each a request 'warden explain --org' allows, with the
statements that allow it and the conditions (MFA, source IP, ...) it requires.

--format json prints one path per line: {"from","to","steps":[{"action","resource","principal"}]}
and optional fields. --format dot and mermaid draw the paths as a graph; --format html writes a
self-contained report of the paths and of the guardrail proofs of --guardrails files.

Exit status: 0 when no path is found, 1 when one is, 2 for malformed input.`,
		Example: `  warden analyze escalation
  warden analyze escalation --org ./my-org --format json | jq -c 'select(.to == "admin")'
  warden analyze escalation --target arn:aws:iam::111122223333:role/Admin --format mermaid
  warden analyze escalation --format html --guardrails guardrails.yaml > report.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json", "dot", "mermaid", "html"); err != nil {
				return err
			}
			if len(guardrails) > 0 && format != "html" {
				return &ExitError{Code: 2, Err: fmt.Errorf("--guardrails goes with --format html, not %s", format)}
			}
			o, err := loadOrgShowing(orgPath, env.Stderr)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			// {Account} placeholders resolve as in warden check.
			if target, err = check.Substitute(o, target); err != nil {
				return &ExitError{Code: 2, Err: fmt.Errorf("--target: %w", err)}
			}
			if target != "" && !hasPrincipal(o, target) {
				return &ExitError{Code: 2, Err: fmt.Errorf("--target %s: no such role or user in the organization", target)}
			}
			gs, err := readGuardrails(env, o, guardrails)
			if err != nil {
				return err
			}
			res := escalate.Analyze(o, escalate.Options{Target: target, Now: env.Now(), Progress: progressBar(env.Stderr, "analyzing principals")})
			if err := writeEscalation(env, format, o, res, target, gs); err != nil {
				return err
			}
			if len(res.Paths) > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, dot, mermaid or html")
	cmd.Flags().StringVar(&target, "target", "", "find the paths to this role or user ARN instead of to admin power")
	cmd.Flags().StringSliceVar(&guardrails, "guardrails", nil, "guardrail files whose proofs the HTML report shows (YAML with a guardrails: list, as warden prove takes)")
	return cmd
}

func hasPrincipal(o *org.Org, a string) bool {
	for _, r := range o.Roles {
		if r.ARN == a {
			return true
		}
	}
	for _, u := range o.Users {
		if u.ARN == a {
			return true
		}
	}
	return false
}

func writeEscalation(env Env, format string, o *org.Org, res *escalate.Result, target string, gs []*prove.Guardrail) error {
	w := env.Stdout
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, p := range res.Paths {
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		return nil
	case "dot":
		return escalate.WriteDOT(w, res.Paths)
	case "mermaid":
		return escalate.WriteMermaid(w, res.Paths)
	case "html":
		return writeEscalationHTML(env, o, res, target, gs)
	}
	printEscalation(w, res, target)
	return nil
}

func printEscalation(w io.Writer, res *escalate.Result, target string) {
	to := "administrator-equivalent power"
	if target != "" {
		to = target
	}
	fmt.Fprintf(w, "%s, %s, %s; %s to %s\n",
		count(len(res.Nodes), "principal", "principals"), count(len(res.Edges), "edge", "edges"),
		count(len(res.Admins), "administrator-equivalent principal", "administrator-equivalent principals"), count(len(res.Paths), "path", "paths"), to)
	if res.Unsure > 0 {
		fmt.Fprintf(w, "%s could not be decided exactly (too many classes of contexts) and %s not counted as allowed\n",
			count(res.Unsure, "request", "requests"), map[bool]string{true: "was", false: "were"}[res.Unsure == 1])
	}
	for _, p := range res.Paths {
		fmt.Fprintf(w, "\n%s -> %s", p.From, p.To)
		if p.To == escalate.Admin {
			fmt.Fprintf(w, " in %s as %s", p.Account, p.Admin.Principal)
		}
		fmt.Fprintln(w)
		if len(p.Session) > 0 {
			fmt.Fprintf(w, "  session: %s\n", sessionNeeds(p.Session))
		}
		for i, s := range p.Steps {
			fmt.Fprintf(w, "  %d. [%s] %s calls %s on %s\n", i+1, s.Kind, s.Principal, s.Action, s.Resource)
			if len(s.Context) > 0 {
				ctx, _ := json.Marshal(s.Context)
				fmt.Fprintf(w, "       context %s\n", ctx)
			}
			if len(s.Requires) > 0 {
				fmt.Fprintf(w, "       requires %s\n", requirements(s.Requires))
			}
			for _, a := range escalate.Evidence(s.AllowedBy) {
				fmt.Fprintf(w, "       allowed by %s\n", a)
			}
			if s.Note != "" {
				fmt.Fprintf(w, "       %s\n", s.Note)
			}
			for _, n := range s.Needs {
				fmt.Fprintf(w, "       needs %s\n", n)
			}
		}
		if p.Admin != nil && len(p.Admin.Requires) > 0 {
			fmt.Fprintf(w, "  admin power requires %s\n", requirements(p.Admin.Requires))
		}
	}
}

func requirements(m map[string]any) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
