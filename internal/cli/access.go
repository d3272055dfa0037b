package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/state"
)

// Exit statuses of warden access: 0 done; 1 refused (by the server or the
// rules: not allowed, not requestable, already decided, no such request);
// 2 a usage error, or no sign-in, no server, no store.
const (
	accessRefused = 1
	accessUsage   = 2
)

type accessFlags struct {
	endpoint, format string
	store            storeFlags
	useStore         bool
	operator         string
}

func (f *accessFlags) addRemote(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.endpoint, "endpoint", defaultEndpoint, "Warden's URL (the sign-in of warden login for it is used)")
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
}

func (f *accessFlags) addStore(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.useStore, "store", false, "work on the store directly, as an operator, instead of through the server")
	cmd.Flags().StringVar(&f.operator, "operator", os.Getenv("USER"), "with --store: the operator's name, for the trail")
	f.store.add(cmd)
}

func newAccess(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Time-boxed access: request, approve, deny, revoke and list grants of permission sets",
		Long: `Time-boxed access to permission sets (docs/access.md). A person asks for a permission set in an
account for a time and a reason, under a temporaryAccess policy of the organization file; a member
of the policy's approver groups other than the requester approves it (with a current MFA code when
the policy asks); the account assignment then exists until the grant expires or is revoked, when it
is removed and the sessions it produced are refused at once.

The commands talk to a running warden serve (--endpoint) as the person signed in with warden login
for it. Operators with the store's credentials may list every request and revoke grants with
--store (the store flags as warden audit's), without a sign-in; that is recorded in the trail with
the operator's name.

Exit status: 0 done; 1 refused (not allowed, not requestable, already decided, no such request);
2 usage error, not signed in, or the server or store cannot be reached.`,
	}
	cmd.AddCommand(newAccessRequest(env), newAccessDecide(env, "approve"), newAccessDecide(env, "deny"), newAccessRevoke(env), newAccessList(env))
	return cmd
}

