package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// newSSO is `warden sso`: Identity Center's sign-in, administered where
// AWS's console does it (people's active sessions) and where Warden keeps
// its own secrets (the OpenID provider's client secret).
func newSSO(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sso",
		Short: "Administer Identity Center sign-in: people's active sessions, the OpenID provider's client secret",
	}
	cmd.AddCommand(newSSOSessions(env), newOIDCSecret(env))
	return cmd
}

// newSSOSessions is `warden sso sessions list|revoke USER`.
func newSSOSessions(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List and revoke a person's active sessions (access portal, warden login and SDK sign-ins)",
		Long: `A person's active sessions, as AWS IAM Identity Center's console shows them (Users > user >
Active sessions): each access portal session (ID ps-…) and each sign-in of warden login or an SDK
(ID g-…), with how and when it started and when it ends.

Revoking a session ends it on every replica of warden serve from its next request: the portal
session, the sign-in's access and refresh tokens, and the role credentials it got from
GetRoleCredentials (and the role sessions chained from them). Revoking all of a person's sessions
(no --session) also signs the person out everywhere and refuses every role session issued to them
until now. The person may sign in again. Each revocation is recorded in the audit trail
(sso.amazonaws.com RevokeUserSessions, Warden's own name).

USER is the person's user name or identity store user ID.`,
	}
	var f storeFlags
	var format string
	list := &cobra.Command{
		Use:   "list USER [--format text|json] [--data DIR | --database URL]",
		Short: "List a person's active sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &ExitError{Code: 2, Err: fmt.Errorf("--format %q: want text or json", format)}
			}
			return withSSOAdmin(cmd.Context(), env, f, func(a *ssoAdmin) error {
				u, err := a.user(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				ss, err := sso.SignIns(cmd.Context(), a.st, u.ID, env.Now())
				if err != nil {
					return err
				}
				return printSignIns(env, u, ss, format)
			})
		},
	}
	list.Flags().StringVar(&format, "format", "text", "output format: text or json")
	var session string
	revoke := &cobra.Command{
		Use:   "revoke USER [--session ID] [--data DIR | --database URL]",
		Short: "Revoke one of a person's sessions, or all of them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSSOAdmin(cmd.Context(), env, f, func(a *ssoAdmin) error {
				ctx := cmd.Context()
				u, err := a.user(ctx, args[0])
				if err != nil {
					return err
				}
				now := env.Now().UTC()
				ended, err := sso.RevokeSignIns(ctx, a.st, u.ID, session, now)
				if errors.Is(err, sso.ErrNoSignIn) {
					return &ExitError{Code: 1, Err: fmt.Errorf("%s has no active session %s (see warden sso sessions list %s)", u.UserName, session, args[0])}
				}
				if err != nil {
					return err
				}
				ids := []string{}
				for _, s := range ended {
					ids = append(ids, s.ID)
				}
				params := call.Fields{"userId": u.ID, "userName": u.UserName}
				if session != "" {
					params["sessionId"] = session
				}
				if err := a.record(ctx, "sso.amazonaws.com", "RevokeUserSessions", "warden sso sessions revoke", params,
					call.Fields{"revokedSessions": ids}); err != nil {
					return err
				}
				if session != "" {
					fmt.Fprintf(env.Stderr, "Session %s of %s revoked, with the role credentials it got.\n", session, u.UserName)
					return nil
				}
				fmt.Fprintf(env.Stderr, "%d active session(s) of %s revoked; %s is signed out everywhere and every role session issued until now is refused.\n",
					len(ended), u.UserName, u.UserName)
				return nil
			})
		},
	}
	revoke.Flags().StringVar(&session, "session", "", "the session's ID (default: all the person's sessions)")
	for _, c := range []*cobra.Command{list, revoke} {
		f.add(c)
		cmd.AddCommand(c)
	}
	return cmd
}

func printSignIns(env Env, u sso.User, ss []sso.SignIn, format string) error {
	if format == "json" {
		if ss == nil {
			ss = []sso.SignIn{}
		}
		for i := range ss {
			ss[i].Session = "" // the session's record key: not the admin's business
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"userId": u.ID, "userName": u.UserName, "sessions": ss})
	}
	if len(ss) == 0 {
		fmt.Fprintf(env.Stdout, "%s has no active sessions.\n", u.UserName)
		return nil
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tVIA\tSTARTED\tENDS")
	for _, s := range ss {
		via := s.Source
		if s.Kind == sso.SignInDevice {
			via = "client " + s.Client
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Kind, via, s.Created.UTC().Format("2006-01-02T15:04:05Z"), s.Expires.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return w.Flush()
}

// ssoAdmin is what an sso command works with: the store, the master key,
// the org, and the trail.
type ssoAdmin struct {
	env    Env
	st     store.Store
	sealer *creds.Sealer
	m      *state.Manager
}

// withSSOAdmin opens the store for an sso command; fn's errors exit 1
// unless they are ExitErrors.
func withSSOAdmin(ctx context.Context, env Env, f storeFlags, fn func(*ssoAdmin) error) error {
	st, sealer, err := f.open(ctx)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	defer st.Close()
	if err := fn(&ssoAdmin{env: env, st: st, sealer: sealer, m: state.New(st, env.Now)}); err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			return ee
		}
		return &ExitError{Code: 1, Err: err}
	}
	return nil
}

// user finds a person of Identity Center's directory by user name or ID.
func (a *ssoAdmin) user(ctx context.Context, nameOrID string) (sso.User, error) {
	dir := sso.OrgDirectory{Orgs: a.m}
	u, err := dir.UserByName(ctx, nameOrID)
	if errors.Is(err, sso.ErrNoUser) {
		u, err = dir.UserByID(ctx, nameOrID)
	}
	if errors.Is(err, sso.ErrNoUser) {
		return u, &ExitError{Code: 2, Err: fmt.Errorf("Identity Center has no user %q (give the user name or the user ID)", nameOrID)}
	}
	return u, err
}

// record writes an administrator's change to the audit trail, in Identity
// Center's account.
func (a *ssoAdmin) record(ctx context.Context, source, action, agent string, params, response any) error {
	return recordAdminEvent(ctx, a.env, a.st, a.sealer, a.m, source, action, agent, params, response)
}

// recordAdminEvent records a command's change to Identity Center in the
// audit trail (as the instance's account records it).
func recordAdminEvent(ctx context.Context, env Env, st store.Store, sealer *creds.Sealer, m *state.Manager, source, action, agent string, params, response any) error {
	owner, err := auditOwner(ctx, st, env)
	if err != nil {
		return err
	}
	trail, err := audit.Open(ctx, st, sealer, audit.Options{Owner: owner, Clock: env.Now})
	if err != nil {
		return fmt.Errorf("%s done but the audit trail could not be opened: %w", action, err)
	}
	defer trail.Close()
	in, _ := (sso.OrgDirectory{Orgs: m}).Instance(ctx)
	service := source
	if i := len(service) - len(".amazonaws.com"); i > 0 {
		service = service[:i]
	}
	c := &call.Call{Service: service, Action: action, Now: env.Now().UTC(), RequestID: "warden-cli", SourceIP: "127.0.0.1",
		UserAgent: agent, RecipientAccount: in.Account, RequestParameters: params, ResponseElements: response}
	if err := trail.Record(ctx, &call.Event{Call: c, EventSource: source, RecipientAccount: in.Account}); err != nil {
		return fmt.Errorf("%s done but not recorded in the audit trail: %w", action, err)
	}
	return nil
}
