package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/analyze/reach"
	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/org"
)

func newWhoCan(env Env) *cobra.Command {
	var orgPath, format string
	var outside bool
	var ctxFlags []string
	cmd := &cobra.Command{
		Use:   "who-can [--org PATH] [--format text|json] [--outside] [--context KEY=VALUE]... ACTION RESOURCE",
		Short: "List every principal of the organization that can make a request, directly or by assuming roles",
		Long: `List every principal of the organization that can call ACTION on RESOURCE: its root users, IAM
users, roles and Identity Center permission sets (their provisioned roles); directly, or by assuming
roles (sts:AssumeRole, and sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity for an identity
provider's users) one after another. No other principal of the organization can.

--outside adds the principals outside the organization that its policies let in, alone or through
its roles: other accounts, AWS services, identity providers' users, and anyone ("*"). Without it,
the text output ends with how many of those can too; the JSON output leaves them out.

Every layer applies, decided by the same engine as warden explain: identity policies, permissions
boundaries, SCPs, the resource's policy or the role's trust policy, RCPs. The context keys that
--context fixes keep their values on the request itself; every other key ranges over all its values,
and the keys whose value decides (MFA, an external ID, a source address, a region) are listed as the
conditions that must hold, for the request and for each role assumption on the way. A principal
marked "unsure" could not be ruled out exactly (a policy variable, too many classes of contexts).

{Account} and {PermissionSet:NAME} placeholders work as in warden check. --format json writes one
object per principal per line: {"principal": ARN, "via": [roles assumed, in order], ...}.

Exit status: 0 when some listed principal can, 1 when none can (with --outside, none at all), 2 for
malformed input.`,
		Example: `  warden who-can s3:GetObject 'arn:aws:s3:::securecart-prod-vendor-exports/report.csv'
  warden who-can --outside s3:GetObject 'arn:aws:s3:::securecart-prod-vendor-exports/report.csv'
  warden who-can --context aws:MultiFactorAuthPresent=false iam:CreateRole 'arn:aws:iam::{Dev}:role/x'
  warden who-can --org ./my-org --format json sts:AssumeRole 'arn:aws:iam::{Security}:role/BreakGlassRole'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			defer pauseGC(orgSize(orgPath))()
			o, err := loadOrgAs(orgPath, format, env.Stderr)
			if err != nil {
				return err
			}
			q := reach.Query{}
			if q.Action, err = check.Substitute(o, args[0]); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if q.Resource, err = check.Substitute(o, args[1]); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if q.Context, err = contextFlags(o, ctxFlags); err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			g := reach.New(o, env.Now())
			g.Progress = progressBar(env.Stderr, "deciding principals")
			paths, err := g.WhoCan(q)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			listed, others := paths, 0
			if !outside {
				listed, others = inOrg(paths)
			}
			if err := writeWhoCan(env.Stdout, format, o, listed, others); err != nil {
				return err
			}
			if len(listed) == 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	f.StringVar(&format, "format", "text", "output format: text or json")
	f.BoolVar(&outside, "outside", false, "also list the principals outside the organization: other accounts, AWS services, identity providers' users, anyone")
	f.StringArrayVar(&ctxFlags, "context", nil, "a request context key, KEY=VALUE (repeatable; V1,V2 for several values)")
	return cmd
}

// inOrg keeps the paths of the organization's own principals (root users,
// IAM users, roles, permission sets) and counts the others.
func inOrg(paths []reach.Path) (kept []reach.Path, others int) {
	kept = make([]reach.Path, 0, len(paths))
	for i := range paths {
		if paths[i].Principal.Kind.InOrg() {
			kept = append(kept, paths[i])
		} else {
			others++
		}
	}
	return kept, others
}

// contextFlags reads --context KEY=VALUE flags, with placeholders; V1,V2
// gives a multivalued key.
func contextFlags(o *org.Org, flags []string) (map[string][]string, error) {
	ctx := map[string][]string{}
	for _, kv := range flags {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--context %q: want KEY=VALUE", kv)
		}
		v, err := check.Substitute(o, v)
		if err != nil {
			return nil, err
		}
		ctx[k] = strings.Split(v, ",")
	}
	return ctx, nil
}

// whoCanLine is one principal of who-can --format json.
type whoCanLine struct {
	Principal string   `json:"principal"`
	Via       []string `json:"via"`
	Kind      string   `json:"kind"`
	// Caller is the ARN the request itself is made as: the principal, or
	// a session of the last role of via.
	Caller   string              `json:"caller"`
	Action   string              `json:"action"`
	Unsure   bool                `json:"unsure,omitempty"`
	Requires []reach.Requirement `json:"requires,omitempty"`
	Hops     []whoCanHop         `json:"hops,omitempty"`
	// Session lists what the path's sessions must carry (MFA at sign-in,
	// a source identity, session tags) and the hop that sets each.
	Session []reach.SessionNeed `json:"session,omitempty"`
	// SessionNames lists the roles of the path whose session must have a
	// given name (a policy names the session, or tests aws:userid); the
	// caller of AssumeRole chooses it.
	SessionNames []reach.NamedSession `json:"session_names,omitempty"`
	// Context is the request's context as decided, for warden explain.
	Context map[string][]string `json:"context,omitempty"`
	// Assigned names the Identity Center users and groups behind a
	// permission set's role.
	Assigned []string `json:"assigned,omitempty"`
}

type whoCanHop struct {
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Role      string              `json:"role"`
	Requires  []reach.Requirement `json:"requires,omitempty"`
	Context   map[string][]string `json:"context,omitempty"`
}

func whoCanLineOf(o *org.Org, p *reach.Path) whoCanLine {
	l := whoCanLine{Principal: p.Principal.ARN, Via: []string{}, Kind: p.Principal.Kind.String(), Unsure: p.Unsure,
		Caller: p.Final.Caller(), Action: p.Final.Action,
		Requires: p.Final.Requires, Context: p.Final.Context, Assigned: assignedTo(o, p.Principal), Session: p.Session,
		SessionNames: p.SessionNames()}
	for i, v := range p.Via {
		l.Via = append(l.Via, v.ARN)
		h := p.Hops[i]
		l.Hops = append(l.Hops, whoCanHop{Principal: h.Caller(), Action: h.Action, Role: h.To.ARN, Requires: h.Requires, Context: h.Context})
	}
	return l
}

// writeWhoCan writes the paths; others counts the principals outside the
// organization left out, named in a closing line of the text output.
func writeWhoCan(w io.Writer, format string, o *org.Org, paths []reach.Path, others int) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range paths {
			if err := enc.Encode(whoCanLineOf(o, &paths[i])); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range paths {
		p := &paths[i]
		how := "directly"
		if len(p.Via) > 0 {
			how = "through " + count(len(p.Via), "role", "roles")
		}
		unsure := ""
		if p.Unsure {
			unsure = ", unsure"
		}
		fmt.Fprintf(w, "%s (%s, %s%s)\n", p.Principal.ARN, describe(o, p.Principal), how, unsure)
		if a := assignedTo(o, p.Principal); len(a) > 0 {
			fmt.Fprintf(w, "    assigned to %s\n", strings.Join(a, ", "))
		}
		if len(p.Session) > 0 {
			fmt.Fprintf(w, "    session: %s\n", sessionNeeds(p.Session))
		}
		for i, h := range p.Hops {
			fmt.Fprintf(w, "    %d. %s %s\n", i+1, h.Action, h.To.ARN)
			printRequires(w, h.Outcome)
		}
		fmt.Fprintf(w, "    %d. %s on the resource\n", len(p.Hops)+1, p.Final.Action)
		printRequires(w, p.Final.Outcome)
	}
	fmt.Fprintln(w, count(len(paths), "principal", "principals"))
	if others > 0 {
		fmt.Fprintf(w, "%s outside the organization can too: --outside lists them\n", count(others, "principal", "principals"))
	}
	return nil
}

// sessionNeeds says what a path's sessions must carry, as "MFA at
// sign-in; tag team=payments at hop 1".
func sessionNeeds(needs []reach.SessionNeed) string {
	s := make([]string, len(needs))
	for i, n := range needs {
		s[i] = n.String()
	}
	return strings.Join(s, "; ")
}

func printRequires(w io.Writer, o reach.Outcome) {
	if o.Unsure != "" && !o.Allowed {
		fmt.Fprintf(w, "         possible: %s\n", o.Unsure)
	}
	if o.SessionName != "" {
		fmt.Fprintf(w, "         requires the role's session name %s (the RoleSessionName its assumer chooses)\n", o.SessionName)
	}
	for _, r := range o.Requires {
		fmt.Fprintf(w, "         requires %s\n", r)
		for _, t := range r.Tests {
			fmt.Fprintf(w, "             %s\n", t)
		}
	}
}

// describe names a principal's kind for people.
func describe(o *org.Org, p *reach.Principal) string {
	switch p.Kind {
	case reach.KindRoot, reach.KindUser, reach.KindRole:
		if a, ok := o.AccountByID(p.Account); ok {
			return p.Kind.String() + " in " + a.Name
		}
	case reach.KindPermissionSet:
		return "permission set " + p.Role.PermissionSet + " in " + p.Role.Account.Name
	case reach.KindService:
		return "AWS service"
	case reach.KindFederated:
		return "identity provider's users"
	case reach.KindOutside:
		return "account " + p.Account + ", outside the organization"
	case reach.KindAnyone:
		return "anyone"
	}
	return p.Kind.String()
}

// assignedTo lists the Identity Center users and groups assigned a
// permission set's role in its account.
func assignedTo(o *org.Org, p *reach.Principal) []string {
	if p.Kind != reach.KindPermissionSet || o.IdentityCenter == nil {
		return nil
	}
	var out []string
	for _, a := range o.IdentityCenter.Assignments {
		if a.PermissionSet == nil || a.PermissionSet.Name != p.Role.PermissionSet {
			continue
		}
		for _, acct := range a.Accounts {
			if acct != p.Role.Account {
				continue
			}
			if a.User != nil {
				out = append(out, "user "+a.User.UserName)
			} else if a.Group != nil {
				out = append(out, "group "+a.Group.Name)
			}
		}
	}
	return out
}

func newCan(env Env) *cobra.Command {
	var orgPath, format, service string
	var ctxFlags []string
	cmd := &cobra.Command{
		Use:   "can [--org PATH] [--format text|json] [--service S] [--context KEY=VALUE]... PRINCIPAL",
		Short: "List what a principal can do: the classes of actions and resources it is allowed",
		Long: `List what PRINCIPAL (a role's ARN or a session of it, an IAM user's ARN, a root user's ARN or an
account ID, of the organization) can do itself: the actions its identity policies name (every action
for a root user) and those the organization's resource policies grant it, grouped into classes that
every statement treats alike, each on the classes of resources the Resource elements tell apart,
decided by the same engine as warden explain over every context. Each class comes with the Resource
elements that allow it and the conditions that must hold (keys --context does not fix range over
all their values). Then the roles it can assume, with their conditions: run warden can on them, or
warden who-can, for what it reaches through them.

--service restricts the actions to one service prefix (s3, iam, ...). --format json writes one
object per line: {"actions": [...], "resource": ..., "resources": [...], "requires": [...]} for each
class, {"assume": ROLE, "action": ..., "requires": [...]} for each role.

Exit status: 0 when the principal can do something, 1 when nothing, 2 for malformed input or a
principal the organization does not have.`,
		Example: `  warden can 'arn:aws:iam::{Dev}:role/DeveloperRole' --service s3
  warden can --org ./my-org --format json 'arn:aws:iam::{Prod}:role/VendorAccessRole'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			defer pauseGC(orgSize(orgPath))()
			o, err := loadOrgAs(orgPath, format, env.Stderr)
			if err != nil {
				return err
			}
			who, err := check.Substitute(o, args[0])
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			ctx, err := contextFlags(o, ctxFlags)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			g := reach.New(o, env.Now())
			p, ok := g.Lookup(who)
			if !ok {
				return &ExitError{Code: 2, Err: fmt.Errorf("principal %q: the organization has no such root user, IAM user or role", who)}
			}
			g.Progress = progressBar(env.Stderr, "deciding classes")
			caps, err := g.Can(p, service, ctx)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if err := writeCan(env.Stdout, format, o, caps); err != nil {
				return err
			}
			if len(caps.Grants) == 0 && len(caps.Assume) == 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&orgPath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	f.StringVar(&format, "format", "text", "output format: text or json")
	f.StringVar(&service, "service", "", "only the actions of this service prefix (s3, iam, ...)")
	f.StringArrayVar(&ctxFlags, "context", nil, "a request context key, KEY=VALUE (repeatable; V1,V2 for several values)")
	return cmd
}

type canLine struct {
	Actions   []string            `json:"actions,omitempty"`
	Resource  string              `json:"resource,omitempty"`
	Resources []string            `json:"resources,omitempty"`
	Assume    string              `json:"assume,omitempty"`
	Action    string              `json:"action,omitempty"`
	Requires  []reach.Requirement `json:"requires,omitempty"`
	Unsure    string              `json:"unsure,omitempty"`
	Example   *analyze.Request    `json:"example,omitempty"`
}

func writeCan(w io.Writer, format string, o *org.Org, caps *reach.Capabilities) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, gr := range caps.Grants {
			if err := enc.Encode(canLine{Actions: gr.Actions, Resource: gr.Resource, Resources: gr.Patterns, Requires: gr.Requires, Unsure: gr.Unsure, Example: gr.Example}); err != nil {
				return err
			}
		}
		for _, e := range caps.Assume {
			if err := enc.Encode(canLine{Assume: e.To.ARN, Action: e.Action, Requires: e.Requires, Unsure: e.Unsure}); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(w, "%s (%s) can:\n", caps.Principal.ARN, describe(o, caps.Principal))
	for _, gr := range caps.Grants {
		acts := gr.Actions
		more := ""
		if len(acts) > 6 {
			more = fmt.Sprintf(" (+%d more)", len(acts)-6)
			acts = acts[:6]
		}
		// The representative stands for its class: name the Resource
		// elements that allow it, or say that no element restricts it.
		on := "any resource"
		if len(gr.Patterns) > 0 {
			on = strings.Join(gr.Patterns, ", ")
		}
		if ex := gr.Example; ex != nil {
			on += " (e.g. " + ex.Action + " on " + ex.Resource
			if len(ex.Context) > 0 {
				b, _ := json.Marshal(analyze.ContextOut(ex.Context))
				on += " with context " + string(b)
			}
			on += ")"
		}
		fmt.Fprintf(w, "  %s%s\n      on %s\n", strings.Join(acts, ", "), more, on)
		printRequires(w, gr.Outcome)
	}
	if len(caps.Grants) == 0 {
		fmt.Fprintln(w, "  nothing itself")
	}
	if len(caps.Assume) > 0 {
		fmt.Fprintln(w, "and can assume:")
		for _, e := range caps.Assume {
			fmt.Fprintf(w, "  %s (%s)\n", e.To.ARN, e.Action)
			printRequires(w, e.Outcome)
		}
	}
	return nil
}

// loadOrgAs checks a text-or-json --format and loads the org (exit status 2
// for either mistake).
func loadOrgAs(orgPath, format string, stderr io.Writer) (*org.Org, error) {
	if format != "text" && format != "json" {
		return nil, &ExitError{Code: 2, Err: fmt.Errorf("unknown --format %q: want text or json", format)}
	}
	o, err := loadOrgShowing(orgPath, stderr)
	if err != nil {
		return nil, &ExitError{Code: 2, Err: err}
	}
	return o, nil
}
