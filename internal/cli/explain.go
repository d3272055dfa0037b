package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

func newExplain(env Env) *cobra.Command {
	var orgPath, format, principal, action, resource, resourceAccount string
	var ctxFlags []string
	cmd := &cobra.Command{
		Use:   "explain [--org PATH] --principal ARN --action ACTION [--resource ARN] [--context KEY=VALUE]...",
		Short: "Explain one request against the organization, layer by layer",
		Long: `Explain how AWS decides one request against the organization: the decision, then each layer in
the order AWS evaluates them (the RCPs of the resource's account level by level, the SCPs of the
principal's account level by level, the resource's policy, the identity policies, the permissions
boundary, the session policy) with every statement that applies to the request and where it is
written (file:line:column).

{Account} and {PermissionSet:NAME} placeholders work as in warden check. --context may be repeated;
KEY=V1,V2 gives a multivalued key. Without --org, the embedded SecureCart landing zone is used.

Exit status: 0 when the request is allowed, 1 when it is denied, 2 for malformed input.`,
		Example: `  warden explain --principal 'arn:aws:sts::{Dev}:assumed-role/DeveloperRole/alice' \
      --action iam:CreateUser --resource 'arn:aws:iam::{Dev}:user/bob' --context aws:RequestedRegion=us-east-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want text or json", format)}
			}
			if principal == "" || action == "" {
				return &ExitError{Code: 2, Err: fmt.Errorf("--principal and --action are required")}
			}
			o, err := loadOrg(orgPath)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			sub := func(s string) (string, error) { return check.Substitute(o, s) }
			q := authz.Query{Context: map[string][]string{}}
			for _, p := range []struct {
				dst *string
				v   string
			}{{&q.Principal, principal}, {&q.Action, action}, {&q.Resource, resource}, {&q.ResourceAccount, resourceAccount}} {
				if *p.dst, err = sub(p.v); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
			}
			for _, kv := range ctxFlags {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return &ExitError{Code: 2, Err: fmt.Errorf("--context %q: want KEY=VALUE", kv)}
				}
				if v, err = sub(v); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				q.Context[k] = strings.Split(v, ",")
			}
			s, e, err := authz.Decide(o, q, env.Now())
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			var steps []eval.Step
			if s.Missing == "" {
				// A principal that does not exist has no layers to show.
				steps = eval.Trace(s.Request, &s.Inputs)
			}
			src := check.NewSources(o)
			if format == "json" {
				writeExplainJSON(env.Stdout, s, &e, steps, src)
			} else {
				writeExplainText(env.Stdout, s, &e, steps, src)
			}
			if e.Decision != eval.Allow {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	f.StringVar(&format, "format", "text", "output format: text or json")
	f.StringVar(&principal, "principal", "", "the calling principal's ARN (required)")
	f.StringVar(&action, "action", "", "the action, as service:Action (required)")
	f.StringVar(&resource, "resource", "*", "the resource ARN")
	f.StringVar(&resourceAccount, "resource-account", "", "the account that owns the resource, where its ARN does not say")
	f.StringArrayVar(&ctxFlags, "context", nil, "a request context key, KEY=VALUE (repeatable; V1,V2 for several values)")
	return cmd
}

func layerTitle(st eval.Step) string { return layerLabel(st.Layer, st.Target) }

// layerLabel names a layer (and an SCP or RCP level) for people, as in
// "SCP WorkloadsOU".
func layerLabel(l eval.Layer, target string) string {
	switch l {
	case eval.LayerRCP:
		return "RCP " + target
	case eval.LayerSCP:
		return "SCP " + target
	case eval.LayerEndpoint:
		return "VPC endpoint policy"
	case eval.LayerResource:
		return "resource policy"
	case eval.LayerTrust:
		return "trust policy"
	case eval.LayerIdentity:
		return "identity policies"
	case eval.LayerBoundary:
		return "permissions boundary"
	case eval.LayerSession:
		return "session policy"
	}
	return l.String()
}

func writeExplainText(w io.Writer, s *authz.Situation, e *eval.Explanation, steps []eval.Step, src *check.Sources) {
	r := s.Request
	fmt.Fprintf(w, "request   %s %s on %s\n", r.Caller.ARN, r.ActionName, r.Resource.Raw)
	if r.NoResource {
		fmt.Fprintf(w, "          %s takes no resource: AWS evaluates it against all resources, \"*\"\n", r.ActionName)
	}
	who := "principal outside the organization: its own account's side is taken as allowing"
	switch {
	case s.Missing != "":
		who = fmt.Sprintf("%s (%s): nobody can act as %s", s.Missing, s.Account.ID, r.Caller.Name)
	case s.Role != nil:
		who = fmt.Sprintf("role %s in %s (%s)", s.Role.Name, s.Role.Account.Name, s.Role.Account.ID)
	case s.User != nil:
		who = fmt.Sprintf("IAM user %s in %s (%s)", s.User.Name, s.User.Account.Name, s.User.Account.ID)
	case s.Account != nil:
		who = fmt.Sprintf("account %s (%s)", s.Account.Name, s.Account.ID)
	case !s.Outside:
		who = r.Caller.Kind.String() + " principal"
	}
	fmt.Fprintf(w, "principal %s\n", who)
	fmt.Fprintf(w, "resource  account %s\n", r.ResourceAccount)
	dec := e.Decision.String()
	if e.Decision != eval.Allow && e.DeniedBy != eval.LayerNone {
		dec += " by " + e.DeniedBy.String()
		if e.DeniedTarget != "" {
			dec += " (" + e.DeniedTarget + ")"
		}
	}
	fmt.Fprintf(w, "decision  %s\n", dec)
	if e.Note != "" {
		fmt.Fprintf(w, "          %s\n", e.Note)
	}
	fmt.Fprintln(w)
	for _, st := range steps {
		title := layerTitle(st)
		switch {
		case !st.Present && st.Layer == eval.LayerSCP:
			fmt.Fprintf(w, "%-28s not under SCPs (the management account, or outside the organization)\n", "SCPs")
			continue
		case !st.Present && st.Layer == eval.LayerRCP:
			fmt.Fprintf(w, "%-28s none apply (a service RCPs do not cover, the management account's resources, or outside the organization)\n", "RCPs")
			continue
		case st.Layer == eval.LayerIdentity && s.Outside:
			fmt.Fprintf(w, "%-28s %s\n", title, outsideIdentity)
			continue
		case !st.Present:
			fmt.Fprintf(w, "%-28s none\n", title)
			continue
		case !st.Applies:
			fmt.Fprintf(w, "%-28s do not apply to this principal\n", title)
			continue
		}
		verdict := stepVerdict(st)
		fmt.Fprintf(w, "%-28s %s\n", title, verdict)
		for _, m := range st.Matches {
			pos := src.Position(m.Policy, m.Statement.Src)
			if pos != "" {
				pos = " at " + pos
			}
			fmt.Fprintf(w, "    %-5s %s, statement %s%s\n", m.Effect, m.Policy.Name, m.Statement.Src.Label(), pos)
		}
	}
}

// outsideIdentity is the identity layer of a principal outside the
// organization, whose own policies Warden cannot know.
const outsideIdentity = "taken as allowing (the principal's own account is outside the organization)"

func stepVerdict(st eval.Step) string {
	deny, allow := false, false
	for _, m := range st.Matches {
		if m.Effect == policy.Deny {
			deny = true
		} else {
			allow = true
		}
	}
	switch {
	case deny:
		return "explicit deny"
	case allow && (st.Layer == eval.LayerResource || st.Layer == eval.LayerTrust):
		return "allows (" + grantName(st.Grant) + ")"
	case allow:
		return "allows"
	case st.Layer == eval.LayerRCP:
		return "no deny (RCPFullAWSAccess allows)"
	}
	return "no statement applies (implicit deny here)"
}

func grantName(k policy.MatchKind) string {
	switch k {
	case policy.MatchDirect:
		return "names the principal"
	case policy.MatchRole:
		return "names the session's role"
	case policy.MatchAccount:
		return "names the account: identity policies must allow too"
	}
	return "names no one here"
}

type explainJSON struct {
	Principal string     `json:"principal"`
	Action    string     `json:"action"`
	Resource  string     `json:"resource"`
	Decision  string     `json:"decision"`
	DeniedBy  string     `json:"deniedBy"`
	Note      string     `json:"note,omitempty"`
	Layers    []stepJSON `json:"layers"`
}

type stepJSON struct {
	Layer      string       `json:"layer"`
	Target     string       `json:"target,omitempty"`
	Present    bool         `json:"present"`
	Applies    bool         `json:"applies"`
	Verdict    string       `json:"verdict,omitempty"`
	Statements []reasonJSON `json:"statements"`
}

type reasonJSON struct {
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Effect    string `json:"effect"`
	Position  string `json:"position,omitempty"`
}

func writeExplainJSON(w io.Writer, s *authz.Situation, e *eval.Explanation, steps []eval.Step, src *check.Sources) {
	out := explainJSON{Principal: s.Request.Caller.ARN, Action: s.Request.ActionName, Resource: s.Request.Resource.Raw,
		Decision: e.Decision.String(), DeniedBy: "none", Note: e.Note, Layers: []stepJSON{}}
	if e.Decision != eval.Allow {
		out.DeniedBy = e.DeniedBy.String()
	}
	for _, st := range steps {
		sj := stepJSON{Layer: st.Layer.String(), Target: st.Target, Present: st.Present, Applies: st.Applies, Statements: []reasonJSON{}}
		switch {
		case st.Layer == eval.LayerIdentity && s.Outside:
			sj.Verdict = outsideIdentity
		case st.Present && st.Applies:
			sj.Verdict = stepVerdict(st)
		}
		for _, m := range st.Matches {
			sj.Statements = append(sj.Statements, reasonJSON{Policy: m.Policy.Name, Statement: m.Statement.Src.Label(), Effect: m.Effect.String(), Position: src.Position(m.Policy, m.Statement.Src)})
		}
		out.Layers = append(out.Layers, sj)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
