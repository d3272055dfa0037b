package server_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/services"
	"github.com/securecart/warden/internal/sigv4"
)

// widgets is a REST-JSON service for the tests, shaped as botocore's
// service-2.json declares Access Analyzer's operations: path labels, query
// string members, header members, a JSON body, a success code, a greedy
// label, an unsigned operation and a service-specific error status.
func widgets(d *api.Deps) *api.Descriptor {
	echo := func(ctx context.Context, c *call.Call) (any, error) {
		var in map[string]any
		if err := json.Unmarshal(c.Body, &in); err != nil {
			return nil, err
		}
		return map[string]any{"operation": c.Action, "input": in, "caller": callerOf(c)}, nil
	}
	return &api.Descriptor{
		Name: "widgets", SigningName: "widget-signing", Protocol: api.RESTJSON, APIVersion: "2019-11-01",
		Handlers: map[string]api.Handler{
			"GetWidget": echo, "ListWidgets": echo, "CreateWidget": echo, "GetFile": echo, "GetPublicInfo": echo,
			"DeleteWidget": func(ctx context.Context, c *call.Call) (any, error) {
				return nil, awsproto.Errorf("ResourceNotFoundException", "Widget not found")
			},
		},
		Routes: map[string]api.Route{
			"GetWidget": {Method: "GET", RequestURI: "/v1/widget/{widgetName}", Bindings: []api.Binding{
				{Member: "name", Location: api.InURI, Name: "widgetName"},
				{Member: "verbose", Location: api.InQueryString, Name: "verbose", Type: "boolean"},
				{Member: "clientToken", Location: api.InHeader, Name: "X-Widget-Token"},
			}},
			"ListWidgets": {Method: "GET", RequestURI: "/v1/widget", Bindings: []api.Binding{
				{Member: "maxResults", Location: api.InQueryString, Name: "maxResults", Type: "integer"},
				{Member: "kinds", Location: api.InQueryString, Name: "kind", Type: "list"},
			}},
			"CreateWidget":  {Method: "PUT", RequestURI: "/v1/widget", SuccessCode: 201},
			"DeleteWidget":  {Method: "DELETE", RequestURI: "/v1/widget/{widgetName}"},
			"GetFile":       {Method: "GET", RequestURI: "/v1/files/{path+}"},
			"GetPublicInfo": {Method: "GET", RequestURI: "/v1/public"},
		},
		Unsigned:    []string{"GetPublicInfo"},
		Stateless:   []string{"GetPublicInfo"},
		ErrorStatus: map[string]int{"ResourceNotFoundException": 404},
	}
}

func callerOf(c *call.Call) string {
	if c.Identity == nil {
		return ""
	}
	return c.Identity.ARN
}

// recorder is an auditor that keeps the events.
type recorder struct {
	mu     sync.Mutex
	events []call.Event
}

func (r *recorder) Record(ctx context.Context, e *call.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, *e)
	return nil
}

func (r *recorder) last(t *testing.T) call.Event {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		t.Fatal("no call reached the auditor")
	}
	return r.events[len(r.events)-1]
}

type rig struct {
	h   *servertest.Harness
	rec *recorder
}

func startRig(t *testing.T) *rig {
	rec := &recorder{}
	h := servertest.Start(t, servertest.Options{Audit: rec, Services: append(services.All(), widgets)})
	return &rig{h: h, rec: rec}
}

type reply struct {
	status int
	header http.Header
	body   string
}

// send signs (unless service is "") and sends a request.
func (g *rig) send(t *testing.T, method, path string, header http.Header, body, region, service string) reply {
	t.Helper()
	return g.sendAltered(t, method, path, header, body, body, region, service, nil)
}

