package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
)

func newIdentityCenter(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity-center",
		Short: "Administer Identity Center's directory where its APIs cannot: passwords and authenticators",
	}
	var f storeFlags
	var user string
	var resetMFA bool
	reset := &cobra.Command{
		Use:   "reset-password --user NAME [--reset-mfa] [--data DIR | --database URL]",
		Short: "Give a directory user a new one-time password (printed once, on standard output)",
		Long: `Give a user of Identity Center's directory a new one-time password, which the person must change
at the next sign-in, and print it once on standard output (never in a log). With --reset-mfa the
user's authenticator app, security keys, passkeys and recovery codes are removed too (a lost phone):
the next sign-in enrolls a new one. Failed
sign-ins of the user are forgotten. Users created through identitystore:CreateUser get their first
password this way. When the identity source is an external identity provider, no password is
issued (the directory's passwords are off, as at AWS): only --reset-mfa works, and removes the
authenticator alone. The change is recorded in the audit trail (sso-directory.amazonaws.com,
UpdatePassword), without the password.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if user == "" {
				return &ExitError{Code: 2, Err: errors.New("--user is required")}
			}
			return runResetPassword(cmd.Context(), env, f, user, resetMFA)
		},
	}
	f.add(reset)
	reset.Flags().StringVar(&user, "user", "", "the user's UserName")
	reset.Flags().BoolVar(&resetMFA, "reset-mfa", false, "also remove the user's MFA devices and recovery codes")
	cmd.AddCommand(reset)
	cmd.AddCommand(newSCIMToken(env))
	return cmd
}

func runResetPassword(ctx context.Context, env Env, f storeFlags, user string, resetMFA bool) error {
	st, sealer, err := f.open(ctx)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	defer st.Close()
	m := state.New(st, env.Now)
	owner, err := auditOwner(ctx, st, env)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	auth := &sso.Authenticator{Store: st, Dir: sso.OrgDirectory{Orgs: m}, Master: sealer, Clock: env.Now}
	u, pw, err := auth.ResetPassword(ctx, user, resetMFA)
	if errors.Is(err, sso.ErrNoUser) {
		return &ExitError{Code: 2, Err: fmt.Errorf("Identity Center has no user %q", user)}
	}
	if errors.Is(err, sso.ErrExternalSource) {
		return &ExitError{Code: 2, Err: fmt.Errorf("no password was issued: %w (--reset-mfa alone removes the person's authenticator)", err)}
	}
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	trail, err := audit.Open(ctx, st, sealer, audit.Options{Owner: owner, Clock: env.Now})
	if err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("the password was reset but the audit trail could not be opened: %w", err)}
	}
	defer trail.Close()
	in, _ := (sso.OrgDirectory{Orgs: m}).Instance(ctx)
	c := &call.Call{Service: "sso-directory", Action: "UpdatePassword", Now: env.Now().UTC(), RequestID: "warden-cli", SourceIP: "127.0.0.1",
		UserAgent: "warden identity-center reset-password", RecipientAccount: in.Account,
		RequestParameters: call.Fields{"userName": u.UserName, "userId": u.ID, "oneTimePassword": pw != "", "resetMfa": resetMFA}}
	if err := trail.Record(ctx, &call.Event{Call: c, EventSource: "sso-directory.amazonaws.com", RecipientAccount: in.Account}); err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("the password was reset but not recorded in the audit trail: %w", err)}
	}
	if pw == "" {
		fmt.Fprintf(env.Stderr, "No password issued for %s (%s): people sign in at the external identity provider. The authenticator was removed: the next sign-in enrolls a new one.\n", u.UserName, u.ID)
		return nil
	}
	fmt.Fprintln(env.Stdout, pw)
	fmt.Fprintf(env.Stderr, "One-time password of %s (%s) printed above: the next sign-in sets a new one%s.\n", u.UserName, u.ID,
		map[bool]string{true: " and enrolls a new authenticator", false: ""}[resetMFA])
	return nil
}
