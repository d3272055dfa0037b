package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/api/scim"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// newSCIMToken is `warden identity-center scim-token create|list|delete`:
// the bearer tokens of the SCIM endpoint (/scim/v2), as IAM Identity
// Center's access tokens for automatic provisioning.
func newSCIMToken(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scim-token",
		Short: "Create, list and delete the SCIM provisioning endpoint's access tokens",
		Long: `The SCIM endpoint of warden serve (/scim/v2) lets an identity provider (Okta, Microsoft Entra ID)
provision users and groups into Identity Center's directory. It accepts the bearer tokens created here,
as IAM Identity Center's access tokens: at most two exist at a time (so that one can be rotated: create a
new one, give it to the identity provider, delete the old one), each expires a year after it is created,
and a token is shown once, at its creation: only its SHA-256 is stored. Each change is recorded in the
audit trail (sso-directory.amazonaws.com CreateScimAccessToken / DeleteScimAccessToken), without the token.`,
	}
	var f storeFlags
	create := &cobra.Command{
		Use:   "create [--data DIR | --database URL]",
		Short: "Create an access token and print it once on standard output",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTokenStore(cmd.Context(), env, f, func(st store.Store, rec recorder) error {
				t, secret, err := scim.CreateToken(cmd.Context(), st, env.Now())
				if errors.Is(err, scim.ErrTooManyTokens) {
					return &ExitError{Code: 1, Err: err}
				}
				if err != nil {
					return err
				}
				if err := rec("CreateScimAccessToken", t.ID); err != nil {
					// A token the trail does not know of must not work.
					if derr := scim.DeleteToken(cmd.Context(), st, t.ID, env.Now()); derr != nil {
						err = fmt.Errorf("%w; and the token could not be deleted again (delete %s): %v", err, t.ID, derr)
					}
					return err
				}
				fmt.Fprintln(env.Stdout, secret)
				fmt.Fprintf(env.Stderr, "SCIM access token %s created, expires %s. It is printed above once: paste it into the identity provider now.\n",
					t.ID, t.Expires.Format("2006-01-02 15:04 MST"))
				return nil
			})
		},
	}
	var format string
	list := &cobra.Command{
		Use:   "list [--format text|json] [--data DIR | --database URL]",
		Short: "List the access tokens (IDs, creation and expiry; never the tokens)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return &ExitError{Code: 2, Err: fmt.Errorf("--format %q: want text or json", format)}
			}
			return withTokenStore(cmd.Context(), env, f, func(st store.Store, _ recorder) error {
				ts, err := scim.ListTokens(cmd.Context(), st)
				if err != nil {
					return err
				}
				return printTokens(env, ts, format)
			})
		},
	}
	list.Flags().StringVar(&format, "format", "text", "output format: text or json")
	var id string
	del := &cobra.Command{
		Use:   "delete --id ID [--data DIR | --database URL]",
		Short: "Delete an access token: identity providers using it are refused at once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return &ExitError{Code: 2, Err: errors.New("--id is required (see warden identity-center scim-token list)")}
			}
			return withTokenStore(cmd.Context(), env, f, func(st store.Store, rec recorder) error {
				err := scim.DeleteToken(cmd.Context(), st, id, env.Now())
				if errors.Is(err, scim.ErrNoToken) {
					return &ExitError{Code: 1, Err: err}
				}
				if err != nil {
					return err
				}
				if err := rec("DeleteScimAccessToken", id); err != nil {
					return err
				}
				fmt.Fprintf(env.Stderr, "SCIM access token %s deleted.\n", id)
				return nil
			})
		},
	}
	del.Flags().StringVar(&id, "id", "", "the token's ID")
	for _, c := range []*cobra.Command{create, list, del} {
		f.add(c)
		cmd.AddCommand(c)
	}
	return cmd
}

func printTokens(env Env, ts []scim.Token, format string) error {
	now := env.Now()
	type row struct {
		ID      string `json:"id"`
		Created string `json:"created"`
		Expires string `json:"expires"`
		Status  string `json:"status"`
	}
	rows := []row{}
	for _, t := range ts {
		status := "ACTIVE"
		if t.Expired(now) {
			status = "EXPIRED"
		}
		rows = append(rows, row{t.ID, t.Created.Format("2006-01-02T15:04:05Z"), t.Expires.Format("2006-01-02T15:04:05Z"), status})
	}
	if format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"tokens": rows})
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "No SCIM access tokens: create one with warden identity-center scim-token create.")
		return nil
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCREATED\tEXPIRES\tSTATUS")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.ID, r.Created, r.Expires, r.Status)
	}
	return w.Flush()
}

// recorder records a token change in the audit trail.
type recorder func(action, tokenID string) error

// withTokenStore opens the store and the trail for a token command.
func withTokenStore(ctx context.Context, env Env, f storeFlags, fn func(store.Store, recorder) error) error {
	st, sealer, err := f.open(ctx)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	defer st.Close()
	m := state.New(st, env.Now)
	rec := func(action, tokenID string) error {
		return recordAdminEvent(ctx, env, st, sealer, m, "sso-directory.amazonaws.com", action, "warden identity-center scim-token",
			call.Fields{"tokenId": tokenID}, nil)
	}
	if err := fn(st, rec); err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			return ee
		}
		return &ExitError{Code: 1, Err: err}
	}
	return nil
}
