package server

import (
	"net/http/httptest"
	"testing"
)

// The embedded table of AWS's REST operations reads whole: every service
// and route (a panic at the first unrouted call otherwise).
func TestRESTOperationsTable(t *testing.T) {
	routes, err := parseRESTOperations(restOperationsTxt)
	if err != nil {
		t.Fatal(err)
	}
	services := map[string]bool{}
	for _, r := range routes {
		services[r.svc.name] = true
	}
	for _, name := range []string{"s3", "s3control", "route53", "cloudfront", "lambda", "eks", "accessanalyzer", "securityhub"} {
		if !services[name] {
			t.Errorf("no routes of %s", name)
		}
	}
	if len(services) < 150 || len(routes) < 5000 {
		t.Errorf("%d services, %d routes: botocore models 186 REST services", len(services), len(routes))
	}
	for _, bad := range []string{"s3 rest-xml s3\n", " GET /x Op\n", "s3 rest-xml s3 s3\n GET x Op\n", "s3 query s3 s3\n", "s3 rest-xml s3 s3\n GET /x Op x-amz-date\n"} {
		if _, err := parseRESTOperations(bad); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

// The operation a call names, from the routes of the service its
// credential scope names (botocore's models), and for an unsigned call
// from its Host or its path.
func TestAWSOperationNames(t *testing.T) {
	for _, tt := range []struct{ signing, method, target, want string }{
		{"s3", "GET", "/", "ListBuckets"},
		{"s3", "GET", "/bucket?list-type=2&prefix=", "ListObjectsV2"},
		{"s3", "GET", "/bucket", "ListObjects"},
		{"s3", "GET", "/bucket/some/key", "GetObject"},
		{"s3", "PUT", "/bucket/key?acl", "PutObjectAcl"},
		{"s3", "PUT", "/bucket/key", "PutObject"},
		{"s3", "GET", "/bucket/key?uploadId=u", "ListParts"},
		{"s3", "DELETE", "/bucket", "DeleteBucket"},
		{"route53", "GET", "/2013-04-01/hostedzone", "ListHostedZones"},
		{"cloudfront", "GET", "/2020-05-31/distribution", "ListDistributions"},
		{"lambda", "GET", "/2015-03-31/functions/", "ListFunctions"},
		{"lambda", "GET", "/2015-03-31/functions", "ListFunctions"},
		{"lambda", "DELETE", "/2015-03-31/functions/f", "DeleteFunction"},
		{"eks", "GET", "/clusters", "ListClusters"},
		{"lambda", "GET", "/no/such/route", ""},
		{"nosuchservice", "GET", "/2015-03-31/functions/", ""},
	} {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		if got := awsOperation(tt.signing, r); got != tt.want {
			t.Errorf("%s %s %s: %q, want %q", tt.signing, tt.method, tt.target, got, tt.want)
		}
	}
	// One route, two operations: CopyObject requires x-amz-copy-source.
	r := httptest.NewRequest("PUT", "/bucket/key", nil)
	r.Header.Set("X-Amz-Copy-Source", "/other/key")
	if got := awsOperation("s3", r); got != "CopyObject" {
		t.Errorf("PUT /bucket/key with x-amz-copy-source: %q, want CopyObject", got)
	}
	// S3 Control signs as s3 too; its calls carry the account's header.
	r = httptest.NewRequest("GET", "/v20180820/accesspoint", nil)
	r.Header.Set("X-Amz-Account-Id", "123456789012")
	if got := awsOperation("s3", r); got != "ListAccessPoints" {
		t.Errorf("GET /v20180820/accesspoint with x-amz-account-id: %q, want ListAccessPoints", got)
	}
	for _, tt := range []struct{ host, method, target, svc, op string }{
		{"127.0.0.1:4566", "GET", "/2015-03-31/functions/", "lambda", "ListFunctions"},
		{"127.0.0.1:4566", "GET", "/2015-03-31/functions", "lambda", "ListFunctions"},
		{"127.0.0.1:4566", "GET", "/2013-04-01/hostedzone", "route53", "ListHostedZones"},
		{"127.0.0.1:4566", "GET", "/bucket?list-type=2", "s3", "ListObjectsV2"},
		{"127.0.0.1:4566", "GET", "/bucket/key", "s3", "GetObject"},
		{"127.0.0.1:4566", "GET", "/", "s3", "ListBuckets"},
		{"bucket.s3.us-east-1.amazonaws.com", "GET", "/key", "s3", "GetObject"},
		{"bucket.s3.amazonaws.com", "GET", "/?list-type=2", "s3", "ListObjectsV2"},
		{"s3.us-west-2.amazonaws.com", "GET", "/", "s3", "ListBuckets"},
		{"lambda.eu-west-1.amazonaws.com", "GET", "/2015-03-31/functions/", "lambda", "ListFunctions"},
		{"eks.us-east-1.amazonaws.com", "GET", "/clusters", "eks", "ListClusters"},
		{"127.0.0.1:4566", "GET", "/clusters", "", ""},
	} {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		r.Host = tt.host
		if tt.svc == "" {
			// Several services' routes (EKS's and DocumentDB Elastic
			// Clusters' GET /clusters): none is named.
			if g := guessAWS(r); g != nil {
				t.Errorf("unsigned %s %s%s: %s %s, want none", tt.method, tt.host, tt.target, g.svc.name, g.op)
			}
			continue
		}
		g := guessAWS(r)
		if g == nil || g.svc.name != tt.svc || g.op != tt.op {
			got := "nothing"
			if g != nil {
				got = g.svc.name + " " + g.op
			}
			t.Errorf("unsigned %s %s%s: %s, want %s %s", tt.method, tt.host, tt.target, got, tt.svc, tt.op)
		}
	}
}