// sendAltered signs a request with signedBody and sends it with sentBody,
// after alter (if any) changed it.
func (g *rig) sendAltered(t *testing.T, method, path string, header http.Header, signedBody, sentBody, region, service string, alter func(*http.Request)) reply {
	t.Helper()
	req, err := http.NewRequest(method, g.h.URL+path, strings.NewReader(signedBody))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if service != "" {
		cred := sigv4.Credentials{AccessKeyID: g.h.AdminKeyID, SecretAccessKey: g.h.AdminSecret}
		if err := sigv4.Sign(req, []byte(signedBody), cred, region, service, g.h.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(sentBody)), int64(len(sentBody))
	if alter != nil {
		alter(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func decodeJSON(t *testing.T, r reply) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("reply is not JSON (%v): %d %s", err, r.status, r.body)
	}
	return out
}

func TestRESTJSONRouting(t *testing.T) {
	g := startRig(t)
	hdr := http.Header{"X-Widget-Token": {"tok-1"}}
	r := g.send(t, "GET", "/v1/widget/blue%20one?verbose=true&ignored=x", hdr, "", "eu-west-1", "widget-signing")
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Amzn-Requestid") == "" {
		t.Fatalf("GetWidget: %d %v %s", r.status, r.header, r.body)
	}
	out := decodeJSON(t, r)
	in := out["input"].(map[string]any)
	if out["operation"] != "GetWidget" || in["name"] != "blue one" || in["verbose"] != true || in["clientToken"] != "tok-1" || len(in) != 3 {
		t.Errorf("GetWidget input: %v", out)
	}
	if caller, _ := out["caller"].(string); !strings.HasPrefix(caller, "arn:aws:iam::") {
		t.Errorf("caller %v, want the admin's principal", out["caller"])
	}
	if ev := g.rec.last(t); ev.EventSource != "widgets.amazonaws.com" || ev.Call.Action != "GetWidget" || ev.Call.Region != "eu-west-1" || ev.ErrorCode != "" {
		t.Errorf("record: %+v", ev)
	}

	// Query-string members with their types; a repeated parameter is a list.
	r = g.send(t, "GET", "/v1/widget?maxResults=5&kind=a&kind=b", nil, "", "us-east-1", "widget-signing")
	in = decodeJSON(t, r)["input"].(map[string]any)
	if r.status != 200 || in["maxResults"] != 5.0 || len(in["kinds"].([]any)) != 2 {
		t.Errorf("ListWidgets: %d %s", r.status, r.body)
	}
	// A member that is not a number is ValidationException, naming it.
	r = g.send(t, "GET", "/v1/widget?maxResults=five", nil, "", "us-east-1", "widget-signing")
	if r.status != 400 || r.header.Get("X-Amzn-Errortype") != "ValidationException" || !strings.Contains(r.body, "maxResults") {
		t.Errorf("ListWidgets maxResults=five: %d %v %s", r.status, r.header, r.body)
	}

	// A JSON body, and the route's success code.
	r = g.send(t, "PUT", "/v1/widget", http.Header{"Content-Type": {"application/json"}}, `{"name":"w","size":3}`, "us-east-1", "widget-signing")
	in = decodeJSON(t, r)["input"].(map[string]any)
	if r.status != 201 || in["name"] != "w" || in["size"] != 3.0 {
		t.Errorf("CreateWidget: %d %s", r.status, r.body)
	}
	r = g.send(t, "PUT", "/v1/widget", nil, `[1]`, "us-east-1", "widget-signing")
	if r.status != 400 || r.header.Get("X-Amzn-Errortype") != "SerializationException" {
		t.Errorf("CreateWidget with a JSON array: %d %v %s", r.status, r.header, r.body)
	}

	// A greedy label takes the rest of the path.
	r = g.send(t, "GET", "/v1/files/a/b/c.txt", nil, "", "us-east-1", "widget-signing")
	if in = decodeJSON(t, r)["input"].(map[string]any); in["path"] != "a/b/c.txt" {
		t.Errorf("GetFile: %d %s", r.status, r.body)
	}

	// Errors as REST-JSON returns them: the X-Amzn-ErrorType header, a JSON
	// body, and the service's HTTP status for the code.
	r = g.send(t, "DELETE", "/v1/widget/x", nil, "", "us-east-1", "widget-signing")
	body := decodeJSON(t, r)
	if r.status != 404 || r.header.Get("X-Amzn-Errortype") != "ResourceNotFoundException" || body["message"] != "Widget not found" {
		t.Errorf("DeleteWidget: %d %v %s", r.status, r.header, r.body)
	}
	if ev := g.rec.last(t); ev.ErrorCode != "ResourceNotFoundException" || ev.Call.Action != "DeleteWidget" {
		t.Errorf("record of the error: %+v", ev)
	}

	// An unsigned operation runs without credentials; a signed-only one
	// answers MissingAuthenticationTokenException in JSON.
	r = g.send(t, "GET", "/v1/public", nil, "", "", "")
	if r.status != 200 || decodeJSON(t, r)["caller"] != "" {
		t.Errorf("GetPublicInfo unsigned: %d %s", r.status, r.body)
	}
	r = g.send(t, "GET", "/v1/widget/x", nil, "", "", "")
	if r.status != 403 || r.header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("GetWidget unsigned: %d %v %s", r.status, r.header, r.body)
	}
	if ev := g.rec.last(t); ev.Call.Action != "GetWidget" || ev.ErrorCode != "MissingAuthenticationTokenException" || ev.Call.Identity != nil {
		t.Errorf("record of the unsigned call: %+v", ev)
	}
}

