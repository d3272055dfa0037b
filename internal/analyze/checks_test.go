package analyze

import (
	"errors"
	"testing"
)

func pol(stmts ...string) string { return bucketPolicy(stmts...) }

// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html
func TestCheckNoPublicAccess(t *testing.T) {
	cases := []struct {
		name, typ, doc, want string
		stmt                 int // the statement a FAIL points at
	}{
		{"public bucket read", "AWS::S3::Bucket", pol(`{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`), Fail, 0},
		{"twin: one account", "AWS::S3::Bucket", pol(`{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`), Pass, 0},
		{"twin: restricted to an organization", "AWS::S3::Bucket", pol(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}`), Pass, 0},
		{"a caller-controlled condition is still public", "AWS::S3::Bucket", pol(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"s3:x-amz-acl": "public-read"}}}`), Fail, 0},
		{"two statements: the Deny closes the Allow", "AWS::S3::Bucket", pol(
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`,
			`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}`), Pass, 0},
		{"two statements: the Deny covers other keys only", "AWS::S3::Bucket", pol(
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`,
			`{"Sid": "DenyPrivate", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/private/*"}`), Fail, 0},
		{"public queue", "AWS::SQS::Queue", pol(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}`), Fail, 0},
		{"a trust policy for anyone", "AWS::IAM::AssumeRolePolicyDocument", pol(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}`), Fail, 0},
		{"twin: a trust policy for one account", "AWS::IAM::AssumeRolePolicyDocument", pol(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}`), Pass, 0},
		{"a KMS key with kms:CallerAccount", "AWS::KMS::Key", pol(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}`), Pass, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := CheckNoPublicAccess(c.doc, c.typ)
			if err != nil {
				t.Fatal(err)
			}
			if r.Result != c.want {
				t.Fatalf("got %s %+v, want %s", r.Result, r.Reasons, c.want)
			}
			if c.want == Fail && (len(r.Reasons) == 0 || r.Reasons[0].StatementIndex == nil || *r.Reasons[0].StatementIndex != c.stmt) {
				t.Fatalf("reasons %+v: want statement %d", r.Reasons, c.stmt)
			}
		})
	}
	if _, err := CheckNoPublicAccess(pol(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}`), "AWS::EC2::Instance"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown resource type: %v", err)
	}
	if _, err := CheckNoPublicAccess(`{"Statement": [`, "AWS::S3::Bucket"); !errors.Is(err, ErrInvalid) {
		t.Errorf("malformed document: %v", err)
	}
}

// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckAccessNotGranted.html
func TestCheckAccessNotGranted(t *testing.T) {
	cases := []struct {
		name, doc, typ string
		access         []AccessSpec
		want           string
		stmt           int
	}{
		{"granted by a wildcard", pol(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`), IdentityPolicy, []AccessSpec{{Actions: []string{"s3:PutBucketPolicy"}}}, Fail, 0},
		{"twin: another service", pol(`{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}`), IdentityPolicy, []AccessSpec{{Actions: []string{"s3:PutBucketPolicy"}}}, Pass, 0},
		{"two statements: a Deny takes it back", pol(`{"Effect": "Allow", "Action": "s3:Put*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "s3:PutBucketPolicy", "Resource": "*"}`), IdentityPolicy, []AccessSpec{{Actions: []string{"s3:PutBucketPolicy"}}}, Pass, 0},
		{"two statements: a conditional Deny leaves a way", pol(`{"Effect": "Allow", "Action": "s3:Put*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "s3:PutBucketPolicy", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}`), IdentityPolicy, []AccessSpec{{Actions: []string{"s3:PutBucketPolicy"}}}, Fail, 0},
		{"resources only", pol(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`), IdentityPolicy, []AccessSpec{{Resources: []string{"arn:aws:s3:::b/secret/*"}}}, Fail, 0},
		{"twin: resources only, another bucket", pol(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`), IdentityPolicy, []AccessSpec{{Resources: []string{"arn:aws:s3:::other/*"}}}, Pass, 0},
		{"actions and resources", pol(`{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/public/*"}`), IdentityPolicy, []AccessSpec{{Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/secret/*"}}}, Pass, 0},
		{"a resource policy", pol(`{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}`), ResourcePolicy, []AccessSpec{{Actions: []string{"s3:DeleteObject"}}}, Fail, 0},
		{"NotAction grants what it does not name", pol(`{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}`), IdentityPolicy, []AccessSpec{{Actions: []string{"s3:DeleteBucket"}}}, Fail, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := CheckAccessNotGranted(c.doc, c.access, c.typ)
			if err != nil {
				t.Fatal(err)
			}
			if r.Result != c.want {
				t.Fatalf("got %s %+v, want %s", r.Result, r.Reasons, c.want)
			}
			if c.want == Fail && (r.Reasons[0].StatementIndex == nil || *r.Reasons[0].StatementIndex != c.stmt) {
				t.Fatalf("reasons %+v: want statement %d", r.Reasons, c.stmt)
			}
		})
	}
	if _, err := CheckAccessNotGranted(pol(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`), nil, IdentityPolicy); !errors.Is(err, ErrInvalid) {
		t.Errorf("no access: %v", err)
	}
	if _, err := CheckAccessNotGranted(pol(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`), []AccessSpec{{Actions: []string{"s3:GetObject"}}}, "SCP"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad policy type: %v", err)
	}
}

// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html
func TestCheckNoNewAccess(t *testing.T) {
	existing := pol(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}`)
	cases := []struct {
		name, newDoc, existing, typ, want string
		stmt                              int
	}{
		{"narrower: only reads", pol(`{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}`), existing, IdentityPolicy, Pass, 0},
		{"the existing Deny mattered: deletes are new", pol(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`), existing, IdentityPolicy, Fail, 0},
		{"twin: the same two statements, reordered", pol(`{"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}`, `{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`), existing, IdentityPolicy, Pass, 0},
		{"a new service", pol(`{"Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage"], "Resource": "*"}`), existing, IdentityPolicy, Fail, 0},
		{"a condition dropped", pol(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`), pol(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`), IdentityPolicy, Fail, 0},
		{"twin: a condition narrowed", pol(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}}}`), pol(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`), IdentityPolicy, Pass, 0},
		{"a resource policy opened to another account", pol(`{"Effect": "Allow", "Principal": {"AWS": ["111122223333", "444455556666"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`),
			pol(`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`), ResourcePolicy, Fail, 0},
		{"twin: a resource policy narrowed to a role", pol(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`),
			pol(`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`), ResourcePolicy, Pass, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := CheckNoNewAccess(c.newDoc, c.existing, c.typ)
			if err != nil {
				t.Fatal(err)
			}
			if r.Result != c.want {
				t.Fatalf("got %s %+v, want %s", r.Result, r.Reasons, c.want)
			}
			if c.want == Fail && (r.Reasons[0].StatementIndex == nil || *r.Reasons[0].StatementIndex != c.stmt || r.Reasons[0].Example == nil) {
				t.Fatalf("reasons %+v: want statement %d", r.Reasons, c.stmt)
			}
		})
	}
}
