package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/spf13/cobra"
)

// credsMargin is how long before their expiry cached role credentials are
// replaced, and access tokens refreshed.
const credsMargin = 5 * time.Minute

type credentialsFlags struct{ endpoint, account, permSet string }

func newCredentials(env Env) *cobra.Command {
	var f credentialsFlags
	cmd := &cobra.Command{
		Use:   "credentials --account ID --permission-set NAME [--endpoint URL]",
		Short: "Print role credentials for credential_process (the profile warden login writes)",
		Long: `Print the credentials of a permission set's role in an account as the AWS CLI's and SDKs'
credential_process expects (JSON, Version 1). They are cached ($XDG_CACHE_HOME/warden/sso, mode
0600) until 5 minutes before they expire; then new ones are fetched with the cached sign-in,
refreshing its access token when it has expired. When the sign-in itself has ended, run
warden login again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCredentials(cmd.Context(), env, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.endpoint, "endpoint", defaultEndpoint, "Warden's URL")
	fl.StringVar(&f.account, "account", "", "account ID")
	fl.StringVar(&f.permSet, "permission-set", "", "permission set name")
	cmd.MarkFlagRequired("account")
	cmd.MarkFlagRequired("permission-set")
	return cmd
}

func runCredentials(ctx context.Context, env Env, f credentialsFlags) error {
	f.endpoint = strings.TrimSuffix(f.endpoint, "/")
	cpath, err := credsPath(f.endpoint, f.account, f.permSet)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	var c cachedCreds
	if readPrivate(cpath, &c) == nil {
		if exp, err := time.Parse(time.RFC3339, c.Expiration); err == nil && env.Now().Add(credsMargin).Before(exp) {
			return printJSON(env, c)
		}
	}
	oc, pc := ssoClients(f.endpoint)
	tok, err := currentToken(ctx, env, oc, f.endpoint)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	out, err := pc.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: &tok.AccessToken, AccountId: &f.account, RoleName: &f.permSet})
	if err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("getting credentials of %s in %s: %w", f.permSet, f.account, err)}
	}
	rc := out.RoleCredentials
	c = cachedCreds{Version: 1, AccessKeyID: aws.ToString(rc.AccessKeyId), SecretAccessKey: aws.ToString(rc.SecretAccessKey),
		SessionToken: aws.ToString(rc.SessionToken), Expiration: time.UnixMilli(rc.Expiration).UTC().Format(time.RFC3339)}
	if err := writePrivate(cpath, c); err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	return printJSON(env, c)
}

func printJSON(env Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// currentToken returns the cached sign-in's access token, refreshed when
// it has expired (or is about to).
func currentToken(ctx context.Context, env Env, oc *ssooidc.Client, endpoint string) (cachedToken, error) {
	path, err := tokenPath(endpoint)
	if err != nil {
		return cachedToken{}, err
	}
	var tok cachedToken
	if err := readPrivate(path, &tok); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return tok, fmt.Errorf("not signed in to %s: run warden login --endpoint %s", endpoint, endpoint)
		}
		return tok, err
	}
	if tok.AccessToken != "" && env.Now().Add(time.Minute).Before(tok.ExpiresAt) {
		return tok, nil
	}
	if tok.RefreshToken == "" {
		return tok, fmt.Errorf("the sign-in to %s has expired: run warden login --endpoint %s", endpoint, endpoint)
	}
	out, err := oc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: &tok.ClientID, ClientSecret: &tok.ClientSecret,
		GrantType: aws.String("refresh_token"), RefreshToken: &tok.RefreshToken})
	if err != nil {
		return tok, fmt.Errorf("the sign-in to %s has ended (%v): run warden login --endpoint %s", endpoint, err, endpoint)
	}
	tok.AccessToken, tok.RefreshToken = aws.ToString(out.AccessToken), aws.ToString(out.RefreshToken)
	tok.ExpiresAt = env.Now().UTC().Add(time.Duration(out.ExpiresIn) * time.Second)
	return tok, writePrivate(path, tok)
}

func newLogout(env Env) *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "logout [--endpoint URL]",
		Short: "End the Identity Center sign-in: revoke its tokens and remove the cached credentials",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			endpoint = strings.TrimSuffix(endpoint, "/")
			path, err := tokenPath(endpoint)
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			var tok cachedToken
			var revokeErr error
			if readPrivate(path, &tok) == nil && tok.AccessToken != "" {
				_, pc := ssoClients(endpoint)
				if _, err := pc.Logout(cmd.Context(), &sso.LogoutInput{AccessToken: &tok.AccessToken}); err != nil {
					revokeErr = err
				}
			}
			if err := removeEndpointCache(endpoint); err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			if revokeErr != nil {
				fmt.Fprintf(env.Stderr, "Removed the cached sign-in; the server did not revoke it (%v): it ends when its tokens expire.\n", revokeErr)
				return nil
			}
			fmt.Fprintln(env.Stderr, "Signed out: the sign-in is revoked and its cached credentials removed.")
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", defaultEndpoint, "Warden's URL")
	return cmd
}