// TestUnknownOperations: an operation or a service Warden does not serve
// answers in the protocol the client speaks, says Warden does not serve it,
// and is recorded like any call.
func TestUnknownOperations(t *testing.T) {
	g := startRig(t)
	jsonHdr := func(target string) http.Header {
		return http.Header{"X-Amz-Target": {target}, "Content-Type": {"application/x-amz-json-1.1"}}
	}
	cases := []struct {
		name                 string
		method, path         string
		header               http.Header
		body, service        string
		status               int
		code, source, action string
		format               string // json, xml (ErrorResponse) or s3 (an unwrapped Error)
	}{
		{"JSON operation of a hosted service", "POST", "/", jsonHdr("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteTrail"), "{}", "cloudtrail",
			400, "UnknownOperationException", "cloudtrail.amazonaws.com", "DeleteTrail", "json"},
		{"JSON service not hosted", "POST", "/", jsonHdr("AmazonSSM.DescribeParameters"), "{}", "ssm",
			400, "UnknownOperationException", "ssm.amazonaws.com", "DescribeParameters", "json"},
		{"query operation of a hosted service", "POST", "/", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "Action=DeleteAccountAlias&Version=2010-05-08", "iam",
			400, "InvalidAction", "iam.amazonaws.com", "DeleteAccountAlias", "xml"},
		{"query service not hosted", "POST", "/", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "Action=DescribeInstances&Version=2016-11-15", "ec2",
			400, "InvalidAction", "ec2.amazonaws.com", "DescribeInstances", "xml"},
		{"REST route not hosted", "GET", "/2015-03-31/functions/", nil, "", "lambda",
			404, "UnknownOperationException", "lambda.amazonaws.com", "ListFunctions", "json"},
		// REST-XML services, whatever the path looks like: S3's ListBuckets
		// is GET / (query-shaped), its ListObjectsV2 GET /bucket?list-type=2.
		// The operation named by the service's routes (botocore's models).
		{"S3 at the root", "GET", "/", nil, "", "s3",
			501, "NotImplemented", "s3.amazonaws.com", "ListBuckets", "s3"},
		{"S3 bucket", "GET", "/bucket", nil, "", "s3",
			501, "NotImplemented", "s3.amazonaws.com", "ListObjects", "s3"},
		{"S3 object", "PUT", "/bucket/a/key?tagging", nil, "", "s3",
			501, "NotImplemented", "s3.amazonaws.com", "PutObjectTagging", "s3"},
		{"Route 53", "GET", "/2013-04-01/hostedzone", nil, "", "route53",
			404, "UnknownOperationException", "route53.amazonaws.com", "ListHostedZones", "xml"},
		{"CloudFront", "DELETE", "/2020-05-31/distribution/E123", nil, "", "cloudfront",
			404, "UnknownOperationException", "cloudfront.amazonaws.com", "DeleteDistribution", "xml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := g.send(t, tc.method, tc.path, tc.header, tc.body, "us-east-1", tc.service)
			if r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			var msg string
			switch tc.format {
			case "json":
				body := decodeJSON(t, r)
				msg, _ = body["message"].(string)
				if r.header.Get("X-Amzn-Errortype") != tc.code || body["__type"] != tc.code {
					t.Errorf("code: %v %s, want %s", r.header, r.body, tc.code)
				}
			case "xml":
				var e struct {
					XMLName xml.Name `xml:"ErrorResponse"`
					Code    string   `xml:"Error>Code"`
					Message string   `xml:"Error>Message"`
				}
				if err := xml.Unmarshal([]byte(r.body), &e); err != nil || e.Code != tc.code {
					t.Errorf("reply %s (%v), want an XML ErrorResponse %s", r.body, err, tc.code)
				}
				msg = e.Message
			case "s3":
				var e struct {
					XMLName   xml.Name `xml:"Error"`
					Code      string   `xml:"Code"`
					Message   string   `xml:"Message"`
					RequestID string   `xml:"RequestId"`
				}
				if err := xml.Unmarshal([]byte(r.body), &e); err != nil || e.Code != tc.code || e.RequestID == "" {
					t.Errorf("reply %s (%v), want S3's Error %s with its RequestId", r.body, err, tc.code)
				}
				msg = e.Message
			}
			if !strings.Contains(msg, "Warden does not serve") {
				t.Errorf("message %q does not say Warden does not serve it", msg)
			}
			path, _, _ := strings.Cut(tc.path, "?")
			if what := tc.method + " " + path; tc.path != "/" && !strings.Contains(msg, what) {
				t.Errorf("message %q does not name %s", msg, what)
			}
			ev := g.rec.last(t)
			if ev.EventSource != tc.source || ev.Call.Action != tc.action || ev.ErrorCode != tc.code || ev.Call.Identity == nil {
				t.Errorf("record: source %q action %q code %q identity %v", ev.EventSource, ev.Call.Action, ev.ErrorCode, ev.Call.Identity)
			}
		})
	}
}

