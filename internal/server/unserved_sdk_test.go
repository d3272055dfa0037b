package server_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/server/servertest"
)

// The SDK's clients read Warden's answer to an operation it does not serve
// as the service's own error (JSON for JSON services, XML for query ones),
// with a message saying so; and an unsigned call as MissingAuthenticationToken
// in the protocol's form. Each call reaches the trail.
func TestUnservedWithSDK(t *testing.T) {
	g := startRig(t)
	ctx := servertest.Ctx(t)
	cfg := g.h.Config(g.h.AdminKeyID, g.h.AdminSecret, "")
	apiErr := func(err error) smithy.APIError {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("not an API error the SDK read: %v", err)
		}
		return ae
	}
	for _, tc := range []struct {
		name, code, source, action string
		call                       func() error
	}{
		{"cloudtrail DeleteTrail", "UnknownOperationException", "cloudtrail.amazonaws.com", "DeleteTrail", func() error {
			_, err := cloudtrail.NewFromConfig(cfg).DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("organization-trail")})
			return err
		}},
		{"sso-admin CreateInstance", "UnknownOperationException", "sso.amazonaws.com", "CreateInstance", func() error {
			_, err := ssoadmin.NewFromConfig(cfg).CreateInstance(ctx, &ssoadmin.CreateInstanceInput{})
			return err
		}},
		{"iam CreateOpenIDConnectProvider", "InvalidAction", "iam.amazonaws.com", "CreateOpenIDConnectProvider", func() error {
			_, err := iam.NewFromConfig(cfg).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com")})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ae := apiErr(tc.call())
			if ae.ErrorCode() != tc.code || !strings.Contains(ae.ErrorMessage(), "Warden does not serve") {
				t.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
			}
			ev := g.rec.last(t)
			if ev.EventSource != tc.source || ev.Call.Action != tc.action || ev.ErrorCode != tc.code || ev.Call.Identity == nil {
				t.Errorf("record: source %q action %q code %q identity %v", ev.EventSource, ev.Call.Action, ev.ErrorCode, ev.Call.Identity)
			}
		})
	}
	// Unsigned.
	anon := g.h.Config("", "", "")
	anon.Credentials = aws.AnonymousCredentials{}
	_, err := cloudtrail.NewFromConfig(anon).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if ae := apiErr(err); ae.ErrorCode() != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned LookupEvents: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	if ev := g.rec.last(t); ev.EventSource != "cloudtrail.amazonaws.com" || ev.Call.Action != "LookupEvents" {
		t.Errorf("unsigned LookupEvents recorded as %q %q", ev.EventSource, ev.Call.Action)
	}
	_, err = sts.NewFromConfig(anon).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if ae := apiErr(err); ae.ErrorCode() != "MissingAuthenticationToken" {
		t.Errorf("unsigned GetCallerIdentity: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	if ev := g.rec.last(t); ev.EventSource != "sts.amazonaws.com" || ev.Call.Action != "GetCallerIdentity" || ev.Call.Identity != nil {
		t.Errorf("unsigned GetCallerIdentity recorded as %q %q %v", ev.EventSource, ev.Call.Action, ev.Call.Identity)
	}
}

// An S3 client addressing the server virtual-hosted style, as the SDK
// does unless told to use paths: the bucket in front of the endpoint's
// host (mybucket.localhost:PORT; the dialer below resolves *.localhost to
// the loopback address, as systemd-resolved and browsers do). Signed or
// not, each call is named by S3's routes with the bucket from the Host
// (botocore's and the SDK's S3 model), answered as S3 answers what it
// does not implement (NotImplemented, 501, S3's own Error element; for a
// HEAD the status alone, which the SDK reads as NotImplemented), and
// recorded with its error code and message.
func TestS3VirtualHostedWithSDK(t *testing.T) {
	g := startRig(t)
	ctx := servertest.Ctx(t)
	u, err := url.Parse(g.h.URL)
	if err != nil {
		t.Fatal(err)
	}
	var hosts []string
	var mu sync.Mutex
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		hosts = append(hosts, host)
		mu.Unlock()
		if strings.HasSuffix(host, ".localhost") || host == "localhost" {
			host = "127.0.0.1"
		}
		return dialer.DialContext(ctx, network, net.JoinHostPort(host, port))
	}}}
	endpoint := "http://localhost:" + u.Port()
	for _, signed := range []bool{true, false} {
		cfg := g.h.Config("", "", "")
		cfg.HTTPClient = client
		if !signed {
			cfg.Credentials = aws.AnonymousCredentials{}
		}
		c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint) })
		for _, tc := range []struct {
			op, message string
			call        func() error
		}{
			{"ListObjectsV2", "ListObjectsV2: GET /mybucket", func() error {
				_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mybucket")})
				return err
			}},
			{"GetObject", "GetObject: GET /mybucket/a/key", func() error {
				_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mybucket"), Key: aws.String("a/key")})
				return err
			}},
			{"HeadObject", "HeadObject: HEAD /mybucket/a/key", func() error {
				_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mybucket"), Key: aws.String("a/key")})
				return err
			}},
			{"HeadBucket", "HeadBucket: HEAD /mybucket", func() error {
				_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("mybucket")})
				return err
			}},
		} {
			name := tc.op + map[bool]string{true: " signed", false: " unsigned"}[signed]
			err := tc.call()
			var ae smithy.APIError
			var re *awshttp.ResponseError
			if !errors.As(err, &ae) || !errors.As(err, &re) {
				t.Fatalf("%s: not an API error the SDK read: %v", name, err)
			}
			if re.HTTPStatusCode() != http.StatusNotImplemented || ae.ErrorCode() != "NotImplemented" {
				t.Errorf("%s: %d %s: %s", name, re.HTTPStatusCode(), ae.ErrorCode(), ae.ErrorMessage())
			}
			head := strings.HasPrefix(tc.op, "Head")
			if head != (ae.ErrorMessage() == "Not Implemented") || (!head && !strings.Contains(ae.ErrorMessage(), "Warden does not serve")) {
				t.Errorf("%s: message %q (a HEAD's error has no body: the SDK names the status)", name, ae.ErrorMessage())
			}
			if re.Response.Header.Get("X-Amz-Request-Id") == "" || re.Response.Header.Get("X-Amz-Id-2") == "" {
				t.Errorf("%s: no x-amz-request-id or x-amz-id-2: %v", name, re.Response.Header)
			}
			ev := g.rec.last(t)
			recs := audit.Records(&ev)
			r := recs[0]
			if r.EventSource != "s3.amazonaws.com" || r.EventName != tc.op || r.ErrorCode != "NotImplemented" ||
				!strings.Contains(r.ErrorMessage, "Warden does not serve") || !strings.Contains(r.ErrorMessage, tc.message) {
				t.Errorf("%s recorded as %s %s %s %q", name, r.EventSource, r.EventName, r.ErrorCode, r.ErrorMessage)
			}
			if want := map[bool]string{true: "IAMUser", false: "AWSAccount"}[signed]; r.UserIdentity.Type != want {
				t.Errorf("%s: userIdentity %+v, want %s", name, r.UserIdentity, want)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(hosts, "mybucket.localhost") {
		t.Errorf("the SDK dialed %v, not the bucket's virtual host", hosts)
	}
}