func newAccessRequest(env Env) *cobra.Command {
	var f accessFlags
	var account, permSet, duration, reason string
	cmd := &cobra.Command{
		Use:   "request --account NAME|ID --permission-set NAME --duration PT2H --reason TEXT",
		Short: "Ask for a permission set in an account for a time",
		Example: `  warden access request --account Prod --permission-set VendorSupport --duration PT2H \
    --reason "NW-4411: checkout latency"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := access.ParseDuration(duration); err != nil {
				return &ExitError{Code: accessUsage, Err: fmt.Errorf("--duration: %w", err)}
			}
			return f.remote(cmd.Context(), env, "POST", "/access/requests",
				map[string]string{"accountId": account, "permissionSet": permSet, "duration": duration, "reason": reason})
		},
	}
	f.addRemote(cmd)
	fl := cmd.Flags()
	fl.StringVar(&account, "account", "", "account name or ID")
	fl.StringVar(&permSet, "permission-set", "", "permission set name")
	fl.StringVar(&duration, "duration", "", "how long: ISO 8601 (PT2H, PT30M) or 2h, 30m; at most the policy's maxDuration")
	fl.StringVar(&reason, "reason", "", "why you need it (a ticket, an incident)")
	for _, n := range []string{"account", "permission-set", "duration", "reason"} {
		cmd.MarkFlagRequired(n)
	}
	return cmd
}

func newAccessDecide(env Env, verb string) *cobra.Command {
	var f accessFlags
	var comment, code string
	short := "Deny a pending request (approvers of its policy)"
	if verb == "approve" {
		short = "Approve a pending request (approvers of its policy, with a current MFA code)"
	}
	long := ""
	if verb == "approve" {
		long = short + `.

The second factor is a current code of your authenticator app or one of your recovery codes
(--mfa-code, or asked for on a terminal). A security key or passkey cannot answer in a terminal:
an approver whose factor is a security key or passkey approves in the access portal
(/start/access, "Use your security key or passkey"), or with a recovery code here.`
	}
	cmd := &cobra.Command{
		Use:   verb + " REQUEST-ID",
		Short: short,
		Long:  long,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]string{"comment": comment}
			if verb == "approve" {
				if code == "" && isTerminal(env.Stdin) {
					fmt.Fprint(env.Stderr, "MFA code (or a recovery code): ")
					line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
					code = strings.TrimSpace(line)
				}
				body["mfaCode"] = code
			}
			return f.remote(cmd.Context(), env, "POST", "/access/requests/"+url.PathEscape(args[0])+"/"+verb, body)
		},
	}
	f.addRemote(cmd)
	cmd.Flags().StringVar(&comment, "comment", "", "a note for the requester and the trail")
	if verb == "approve" {
		cmd.Flags().StringVar(&code, "mfa-code", "", "a current code of your authenticator or one of your recovery codes (asked for on a terminal when absent)")
	}
	return cmd
}

func newAccessRevoke(env Env) *cobra.Command {
	var f accessFlags
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke REQUEST-ID",
		Short: "End a grant now (approvers, the grantee, or an operator with --store), or withdraw your pending request",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.useStore {
				return f.onStore(cmd.Context(), env, func(ctx context.Context, m *access.Manager) (any, error) {
					if f.operator == "" {
						return nil, &ExitError{Code: accessUsage, Err: errors.New("--operator is required with --store (no $USER)")}
					}
					r, err := m.Revoke(ctx, access.Actor{Operator: f.operator}, args[0], reason)
					if err != nil {
						return nil, err
					}
					if err := m.Record(ctx, "RevokeAccessGrant", r, f.operator, map[string]any{"requestId": r.ID, "reason": reason}); err != nil {
						return nil, fmt.Errorf("revoked, but not recorded in the trail: %w", err)
					}
					return r, nil
				})
			}
			return f.remote(cmd.Context(), env, "POST", "/access/requests/"+url.PathEscape(args[0])+"/revoke", map[string]string{"reason": reason})
		},
	}
	f.addRemote(cmd)
	f.addStore(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why it ends now")
	return cmd
}

func newAccessList(env Env) *cobra.Command {
	var f accessFlags
	var scope, status string
	cmd := &cobra.Command{
		Use:   "list [--scope mine|approvable] [--status STATUS]",
		Short: "List your requests, or those you may decide; every request with --store",
		Long: `List requests, newest first: your own (--scope mine, the default), or those you may approve, deny
or revoke (--scope approvable); with --store, every request (operators). --status keeps one state:
PENDING, ACTIVE, DENIED, EXPIRED, REVOKED, CANCELLED or FAILED.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.useStore {
				return f.onStore(cmd.Context(), env, func(ctx context.Context, m *access.Manager) (any, error) {
					return m.List(ctx, access.Filter{Status: status})
				})
			}
			q := url.Values{}
			if scope != "" {
				q.Set("scope", scope)
			}
			if status != "" {
				q.Set("status", status)
			}
			return f.remote(cmd.Context(), env, "GET", "/access/requests?"+q.Encode(), nil)
		},
	}
	f.addRemote(cmd)
	f.addStore(cmd)
	cmd.Flags().StringVar(&scope, "scope", "", "mine (default) or approvable")
	cmd.Flags().StringVar(&status, "status", "", "only requests in this state")
	return cmd
}