// TestRefusedCallsNamed: the record of a request refused before it was
// routed (unsigned, malformed, not authenticated) names the service and the
// operation the request asked for, as CloudTrail's eventSource and
// eventName, and the answer is in that service's format.
func TestRefusedCallsNamed(t *testing.T) {
	g := startRig(t)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	lookup := http.Header{"X-Amz-Target": {"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"}, "Content-Type": {"application/x-amz-json-1.1"}}
	garbage := func(req *http.Request) { req.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage") }
	wrongKey := func(req *http.Request) {
		req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), g.h.AdminKeyID, "AKIANOSUCHKEY0000000", 1))
	}
	cases := []struct {
		name, method, path, body, service string
		header                            http.Header
		alter                             func(*http.Request)
		code, source, action, answer      string
	}{
		{"unsigned STS query", "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", "", "", nil, nil,
			"MissingAuthenticationToken", "sts.amazonaws.com", "GetCallerIdentity", "<Code>MissingAuthenticationToken</Code>"},
		{"unsigned IAM form", "POST", "/", "Action=ListUsers&Version=2010-05-08", "", form, nil,
			"MissingAuthenticationToken", "iam.amazonaws.com", "ListUsers", `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`},
		{"unsigned query of no known version", "GET", "/?Action=DescribeInstances&Version=2016-11-15", "", "", nil, nil,
			"MissingAuthenticationToken", "", "DescribeInstances", "<Code>MissingAuthenticationToken</Code>"},
		{"unsigned REST", "GET", "/v1/widget/x", "", "", nil, nil,
			"MissingAuthenticationTokenException", "widgets.amazonaws.com", "GetWidget", `"__type":"MissingAuthenticationTokenException"`},
		{"malformed JSON", "POST", "/", "{}", "", lookup, garbage,
			"IncompleteSignatureException", "cloudtrail.amazonaws.com", "LookupEvents", `"__type":"IncompleteSignatureException"`},
		{"malformed query", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", "", form, garbage,
			"IncompleteSignature", "sts.amazonaws.com", "GetCallerIdentity", "<Code>IncompleteSignature</Code>"},
		{"unknown key, query", "POST", "/", "Action=ListUsers&Version=2010-05-08", "iam", form, wrongKey,
			"InvalidClientTokenId", "iam.amazonaws.com", "ListUsers", "<Code>InvalidClientTokenId</Code>"},
		{"unknown key, query service not served", "POST", "/", "Action=DescribeInstances&Version=2016-11-15", "ec2", form, wrongKey,
			"InvalidClientTokenId", "ec2.amazonaws.com", "DescribeInstances", "<Code>InvalidClientTokenId</Code>"},
		{"unknown key, JSON", "POST", "/", "{}", "cloudtrail", lookup, wrongKey,
			"UnrecognizedClientException", "cloudtrail.amazonaws.com", "LookupEvents", `"__type":"UnrecognizedClientException"`},
		// REST services Warden does not serve, named by botocore's routes:
		// an unsigned call by its path (no credential scope), S3 as S3
		// answers an anonymous call it cannot serve (its unwrapped Error),
		// the others wanting a signature in their own format.
		{"unsigned S3 ListBuckets", "GET", "/", "", "", nil, nil,
			"NotImplemented", "s3.amazonaws.com", "ListBuckets", "<Error><Code>NotImplemented</Code>"},
		{"unsigned S3 ListObjectsV2", "GET", "/bucket?list-type=2&prefix=", "", "", nil, nil,
			"NotImplemented", "s3.amazonaws.com", "ListObjectsV2", "<Error><Code>NotImplemented</Code>"},
		{"unsigned S3 PutObject", "PUT", "/bucket/dir/key.txt", "data", "", nil, nil,
			"NotImplemented", "s3.amazonaws.com", "PutObject", "<Error><Code>NotImplemented</Code>"},
		{"unsigned Route 53", "GET", "/2013-04-01/hostedzone", "", "", nil, nil,
			"MissingAuthenticationToken", "route53.amazonaws.com", "ListHostedZones", "<ErrorResponse"},
		{"unsigned Lambda", "GET", "/2015-03-31/functions", "", "", nil, nil,
			"MissingAuthenticationTokenException", "lambda.amazonaws.com", "ListFunctions", `"__type":"MissingAuthenticationTokenException"`},
		{"unknown key, S3", "GET", "/bucket/key", "", "s3", nil, wrongKey,
			"InvalidClientTokenId", "s3.amazonaws.com", "GetObject", "<Error><Code>InvalidClientTokenId</Code>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := g.sendAltered(t, tc.method, tc.path, tc.header, tc.body, tc.body, "us-east-1", tc.service, tc.alter)
			if !strings.Contains(r.body, tc.answer) {
				t.Errorf("answer %d %s, want %s", r.status, r.body, tc.answer)
			}
			ev := g.rec.last(t)
			if ev.EventSource != tc.source || ev.Call.Action != tc.action || ev.ErrorCode != tc.code {
				t.Errorf("record: source %q action %q code %q; want %q %q %q", ev.EventSource, ev.Call.Action, ev.ErrorCode, tc.source, tc.action, tc.code)
			}
		})
	}
}

