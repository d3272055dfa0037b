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
		if got := awsOperation(tt.signing, r, ""); got != tt.want {
			t.Errorf("%s %s %s: %q, want %q", tt.signing, tt.method, tt.target, got, tt.want)
		}
	}
	// One route, two operations: CopyObject requires x-amz-copy-source.
	r := httptest.NewRequest("PUT", "/bucket/key", nil)
	r.Header.Set("X-Amz-Copy-Source", "/other/key")
	if got := awsOperation("s3", r, ""); got != "CopyObject" {
		t.Errorf("PUT /bucket/key with x-amz-copy-source: %q, want CopyObject", got)
	}
	// S3 Control signs as s3 too; its calls carry the account's header.
	r = httptest.NewRequest("GET", "/v20180820/accesspoint", nil)
	r.Header.Set("X-Amz-Account-Id", "123456789012")
	if got := awsOperation("s3", r, ""); got != "ListAccessPoints" {
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
		// Virtual-hosted addressing under an endpoint URL: SDKs prepend
		// the bucket, or S3 Control's account ID, to the endpoint's host.
		{"mybucket.localhost:4566", "GET", "/?list-type=2&encoding-type=url", "s3", "ListObjectsV2"},
		{"mybucket.localhost:4566", "HEAD", "/", "s3", "HeadBucket"},
		{"mybucket.localhost:4566", "HEAD", "/a/key", "s3", "HeadObject"},
		{"my.dotted.bucket.localhost", "GET", "/a/b", "s3", "GetObject"},
		{"mybucket.127.0.0.1:4566", "PUT", "/key?tagging", "s3", "PutObjectTagging"},
		{"mybucket.warden.example.com:4566", "DELETE", "/", "s3", "DeleteBucket"},
		{"111122223333.localhost:4566", "GET", "/v20180820/configuration/publicAccessBlock", "s3control", "GetPublicAccessBlock"},
		{"111122223333.127.0.0.1:4566", "GET", "/v20180820/accesspoint", "s3control", "ListAccessPoints"},
		// A bucket named like an account, its object under v20180820/.
		{"111122223333.localhost:4566", "GET", "/v20180820/x", "s3", "GetObject"},
		{"localhost:4566", "GET", "/", "s3", "ListBuckets"},
		{"warden.example.com:4566", "GET", "/", "s3", "ListBuckets"},
	} {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		r.Host = tt.host
		if tt.svc == "s3control" {
			r.Header.Set("X-Amz-Account-Id", "111122223333") // as SDKs send it
		}
		if tt.svc == "" {
			// Several services' routes (EKS's and DocumentDB Elastic
			// Clusters' GET /clusters): none is named.
			if g := guessAWS(r, "http://warden.example.com:4566"); g != nil {
				t.Errorf("unsigned %s %s%s: %s %s, want none", tt.method, tt.host, tt.target, g.svc.name, g.op)
			}
			continue
		}
		g := guessAWS(r, "http://warden.example.com:4566")
		if g == nil || g.svc.name != tt.svc || g.op != tt.op {
			got := "nothing"
			if g != nil {
				got = g.svc.name + " " + g.op
			}
			t.Errorf("unsigned %s %s%s: %s, want %s %s", tt.method, tt.host, tt.target, got, tt.svc, tt.op)
		}
	}
}

// What a Host puts in front of the server's own name: a bucket or an
// account, virtual-hosted style; nothing for the server's own names.
func TestVirtualPrefix(t *testing.T) {
	for _, tt := range []struct{ host, public, want string }{
		{"b.localhost:4566", "", "b"},
		{"B.LOCALHOST", "", "b"},
		{"a.b.localhost", "", "a.b"},
		{"localhost:4566", "", ""},
		{"b.127.0.0.1:4566", "", "b"},
		{"111122223333.10.0.0.7", "", "111122223333"},
		{"127.0.0.1:4566", "", ""},
		{"1.2.3.4.5", "", "1"},
		{"[::1]:4566", "", ""},
		{"b.warden.example.com", "https://warden.example.com", "b"},
		{"warden.example.com", "https://warden.example.com", ""},
		{"b.other.example.com", "https://warden.example.com", ""},
		{"sts.amazonaws.com", "", ""},
		{"warden.localhost:4566", "http://warden.localhost:4566", ""},
		{"b.warden.localhost:4566", "http://warden.localhost:4566", "b"},
	} {
		if got := virtualPrefix(tt.host, tt.public); got != tt.want {
			t.Errorf("virtualPrefix(%q, %q) = %q, want %q", tt.host, tt.public, got, tt.want)
		}
	}
}