// remote calls the server's access API as the signed-in person and prints
// the answer.
func (f *accessFlags) remote(ctx context.Context, env Env, method, path string, body any) error {
	if f.format != "text" && f.format != "json" {
		return &ExitError{Code: accessUsage, Err: fmt.Errorf("--format %q: want text or json", f.format)}
	}
	f.endpoint = strings.TrimSuffix(f.endpoint, "/")
	oc, _ := ssoClients(f.endpoint)
	tok, err := currentToken(ctx, env, oc, f.endpoint)
	if err != nil {
		return &ExitError{Code: accessUsage, Err: err}
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.endpoint+path, rd)
	if err != nil {
		return &ExitError{Code: accessUsage, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-amz-sso_bearer_token", tok.AccessToken)
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return &ExitError{Code: accessUsage, Err: fmt.Errorf("reaching %s: %w", f.endpoint, err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return &ExitError{Code: accessUsage, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		json.Unmarshal(data, &e)
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(data))
		}
		code := accessRefused
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode >= 500 {
			code = accessUsage
		}
		return &ExitError{Code: code, Err: fmt.Errorf("%s: %s", e.Type, e.Message)}
	}
	var out struct {
		AccessRequest  *access.Request   `json:"accessRequest"`
		AccessRequests []*access.Request `json:"accessRequests"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return &ExitError{Code: accessUsage, Err: fmt.Errorf("the server's answer: %w", err)}
	}
	if out.AccessRequest != nil {
		return printAccess(env, f.format, out.AccessRequest)
	}
	return printAccess(env, f.format, out.AccessRequests)
}

// onStore runs fn on the store directly (operators).
func (f *accessFlags) onStore(ctx context.Context, env Env, fn func(context.Context, *access.Manager) (any, error)) error {
	if f.format != "text" && f.format != "json" {
		return &ExitError{Code: accessUsage, Err: fmt.Errorf("--format %q: want text or json", f.format)}
	}
	st, sealer, err := f.store.open(ctx)
	if err != nil {
		return &ExitError{Code: accessUsage, Err: err}
	}
	defer st.Close()
	m := &access.Manager{Store: st, State: state.New(st, env.Now), Clock: env.Now}
	owner, err := auditOwner(ctx, st, env)
	if err != nil {
		return &ExitError{Code: accessUsage, Err: err}
	}
	trail, err := audit.Open(ctx, st, sealer, audit.Options{Owner: owner, Clock: env.Now})
	if err != nil {
		return &ExitError{Code: accessUsage, Err: fmt.Errorf("the audit trail could not be opened: %w", err)}
	}
	defer trail.Close()
	m.Audit = trail
	v, err := fn(ctx, m)
	var ae *access.Error
	var ee *ExitError
	switch {
	case errors.As(err, &ee):
		return ee
	case errors.As(err, &ae):
		return &ExitError{Code: accessRefused, Err: fmt.Errorf("%s: %s", ae.Code, ae.Message)}
	case err != nil:
		return &ExitError{Code: accessUsage, Err: err}
	}
	return printAccess(env, f.format, v)
}

// printAccess prints a request or a list of them.
func printAccess(env Env, format string, v any) error {
	if format == "json" {
		return printJSON(env, v)
	}
	var rs []*access.Request
	switch t := v.(type) {
	case *access.Request:
		r := t
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "Request\t%s\n", r.ID)
		fmt.Fprintf(w, "Status\t%s\n", r.Status)
		fmt.Fprintf(w, "Person\t%s\n", r.UserName)
		fmt.Fprintf(w, "Access\t%s in %s (%s)\n", r.PermissionSet, r.AccountName, r.AccountID)
		fmt.Fprintf(w, "Duration\t%s (policy %s)\n", time.Duration(r.DurationSeconds)*time.Second, r.Policy)
		fmt.Fprintf(w, "Reason\t%s\n", r.Reason)
		fmt.Fprintf(w, "Requested\t%s\n", r.RequestedAt.Format(time.RFC3339))
		if !r.DecidedAt.IsZero() {
			fmt.Fprintf(w, "Decided\t%s by %s%s\n", r.DecidedAt.Format(time.RFC3339), r.DecidedByName, map[bool]string{true: " (with MFA)"}[r.ApproverMFA])
		}
		if r.Comment != "" {
			fmt.Fprintf(w, "Comment\t%s\n", r.Comment)
		}
		if !r.ExpiresAt.IsZero() {
			fmt.Fprintf(w, "Grant\t%s to %s\n", r.StartsAt.Format(time.RFC3339), r.ExpiresAt.Format(time.RFC3339))
		}
		if !r.EndedAt.IsZero() {
			by := ""
			if r.EndedByName != "" {
				by = " by " + r.EndedByName
			}
			fmt.Fprintf(w, "Ended\t%s%s: %s\n", r.EndedAt.Format(time.RFC3339), by, r.EndReason)
		}
		return w.Flush()
	case []*access.Request:
		rs = t
	}
	if len(rs) == 0 {
		fmt.Fprintln(env.Stdout, "No access requests.")
		return nil
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTATUS\tPERSON\tACCOUNT\tPERMISSION SET\tDURATION\tREQUESTED\tUNTIL")
	for _, r := range rs {
		until := "-"
		if !r.ExpiresAt.IsZero() {
			until = r.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Status, r.UserName, r.AccountName, r.PermissionSet,
			time.Duration(r.DurationSeconds)*time.Second, r.RequestedAt.Format(time.RFC3339), until)
	}
	return w.Flush()
}

// isTerminal reports whether r is a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