// TestSignatureFirst: a request whose body or query was altered after
// signing gets SignatureDoesNotMatch (403), whatever operation it names,
// known or not (issue 11; AWS verifies before it dispatches).
func TestSignatureFirst(t *testing.T) {
	g := startRig(t)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	cases := []struct {
		name, method, path, signedBody, sentBody, service string
		header                                            http.Header
		code                                              string
	}{
		{"query body names an unknown action", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", "Action=NoSuchAction&Version=2011-06-15", "sts", form, "SignatureDoesNotMatch"},
		{"query body names a known action", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", "Action=GetSessionToken&Version=2011-06-15", "sts", form, "SignatureDoesNotMatch"},
		{"query body without an action", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", "Version=2011-06-15", "sts", form, "SignatureDoesNotMatch"},
		{"JSON body altered", "POST", "/", `{}`, `{"MaxResults":1}`, "organizations",
			http.Header{"X-Amz-Target": {"AWSOrganizationsV20161128.ListAccounts"}, "Content-Type": {"application/x-amz-json-1.1"}}, "InvalidSignatureException"},
		{"REST body altered", "PUT", "/v1/widget", `{"name":"a"}`, `{"name":"b"}`, "widget-signing", nil, "InvalidSignatureException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			send := func(signed string) reply {
				return g.sendAltered(t, tc.method, tc.path, tc.header, signed, tc.sentBody, "us-east-1", tc.service, nil)
			}
			if r := send(tc.signedBody); r.status != 403 || !strings.Contains(r.body, tc.code) {
				t.Errorf("altered: %d %s, want 403 %s", r.status, r.body, tc.code)
			}
			// The negative twin: the same request signed as sent is not
			// refused for its signature.
			if r := send(tc.sentBody); r.status == 403 || strings.Contains(r.body, tc.code) {
				t.Errorf("as signed: %d %s, want no signature error", r.status, r.body)
			}
		})
	}
	// An altered query string of a GET.
	r := g.sendAltered(t, "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", nil, "", "", "us-east-1", "sts", func(req *http.Request) {
		req.URL.RawQuery = "Action=GetSessionToken&Version=2011-06-15"
	})
	if r.status != 403 || !strings.Contains(r.body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("altered query: %d %s", r.status, r.body)
	}
}

// TestCredentialScope: the scope's region must be a real region and its
// service the one the request addresses, with AWS's messages.
func TestCredentialScope(t *testing.T) {
	g := startRig(t)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	gci := "Action=GetCallerIdentity&Version=2011-06-15"
	orgsHdr := http.Header{"X-Amz-Target": {"AWSOrganizationsV20161128.DescribeOrganization"}, "Content-Type": {"application/x-amz-json-1.1"}}
	cases := []struct {
		name, method, path, body, region, service string
		header                                    http.Header
		status                                    int
		want                                      string
	}{
		{"query: not a region", "POST", "/", gci, "moon-east-1", "sts", form, 403, "Credential should be scoped to a valid region, not 'moon-east-1'."},
		{"query: aws-global is not a signing region", "POST", "/", gci, "aws-global", "sts", form, 403, "Credential should be scoped to a valid region, not 'aws-global'."},
		{"query: a real region", "POST", "/", gci, "ap-southeast-2", "sts", form, 200, "<GetCallerIdentityResult>"},
		{"JSON: another service's scope", "POST", "/", "{}", "us-east-1", "iam", orgsHdr, 403, "Credential should be scoped to correct service: 'organizations'."},
		{"JSON: its own scope", "POST", "/", "{}", "us-east-1", "organizations", orgsHdr, 200, `"Organization"`},
		{"REST: another service's scope", "GET", "/v1/widget/x", "", "us-east-1", "sts", nil, 403, "Credential should be scoped to correct service: 'widget-signing'."},
		{"REST: its own scope", "GET", "/v1/widget/x", "", "us-east-1", "widget-signing", nil, 200, `"GetWidget"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := g.send(t, tc.method, tc.path, tc.header, tc.body, tc.region, tc.service)
			if r.status != tc.status || !strings.Contains(r.body+messageOf(r), tc.want) {
				t.Errorf("%d %s, want %d with %q", r.status, r.body, tc.status, tc.want)
			}
		})
	}
}

// TestDescriptorsChecked: a descriptor that contradicts itself stops the
// server from starting, naming the problem.
func TestDescriptorsChecked(t *testing.T) {
	bad := []struct {
		name string
		mod  func(d *api.Descriptor)
		want string
	}{
		{"route without handler", func(d *api.Descriptor) { d.Routes["Nope"] = api.Route{Method: "GET", RequestURI: "/x"} }, "Nope"},
		{"handler without route", func(d *api.Descriptor) { delete(d.Routes, "GetFile") }, "GetFile has no HTTP route"},
		{"unsigned unknown", func(d *api.Descriptor) { d.Unsigned = append(d.Unsigned, "Nope") }, "Nope is not one of its operations"},
		{"bad label", func(d *api.Descriptor) {
			d.Routes["GetFile"] = api.Route{Method: "GET", RequestURI: "/v1/{a+}/b"}
		}, "greedy"},
		{"binding to a missing label", func(d *api.Descriptor) {
			d.Routes["GetFile"] = api.Route{Method: "GET", RequestURI: "/v1/f", Bindings: []api.Binding{{Member: "m", Location: api.InURI, Name: "q"}}}
		}, "no label {q}"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f := func(d *api.Deps) *api.Descriptor { desc := widgets(d); tc.mod(desc); return desc }
			err := servertest.StartErr(t, servertest.Options{Services: []api.Factory{f}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("start: %v, want an error with %q", err, tc.want)
			}
		})
	}
	if err := servertest.StartErr(t, servertest.Options{Services: []api.Factory{widgets}}); err != nil {
		t.Errorf("the good descriptor: %v", err)
	}
}

// messageOf is an error reply's message, XML or JSON.
func messageOf(r reply) string {
	var x struct {
		Message string `xml:"Error>Message"`
	}
	if xml.Unmarshal([]byte(r.body), &x) == nil {
		return x.Message
	}
	var j struct {
		Message string `json:"message"`
	}
	json.Unmarshal([]byte(r.body), &j)
	return j.Message
}

// gadgets is a REST-XML service for the tests, shaped as S3's operations
// are declared: a path label, a literal query parameter that selects the
// operation (?acl), a header member and an XML body.
func gadgets(d *api.Deps) *api.Descriptor {
	echo := func(ctx context.Context, c *call.Call) (any, error) {
		return &gadgetReply{Op: c.Action, Name: c.Params.Get("Name"), Owner: c.Params.Get("Owner"), Body: string(c.Body)}, nil
	}
	return &api.Descriptor{
		Name: "gadgets", Protocol: api.RESTXML, APIVersion: "2006-03-01", XMLNamespace: "https://gadgets.example/doc/",
		Handlers: map[string]api.Handler{
			"GetGadget": echo, "GetGadgetAcl": echo,
			"PutGadget": func(ctx context.Context, c *call.Call) (any, error) {
				return nil, awsproto.Errorf("NoSuchGadget", "The gadget %s does not exist", c.Params.Get("Name"))
			},
		},
		Routes: map[string]api.Route{
			"GetGadget":    {Method: "GET", RequestURI: "/{Name}", Bindings: []api.Binding{{Member: "Owner", Location: api.InHeader, Name: "x-gadget-owner"}}},
			"GetGadgetAcl": {Method: "GET", RequestURI: "/{Name}?acl"},
			"PutGadget":    {Method: "PUT", RequestURI: "/{Name}"},
		},
		ErrorStatus: map[string]int{"NoSuchGadget": 404},
	}
}

type gadgetReply struct {
	XMLName xml.Name `xml:"https://gadgets.example/doc/ GadgetReply"`
	Op      string   `xml:"Operation"`
	Name    string   `xml:"Name"`
	Owner   string   `xml:"Owner"`
	Body    string   `xml:"Body"`
}

func TestRESTXMLRouting(t *testing.T) {
	h := servertest.Start(t, servertest.Options{Services: append(services.All(), gadgets)})
	g := &rig{h: h, rec: &recorder{}}
	decode := func(r reply) gadgetReply {
		t.Helper()
		var x gadgetReply
		if err := xml.Unmarshal([]byte(r.body), &x); err != nil {
			t.Fatalf("reply is not XML (%v): %d %s", err, r.status, r.body)
		}
		return x
	}
	r := g.send(t, "GET", "/box-1", http.Header{"X-Gadget-Owner": {"ana"}}, "", "us-east-1", "gadgets")
	if x := decode(r); r.status != 200 || x.Op != "GetGadget" || x.Name != "box-1" || x.Owner != "ana" || !strings.Contains(r.body, `xmlns="https://gadgets.example/doc/"`) {
		t.Errorf("GetGadget: %d %s", r.status, r.body)
	}
	// The literal query parameter selects the more specific route.
	r = g.send(t, "GET", "/box-1?acl", nil, "", "us-east-1", "gadgets")
	if x := decode(r); r.status != 200 || x.Op != "GetGadgetAcl" || x.Name != "box-1" {
		t.Errorf("GetGadgetAcl: %d %s", r.status, r.body)
	}
	// Errors as XML, with the service's status.
	r = g.send(t, "PUT", "/box-2", nil, "<Gadget/>", "us-east-1", "gadgets")
	if r.status != 404 || !strings.Contains(r.body, "<Code>NoSuchGadget</Code>") || messageOf(r) != "The gadget box-2 does not exist" {
		t.Errorf("PutGadget: %d %s", r.status, r.body)
	}
}

// beacons shares a route with widgets' GetWidget: the credential scope
// chooses between them, and an unsigned request goes to the one that is
// unsigned.
func beacons(d *api.Deps) *api.Descriptor {
	return &api.Descriptor{
		Name: "beacons", Protocol: api.RESTJSON, APIVersion: "2020-01-01",
		Handlers: map[string]api.Handler{"Ping": func(ctx context.Context, c *call.Call) (any, error) {
			return map[string]any{"operation": c.Action, "caller": callerOf(c)}, nil
		}},
		Routes:   map[string]api.Route{"Ping": {Method: "GET", RequestURI: "/v1/widget/{id}"}},
		Unsigned: []string{"Ping"},
	}
}

func TestSharedRoute(t *testing.T) {
	rec := &recorder{}
	g := &rig{h: servertest.Start(t, servertest.Options{Audit: rec, Services: append(services.All(), widgets, beacons)}), rec: rec}
	for _, tc := range []struct{ scope, want string }{{"widget-signing", "GetWidget"}, {"beacons", "Ping"}, {"", "Ping"}} {
		r := g.send(t, "GET", "/v1/widget/x", nil, "", "us-east-1", tc.scope)
		if op := decodeJSON(t, r)["operation"]; r.status != 200 || op != tc.want {
			t.Errorf("scope %q: %d %s, want %s", tc.scope, r.status, r.body, tc.want)
		}
	}
}

// TestOversizedBodyRecorded: a signed request whose body is over the limit
// is refused before its signature can be checked, and recorded as an
// unknown caller with the access key and the service its signature claims.
func TestOversizedBodyRecorded(t *testing.T) {
	g := startRig(t)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	body := "Action=CreatePolicy&Version=2010-05-08&PolicyDocument=" + strings.Repeat("a", 1<<20)
	r := g.send(t, "POST", "/", form, body, "us-east-1", "iam")
	if r.status != 400 || !strings.Contains(r.body, "The request body is larger than 1048576 bytes.") {
		t.Errorf("answer %d %s", r.status, r.body)
	}
	ev := g.rec.last(t)
	if ev.EventSource != "iam.amazonaws.com" || ev.ErrorCode != "InvalidParameterValue" || ev.Call.Identity != nil ||
		ev.Call.Claimed == nil || ev.Call.Claimed.AccessKeyID != g.h.AdminKeyID || ev.Call.Claimed.ARN != "" {
		t.Errorf("record: source %q code %q identity %v claimed %+v", ev.EventSource, ev.ErrorCode, ev.Call.Identity, ev.Call.Claimed)
	}
	// Its twin under the limit is verified and answered.
	r = g.send(t, "POST", "/", form, "Action=GetCallerIdentity&Version=2011-06-15", "us-east-1", "sts")
	if r.status != 200 {
		t.Errorf("a signed call under the limit: %d %s", r.status, r.body)
	}
}
