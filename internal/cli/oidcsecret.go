package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/store"
)

// newOIDCSecret is `warden sso oidc-secret set|status|delete`: the client
// secret of the org's OpenID provider, sealed in the store.
func newOIDCSecret(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "oidc-secret",
		Short: "Set, rotate and remove the OpenID provider's client secret (sealed in the store)",
		Long: `When Identity Center's identity source is an OpenID provider (org file:
identityCenter.externalIdentityProvider of type oidc), Warden is a confidential client of it. Its client
secret can come from the environment variable the org names (clientSecretEnv), or be set here: read from
standard input (never from an argument, which other users of the machine could see), sealed with the
master key in the store, bound to the provider's issuer and client ID, never printed nor logged.

Which wins: the stored secret, when it is for the org's issuer and client ID; else the environment
variable; else none (a public client). Every replica of warden serve reads the stored secret at each
sign-in, so setting a new one (a rotation: first add the new secret at the provider, then set it here,
then remove the old one at the provider) takes effect on all of them at once, without a restart.
Each change is recorded in the audit trail (sso.amazonaws.com PutOidcClientSecret and
DeleteOidcClientSecret, Warden's own names), without the secret.`,
	}
	var f storeFlags
	set := &cobra.Command{
		Use:   "set [--data DIR | --database URL] < secret",
		Short: "Set (or rotate) the client secret, read from standard input",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			secret, err := readSecret(env.Stdin)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			return withSSOAdmin(cmd.Context(), env, f, func(a *ssoAdmin) error {
				ctx := cmd.Context()
				x, err := a.oidcProvider(ctx)
				if err != nil {
					return err
				}
				now := env.Now().UTC()
				if err := sso.SetOIDCClientSecret(ctx, a.st, a.sealer, x.Issuer, x.ClientID, secret, now); err != nil {
					return err
				}
				if err := a.record(ctx, "sso.amazonaws.com", "PutOidcClientSecret", "warden sso oidc-secret set",
					call.Fields{"issuer": x.Issuer, "clientId": x.ClientID}, nil); err != nil {
					return err
				}
				msg := fmt.Sprintf("The client secret of %s (client %s) is stored, sealed; every replica uses it from its next sign-in.", x.Name, x.ClientID)
				if x.ClientSecretEnv != "" {
					msg += fmt.Sprintf(" It overrides %s where warden serve has it set.", x.ClientSecretEnv)
				}
				fmt.Fprintln(env.Stderr, msg)
				return nil
			})
		},
	}
	var format string
	status := &cobra.Command{
		Use:   "status [--format text|json] [--data DIR | --database URL]",
		Short: "Say which client secret warden serve uses (never the secret)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return &ExitError{Code: 2, Err: fmt.Errorf("--format %q: want text or json", format)}
			}
			return withSSOAdmin(cmd.Context(), env, f, func(a *ssoAdmin) error {
				x, err := a.oidcProvider(cmd.Context())
				if err != nil {
					return err
				}
				info, ok, err := sso.StoredOIDCSecret(cmd.Context(), a.st)
				if err != nil {
					return err
				}
				return printOIDCSecretStatus(env, x, info, ok, format)
			})
		},
	}
	status.Flags().StringVar(&format, "format", "text", "output format: text or json")
	del := &cobra.Command{
		Use:   "delete [--data DIR | --database URL]",
		Short: "Remove the stored client secret (the environment variable is used again)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withSSOAdmin(cmd.Context(), env, f, func(a *ssoAdmin) error {
				ctx := cmd.Context()
				err := sso.DeleteOIDCClientSecret(ctx, a.st, env.Now())
				if errors.Is(err, store.ErrNotFound) {
					return &ExitError{Code: 1, Err: errors.New("no client secret is stored")}
				}
				if err != nil {
					return err
				}
				if err := a.record(ctx, "sso.amazonaws.com", "DeleteOidcClientSecret", "warden sso oidc-secret delete", call.Fields{}, nil); err != nil {
					return err
				}
				fmt.Fprintln(env.Stderr, "The stored client secret is removed; warden serve uses the org's clientSecretEnv variable again, if it names one.")
				return nil
			})
		},
	}
	for _, c := range []*cobra.Command{set, status, del} {
		f.add(c)
		cmd.AddCommand(c)
	}
	return cmd
}

// readSecret reads a secret from r: its first line, without the line
// break; nothing may follow it.
func readSecret(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("give the client secret on standard input")
	}
	br := bufio.NewReader(io.LimitReader(r, sso.MaxOIDCSecret+3))
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	secret := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if rest, _ := io.ReadAll(br); strings.TrimSpace(string(rest)) != "" {
		return "", errors.New("standard input has more than one line: give the client secret alone")
	}
	if secret == "" {
		return "", errors.New("standard input is empty: give the client secret on it (warden sso oidc-secret set < file, or type it and press Ctrl-D)")
	}
	return secret, sso.CheckOIDCSecret(secret)
}

// oidcProvider is the org's OpenID provider (exit 2 when the identity
// source is not one).
func (a *ssoAdmin) oidcProvider(ctx context.Context) (*org.ExternalIdP, error) {
	o, err := a.m.Org(ctx)
	if err != nil {
		return nil, err
	}
	if o.IdentityCenter == nil || o.IdentityCenter.ExternalIdP == nil || o.IdentityCenter.ExternalIdP.Type != "oidc" {
		return nil, &ExitError{Code: 2, Err: errors.New("Identity Center's identity source is not an OpenID provider (org file: identityCenter.externalIdentityProvider of type oidc)")}
	}
	return o.IdentityCenter.ExternalIdP, nil
}

func printOIDCSecretStatus(env Env, x *org.ExternalIdP, info sso.OIDCSecretInfo, stored bool, format string) error {
	matches := stored && info.Issuer == x.Issuer && info.ClientID == x.ClientID
	source := sso.SecretNone
	switch {
	case matches:
		source = sso.SecretFromStore
	case x.ClientSecretEnv != "":
		source = sso.SecretFromEnv
	}
	if format == "json" {
		out := map[string]any{"provider": x.Name, "issuer": x.Issuer, "clientId": x.ClientID, "clientSecretEnv": x.ClientSecretEnv, "source": source}
		if stored {
			out["stored"] = info
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(env.Stdout, "Provider %s (%s), client %s.\n", x.Name, x.Issuer, x.ClientID)
	switch source {
	case sso.SecretFromStore:
		fmt.Fprintf(env.Stdout, "Client secret: stored, sealed, set %s; it wins", info.Set.UTC().Format("2006-01-02T15:04:05Z"))
		if x.ClientSecretEnv != "" {
			fmt.Fprintf(env.Stdout, " over %s", x.ClientSecretEnv)
		}
		fmt.Fprintln(env.Stdout, ".")
	case sso.SecretFromEnv:
		fmt.Fprintf(env.Stdout, "Client secret: from warden serve's environment variable %s (none stored for this client).\n", x.ClientSecretEnv)
	default:
		fmt.Fprintln(env.Stdout, "Client secret: none (a public client): none stored, and the org names no clientSecretEnv.")
	}
	if stored && !matches {
		fmt.Fprintf(env.Stdout, "A stored secret for another client (%s at %s) is not used: set the new client's.\n", info.ClientID, info.Issuer)
	}
	return nil
}
