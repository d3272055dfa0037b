package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/spf13/cobra"
)

const defaultEndpoint = "http://127.0.0.1:4566"

// ssoClients are the SDK's SSO OIDC and portal clients for an endpoint
// (unsigned calls, as in AWS).
func ssoClients(endpoint string) (*ssooidc.Client, *sso.Client) {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: aws.AnonymousCredentials{},
		Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	return ssooidc.NewFromConfig(cfg), sso.NewFromConfig(cfg)
}

type loginFlags struct {
	endpoint, account, permSet, profile, configFile, region string
	noBrowser                                               bool
}

func newLogin(env Env) *cobra.Command {
	var f loginFlags
	cmd := &cobra.Command{
		Use:   "login [--endpoint URL] [--account NAME|ID] [--permission-set NAME]",
		Short: "Sign in through Identity Center and write an AWS profile that gets role credentials",
		Long: `Sign in to Warden's Identity Center with the OAuth 2.0 device flow: warden login prints a URL and a
code (and opens a browser when there is one); you sign in there with your user name, password and
MFA code and allow the request. Then it lists the accounts and permission sets assigned to you,
lets you pick one when --account and --permission-set do not name it, and writes an AWS config
profile (--profile, default <account>-<permission set>) whose credential_process runs
"warden credentials": every AWS CLI and SDK then gets role credentials through it, cached until
shortly before they expire and refreshed from the cached sign-in.

The sign-in is cached in $XDG_CACHE_HOME/warden/sso (files mode 0600); warden logout ends it.`,
		Example: `  warden login --account Dev --permission-set DeveloperAccess
  aws --profile Dev-DeveloperAccess --endpoint-url http://127.0.0.1:4566 sts get-caller-identity`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogin(cmd.Context(), env, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.endpoint, "endpoint", defaultEndpoint, "Warden's URL")
	fl.StringVar(&f.account, "account", "", "account name or ID (default: ask, unless only one is assigned)")
	fl.StringVar(&f.permSet, "permission-set", "", "permission set name (default: ask, unless only one is assigned)")
	fl.StringVar(&f.profile, "profile", "", "AWS profile to write (default: <account name>-<permission set>)")
	fl.StringVar(&f.configFile, "config-file", "", "AWS config file to write (default: $AWS_CONFIG_FILE or ~/.aws/config)")
	fl.StringVar(&f.region, "region", "us-east-1", "region of the profile")
	fl.BoolVar(&f.noBrowser, "no-browser", false, "do not try to open a browser")
	return cmd
}

func runLogin(ctx context.Context, env Env, f loginFlags) error {
	f.endpoint = strings.TrimSuffix(f.endpoint, "/")
	oc, pc := ssoClients(f.endpoint)
	tok, err := deviceSignIn(ctx, env, oc, f.endpoint, !f.noBrowser)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	in := bufio.NewReader(env.Stdin)
	acct, err := pickAccount(ctx, env, in, pc, tok.AccessToken, f.account)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	ps, err := pickPermissionSet(ctx, env, in, pc, tok.AccessToken, acct, f.permSet)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	profile := f.profile
	if profile == "" {
		profile = aws.ToString(acct.AccountName) + "-" + ps
	}
	exe, err := os.Executable()
	if err != nil {
		exe = "warden"
	}
	cfgPath := f.configFile
	if cfgPath == "" {
		cfgPath = os.Getenv("AWS_CONFIG_FILE")
	}
	if cfgPath == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return &ExitError{Code: 1, Err: err}
		}
		cfgPath = filepath.Join(home, ".aws", "config")
	}
	process := fmt.Sprintf("%s credentials --endpoint %s --account %s --permission-set %s", quoteArg(exe), f.endpoint, aws.ToString(acct.AccountId), ps)
	if err := writeProfile(cfgPath, profile, map[string]string{"credential_process": process, "region": f.region}); err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("writing %s: %w", cfgPath, err)}
	}
	fmt.Fprintf(env.Stdout, "Signed in. Profile %q in %s uses %s in %s (%s).\nTry: aws --profile %s --endpoint-url %s sts get-caller-identity\n",
		profile, cfgPath, ps, aws.ToString(acct.AccountName), aws.ToString(acct.AccountId), profile, f.endpoint)
	return nil
}

func quoteArg(s string) string {
	if strings.ContainsAny(s, " \t\"'") {
		return strconv.Quote(s)
	}
	return s
}

