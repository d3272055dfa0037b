package org

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/policy"
)

// PublicS3Statement follows "The meaning of public" in
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
// (and the list in https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html):
// each public statement has a non-public twin.
func TestPublicS3Statement(t *testing.T) {
	const res = `"Resource": "arn:aws:s3:::b/*", "Action": "s3:GetObject"`
	for _, c := range []struct {
		name, stmt string
		public     bool
	}{
		{"everyone", `{"Effect": "Allow", "Principal": "*", ` + res + `}`, true},
		{"a fixed account", `{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, ` + res + `}`, false},
		{"AWS *", `{"Effect": "Allow", "Principal": {"AWS": "*"}, ` + res + `}`, true},
		{"a wildcard account ARN", `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}, ` + res + `}`, true},
		{"a service principal", `{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, ` + res + `}`, false},
		{"NotPrincipal", `{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, ` + res + `}`, true},
		{"a Deny to everyone", `{"Effect": "Deny", "Principal": "*", ` + res + `}`, false},
		{"everyone from one VPC endpoint", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}`, false},
		{"everyone from any VPC endpoint (wildcard)", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"StringLike": {"aws:SourceVpce": "vpce-*"}}}`, true},
		{"everyone in the organization", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}`, false},
		{"everyone with a policy variable", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}}`, true},
		{"everyone from a CIDR", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}`, false},
		{"everyone from every address", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}`, true},
		{"everyone outside a CIDR", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}`, true},
		{"IfExists does not bind", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}}`, true},
		{"a key S3 does not count", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"StringEquals": {"aws:UserAgent": "curl"}}}`, true},
		{"a fixed source account", `{"Effect": "Allow", "Principal": "*", ` + res + `, "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}`, false},
	} {
		doc, err := policy.Parse([]byte(`{"Version": "2012-10-17", "Statement": [`+c.stmt+`]}`), "")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		p, err := policy.Compile(doc, policy.Resource, c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := PublicS3Statement(p) != nil; got != c.public {
			t.Errorf("%s: public = %t, want %t", c.name, got, c.public)
		}
	}
}

// The settings load onto the account and the bucket, combine (either one
// blocks), and BlockPublicPolicy refuses the public policy being written,
// at its position.
func TestPublicAccessBlockLoads(t *testing.T) {
	data, err := os.ReadFile("../../testdata/publicaccess/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer("ACCOUNT_SETTING", "blockPublicAcls: true, restrictPublicBuckets: true",
		"BUCKET_SETTING", "blockPublicPolicy: true, ignorePublicAcls: false").Replace(string(data))
	o, err := LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mgmt, _ := o.AccountByName("Management")
	if want := (PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}); mgmt.PublicAccessBlock != want {
		t.Errorf("Management's settings = %+v, want %+v", mgmt.PublicAccessBlock, want)
	}
	open, _ := o.ResourcePolicy("arn:aws:s3:::open-data")
	logs, _ := o.ResourcePolicy("arn:aws:s3:::mgmt-logs")
	if got := o.PublicAccessBlockOf(open); got != (PublicAccessBlock{BlockPublicPolicy: true}) {
		t.Errorf("open-data's settings = %+v, want BlockPublicPolicy only", got)
	}
	if got := o.PublicAccessBlockOf(logs); got != mgmt.PublicAccessBlock {
		t.Errorf("mgmt-logs's settings = %+v, want its account's", got)
	}
	err = o.RefusedPublicPolicies(func(string) bool { return true })
	if err == nil || !strings.HasPrefix(err.Error(), "org.yaml:24:5: arn:aws:s3:::open-data: the policy grants public access (statement 0 (Everyone)") ||
		!strings.Contains(err.Error(), "BlockPublicPolicy, the resource's own setting") {
		t.Errorf("RefusedPublicPolicies = %v", err)
	}
	if err := o.RefusedPublicPolicies(func(string) bool { return false }); err != nil {
		t.Errorf("nothing written: %v", err)
	}
}
