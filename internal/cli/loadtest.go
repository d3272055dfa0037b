package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/sigv4"
)

func newLoadtest(env Env) *cobra.Command {
	var endpoint, credsFile, profile, action, roleARN, format, account, roleName string
	var duration time.Duration
	var concurrency, requests int
	cmd := &cobra.Command{
		Use:   "loadtest --endpoint URL --action GetCallerIdentity|AssumeRole|GetRoleCredentials [--concurrency N] [--duration D]",
		Short: "Measure an STS endpoint's (or the SSO portal's) throughput and latency",
		Long: `Send signed STS requests (SigV4, like any AWS client) to an endpoint over keep-alive connections
from --concurrency workers for --duration (or --requests in all), then report requests per second,
latency percentiles and errors. Works against Warden and against any STS-compatible endpoint, such
as moto's server, so both can be measured in the same run.

Credentials come from an AWS shared credentials file (--credentials, --profile). GetRoleCredentials
(the SSO portal's, unsigned) uses the access token of the endpoint's warden login sign-in instead,
for --account and --role-name (a permission set).`,
		Example: `  warden loadtest --endpoint http://127.0.0.1:4566 --credentials ~/.local/share/warden/credentials \
      --action AssumeRole --role-arn arn:aws:iam::436205817493:role/OrganizationAccountAccessRole --duration 10s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var send requestFunc
			if action == "GetRoleCredentials" {
				var err error
				if send, err = portalRequest(strings.TrimSuffix(endpoint, "/"), account, roleName); err != nil {
					return &ExitError{Code: 2, Err: err}
				}
			}
			cred, err := readSharedCredentials(credsFile, profile)
			if err != nil && send == nil {
				return &ExitError{Code: 2, Err: err}
			}
			var form url.Values
			switch action {
			case "GetRoleCredentials":
			case "GetCallerIdentity":
				form = url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
			case "AssumeRole":
				if roleARN == "" {
					return &ExitError{Code: 2, Err: fmt.Errorf("--role-arn is required for AssumeRole")}
				}
				form = url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {roleARN}, "RoleSessionName": {"loadtest"}}
			default:
				return &ExitError{Code: 2, Err: fmt.Errorf("unknown --action %q: want GetCallerIdentity, AssumeRole or GetRoleCredentials", action)}
			}
			if send == nil {
				send = stsRequest(endpoint, cred, form.Encode())
			}
			res := runLoad(cmd.Context(), send, concurrency, duration, requests, env.Stderr)
			if format == "json" {
				fmt.Fprintf(env.Stdout, `{"action":%q,"requests":%d,"errors":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}`+"\n",
					action, res.n, res.errors, res.elapsed.Seconds(), res.rps(), ms(res.p(50)), ms(res.p(90)), ms(res.p(99)), ms(res.max()))
			} else {
				fmt.Fprintf(env.Stdout, "%s %s: %d requests in %.2fs, %.0f requests/s, %d errors; latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
					endpoint, action, res.n, res.elapsed.Seconds(), res.rps(), res.errors, ms(res.p(50)), ms(res.p(90)), ms(res.p(99)), ms(res.max()))
				if res.firstErr != "" {
					fmt.Fprintf(env.Stdout, "first error: %s\n", res.firstErr)
				}
			}
			if res.errors > 0 {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "http://127.0.0.1:4566", "endpoint URL")
	f.StringVar(&credsFile, "credentials", "", "AWS shared credentials file (default: DATA/credentials of the default data directory)")
	f.StringVar(&profile, "profile", "warden-admin", "profile in the credentials file")
	f.StringVar(&action, "action", "GetCallerIdentity", "GetCallerIdentity, AssumeRole or GetRoleCredentials")
	f.StringVar(&roleARN, "role-arn", "", "role to assume (AssumeRole)")
	f.StringVar(&account, "account", "", "account ID (GetRoleCredentials)")
	f.StringVar(&roleName, "role-name", "", "permission set name (GetRoleCredentials)")
	f.DurationVar(&duration, "duration", 10*time.Second, "how long to send requests")
	f.IntVar(&requests, "requests", 0, "stop after this many requests in all (0: run for --duration)")
	f.IntVar(&concurrency, "concurrency", 16, "concurrent workers")
	f.StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

type loadResult struct {
	n, errors int64
	elapsed   time.Duration
	lat       []time.Duration
	firstErr  string
}

func (r *loadResult) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r *loadResult) p(q int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := (len(r.lat)*q + 99) / 100
	if i > 0 {
		i--
	}
	return r.lat[i]
}

func (r *loadResult) max() time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[len(r.lat)-1]
}

// requestFunc makes one request of the load.
type requestFunc func(ctx context.Context) *http.Request

// stsRequest makes signed STS query requests with a form body.
func stsRequest(endpoint string, cred sigv4.Credentials, body string) requestFunc {
	return func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, "POST", endpoint+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sigv4.Sign(req, []byte(body), cred, "us-east-1", "sts", time.Now())
		return req
	}
}

// portalRequest makes the SSO portal's GetRoleCredentials requests with the
// access token of the endpoint's warden login sign-in.
func portalRequest(endpoint, account, roleName string) (requestFunc, error) {
	if account == "" || roleName == "" {
		return nil, fmt.Errorf("--account and --role-name are required for GetRoleCredentials")
	}
	path, err := tokenPath(endpoint)
	if err != nil {
		return nil, err
	}
	var tok cachedToken
	if err := readPrivate(path, &tok); err != nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("no sign-in to %s (%v): run warden login --endpoint %s first", endpoint, err, endpoint)
	}
	u := endpoint + "/federation/credentials?" + url.Values{"account_id": {account}, "role_name": {roleName}}.Encode()
	return func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
		req.Header.Set("X-Amz-Sso_bearer_token", tok.AccessToken)
		return req
	}, nil
}

func runLoad(ctx context.Context, send requestFunc, workers int, d time.Duration, total int, progress io.Writer) *loadResult {
	tr := &http.Transport{MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers * 2, MaxConnsPerHost: workers * 2, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	var count, errs atomic.Int64
	var mu sync.Mutex
	res := &loadResult{}
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<14)
			for ctx.Err() == nil {
				if total > 0 {
					if count.Add(1) > int64(total) {
						break
					}
				} else if time.Now().After(deadline) {
					break
				}
				t0 := time.Now()
				resp, err := client.Do(send(ctx))
				ok := false
				msg := ""
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					ok = resp.StatusCode == 200
					if !ok {
						msg = fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, b)
					}
				} else {
					msg = err.Error()
				}
				lat = append(lat, time.Since(t0))
				if total == 0 {
					count.Add(1)
				}
				if !ok {
					errs.Add(1)
					mu.Lock()
					if res.firstErr == "" {
						res.firstErr = msg
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.n = int64(len(res.lat))
	res.errors = errs.Load()
	sort.Slice(res.lat, func(i, j int) bool { return res.lat[i] < res.lat[j] })
	return res
}

// readSharedCredentials reads a profile of an AWS shared credentials file.
func readSharedCredentials(path, profile string) (sigv4.Credentials, error) {
	if path == "" {
		path = defaultDataDir() + "/credentials"
	}
	f, err := os.Open(path)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	defer f.Close()
	var c sigv4.Credentials
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			in = strings.Trim(line, "[] ") == profile
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !in || !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.SecretAccessKey = strings.TrimSpace(v)
		case "aws_session_token":
			c.SessionToken = strings.TrimSpace(v)
		}
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, fmt.Errorf("%s: no profile %q with aws_access_key_id and aws_secret_access_key", path, profile)
	}
	return c, nil
}