// deviceSignIn registers a client (or reuses the cached registration), runs
// the device flow and caches the tokens.
func deviceSignIn(ctx context.Context, env Env, oc *ssooidc.Client, endpoint string, browser bool) (cachedToken, error) {
	path, err := tokenPath(endpoint)
	if err != nil {
		return cachedToken{}, err
	}
	var tok cachedToken
	if err := readPrivate(path, &tok); err != nil || tok.Endpoint != endpoint || !env.Now().Add(time.Hour).Before(tok.RegistrationExpiresAt) {
		reg, err := oc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("warden-login"), ClientType: aws.String("public"),
			Scopes: []string{"sso:account:access"}})
		if err != nil {
			return tok, fmt.Errorf("registering with %s: %w", endpoint, err)
		}
		tok = cachedToken{Endpoint: endpoint, ClientID: aws.ToString(reg.ClientId), ClientSecret: aws.ToString(reg.ClientSecret),
			RegistrationExpiresAt: time.Unix(reg.ClientSecretExpiresAt, 0).UTC()}
	}
	da, err := oc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: &tok.ClientID, ClientSecret: &tok.ClientSecret,
		StartUrl: aws.String(endpoint + "/start")})
	if err != nil {
		return tok, fmt.Errorf("starting the sign-in: %w", err)
	}
	fmt.Fprintf(env.Stderr, "To sign in, open %s\nand enter the code %s (or open %s).\n",
		aws.ToString(da.VerificationUri), aws.ToString(da.UserCode), aws.ToString(da.VerificationUriComplete))
	if browser {
		openBrowser(aws.ToString(da.VerificationUriComplete))
	}
	interval := time.Duration(max(da.Interval, 1)) * time.Second
	deadline := env.Now().Add(time.Duration(da.ExpiresIn) * time.Second)
	for {
		select {
		case <-ctx.Done():
			return tok, ctx.Err()
		case <-time.After(interval):
		}
		out, err := oc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: &tok.ClientID, ClientSecret: &tok.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: da.DeviceCode})
		var pending *oidctypes.AuthorizationPendingException
		var slow *oidctypes.SlowDownException
		var denied *oidctypes.AccessDeniedException
		var expired *oidctypes.ExpiredTokenException
		switch {
		case err == nil:
			tok.AccessToken, tok.RefreshToken = aws.ToString(out.AccessToken), aws.ToString(out.RefreshToken)
			tok.ExpiresAt = env.Now().UTC().Add(time.Duration(out.ExpiresIn) * time.Second)
			return tok, writePrivate(path, tok)
		case errors.As(err, &pending):
		case errors.As(err, &slow):
			interval += 5 * time.Second
		case errors.As(err, &denied):
			return tok, errors.New("the sign-in request was denied")
		case errors.As(err, &expired):
			return tok, errors.New("the code expired before it was approved: run warden login again")
		default:
			return tok, fmt.Errorf("waiting for the sign-in: %w", err)
		}
		if env.Now().After(deadline) {
			return tok, errors.New("the code expired before it was approved: run warden login again")
		}
	}
}

// openBrowser opens a URL in the desktop's browser, when there is a desktop.
func openBrowser(u string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return
		}
		cmd = exec.Command("xdg-open", u)
	}
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}

func pickAccount(ctx context.Context, env Env, in *bufio.Reader, pc *sso.Client, token, want string) (ssotypes.AccountInfo, error) {
	var all []ssotypes.AccountInfo
	p := sso.NewListAccountsPaginator(pc, &sso.ListAccountsInput{AccessToken: &token})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return ssotypes.AccountInfo{}, fmt.Errorf("listing your accounts: %w", err)
		}
		all = append(all, out.AccountList...)
	}
	if len(all) == 0 {
		return ssotypes.AccountInfo{}, errors.New("no account is assigned to you in Identity Center")
	}
	var names []string
	for _, a := range all {
		if want != "" && (aws.ToString(a.AccountId) == want || aws.ToString(a.AccountName) == want) {
			return a, nil
		}
		names = append(names, aws.ToString(a.AccountName)+" ("+aws.ToString(a.AccountId)+")")
	}
	if want != "" {
		return ssotypes.AccountInfo{}, fmt.Errorf("account %q is not assigned to you; yours: %s", want, strings.Join(names, ", "))
	}
	if len(all) == 1 {
		return all[0], nil
	}
	i, err := choose(env, in, "Account", names)
	if err != nil {
		return ssotypes.AccountInfo{}, err
	}
	return all[i], nil
}

func pickPermissionSet(ctx context.Context, env Env, in *bufio.Reader, pc *sso.Client, token string, acct ssotypes.AccountInfo, want string) (string, error) {
	var names []string
	p := sso.NewListAccountRolesPaginator(pc, &sso.ListAccountRolesInput{AccessToken: &token, AccountId: acct.AccountId})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("listing your permission sets in %s: %w", aws.ToString(acct.AccountName), err)
		}
		for _, r := range out.RoleList {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	for _, n := range names {
		if n == want {
			return n, nil
		}
	}
	if want != "" {
		return "", fmt.Errorf("permission set %q is not assigned to you in %s; yours there: %s", want, aws.ToString(acct.AccountName), strings.Join(names, ", "))
	}
	if len(names) == 1 {
		return names[0], nil
	}
	i, err := choose(env, in, "Permission set", names)
	if err != nil {
		return "", err
	}
	return names[i], nil
}

// choose asks the person to pick one of options by number.
func choose(env Env, in *bufio.Reader, what string, options []string) (int, error) {
	for i, o := range options {
		fmt.Fprintf(env.Stderr, "  %d) %s\n", i+1, o)
	}
	for {
		fmt.Fprintf(env.Stderr, "%s [1-%d]: ", what, len(options))
		line, err := in.ReadString('\n')
		if n, cerr := strconv.Atoi(strings.TrimSpace(line)); cerr == nil && n >= 1 && n <= len(options) {
			return n - 1, nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, fmt.Errorf("no %s chosen: name it with a flag", strings.ToLower(what))
			}
			return 0, err
		}
	}
}
