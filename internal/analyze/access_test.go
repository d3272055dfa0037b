package analyze

import (
	"testing"
)

const bucket = "arn:aws:s3:::zone-bucket"

// Each case names the AWS page its expectation comes from. The zone is the
// account 111111111111 unless kind says the organization.
func TestAccessFindings(t *testing.T) {
	type want struct {
		principal map[string]string
		action    string
		public    bool
		condition map[string]string
	}
	cases := []struct {
		name     string
		page     string
		resource string
		kind     string
		doc      string
		rcps     []string
		want     []want // every finding, in any order; none when empty
		absent   string // an action no finding may list
	}{
		{
			name: "public read", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", public: true, condition: map[string]string{}}},
		},
		{
			name: "public read twin: own account only",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
		},
		{
			name: "a caller-controlled key does not restrict", page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}`),
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", public: true, condition: map[string]string{}}},
		},
		{
			name: "cross-account", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::zone-bucket", "arn:aws:s3:::zone-bucket/*"]}`),
			want: []want{{principal: map[string]string{"AWS": extAcct}, action: "s3:ListBucket", condition: map[string]string{}}},
		},
		{
			name: "cross-account twin: another account of the organization, organization zone", kind: ZoneOrganization,
			doc: bucketPolicy(`{"Effect": "Allow", "Principal": {"AWS": "444444444444"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
		},
		{
			name: "another account of the organization is outside an account zone", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"AWS": "444444444444"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
			want: []want{{principal: map[string]string{"AWS": orgAcct}, action: "s3:GetObject", condition: map[string]string{}}},
		},
		{
			name: "organization-restricted, organization zone", kind: ZoneOrganization, page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid",
			doc: bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-zone123456"}}}`),
		},
		{
			name: "organization-restricted twin: another organization", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid", kind: ZoneOrganization,
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-other12345"}}}`),
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", condition: map[string]string{"aws:PrincipalOrgID": "o-other12345"}}},
		},
		{
			name: "VPC endpoint restricted", page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}`),
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", condition: map[string]string{"aws:SourceVpce": "vpce-1a2b3c4d"}}},
		},
		{
			name: "VPC endpoint restricted by a Deny", page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html",
			doc: bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`,
				`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::zone-bucket/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}`),
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", condition: map[string]string{"aws:SourceVpce": "vpce-1a2b3c4d"}}},
		},
		{
			name: "service principal with SourceArn in the zone", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html", resource: "arn:aws:sqs:us-east-1:111111111111:orders",
			doc: bucketPolicy(`{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111111111111:orders", "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:orders-topic"}}}`),
		},
		{
			name: "service principal twin: without SourceArn, any account's topic", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html", resource: "arn:aws:sqs:us-east-1:111111111111:orders",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111111111111:orders"}`),
			want: []want{{principal: map[string]string{"Service": "sns.amazonaws.com"}, action: "sqs:SendMessage", condition: map[string]string{}}},
		},
		{
			name: "service principal twin: SourceArn of another account", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html", resource: "arn:aws:sqs:us-east-1:111111111111:orders",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111111111111:orders", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:222222222222:*"}}}`),
			want: []want{{principal: map[string]string{"Service": "sns.amazonaws.com"}, action: "sqs:SendMessage", condition: map[string]string{"aws:SourceArn": "arn:aws:sns:us-east-1:222222222222:*"}}},
		},
		{
			name: "Allow with NotPrincipal lets everyone else in", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
			doc:  bucketPolicy(`{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", public: true, condition: map[string]string{}}},
		},
		{
			name: "NotPrincipal twin: Deny to all but the zone account", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
			doc: bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`,
				`{"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111111111111:root"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
		},
		{
			name: "an RCP closes public access", page: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html", kind: ZoneOrganization,
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
			rcps: []string{`{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-zone123456"}}}]}`},
		},
		{
			name: "an RCP that exempts AWS services leaves them a way in, not public", page: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html", kind: ZoneOrganization,
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
			rcps: []string{`{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-zone123456"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}`},
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", condition: map[string]string{}}},
		},
		{
			name: "the RCP twin: it exempts GetObject", page: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html", kind: ZoneOrganization,
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::zone-bucket/*"}`),
			rcps: []string{`{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-zone123456"}}}]}`},
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "s3:GetObject", public: true, condition: map[string]string{}}},
		},
		{
			name: "an RCP does not close kms:RetireGrant", page: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps", kind: ZoneOrganization,
			resource: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			doc:      bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": ["kms:RetireGrant", "kms:RevokeGrant"], "Resource": "*"}`),
			rcps:     []string{`{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-zone123456"}}}]}`},
			want:     []want{{principal: map[string]string{"AWS": "*"}, action: "kms:RetireGrant", public: true, condition: map[string]string{}}},
			absent:   "kms:RevokeGrant",
		},
		{
			name: "the kms:RetireGrant twin: the RCP closes kms:RevokeGrant", page: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps", kind: ZoneOrganization,
			resource: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			doc:      bucketPolicy(`{"Effect": "Allow", "Principal": "*", "Action": "kms:RevokeGrant", "Resource": "*"}`),
			rcps:     []string{`{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-zone123456"}}}]}`},
		},
		{
			name: "a trust policy for a GitHub repository", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html", resource: "arn:aws:iam::111111111111:role/ci",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:securecart/*"}, "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}`),
			want: []want{{principal: map[string]string{"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}, action: "sts:AssumeRoleWithWebIdentity", condition: map[string]string{"token.actions.githubusercontent.com:sub": "repo:securecart/*", "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}},
		},
		{
			name: "a role trusted by a role of another account, with a path", page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn", resource: "arn:aws:iam::111111111111:role/audit",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "sts:AssumeRole", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:role/team/*"}}}`),
			want: []want{{principal: map[string]string{"AWS": extAcct}, action: "sts:AssumeRole", condition: map[string]string{"aws:PrincipalArn": "arn:aws:iam::222222222222:role/team/*"}}},
		},
		{
			name: "a KMS key shared through kms:CallerAccount", page: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account", resource: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			doc:  bucketPolicy(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "222222222222"}}}`),
			want: []want{{principal: map[string]string{"AWS": "*"}, action: "kms:Decrypt", condition: map[string]string{"kms:CallerAccount": "222222222222"}}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, kind := c.resource, c.kind
			if res == "" {
				res = bucket
			}
			if kind == "" {
				kind = ZoneAccount
			}
			tg := target(t, res, c.doc, c.rcps...)
			fs := analyzeIn(t, kind, tg)
			checkExamples(t, tg, &Zone{Kind: kind, Account: zoneAcct, Org: testOrg}, fs)
			if len(fs) != len(c.want) {
				for _, f := range fs {
					t.Logf("got %v %v %v public=%v unsure=%v %s", f.Principal, f.Action, f.Condition, f.IsPublic, f.Unsure, f.Reason)
				}
				t.Fatalf("got %d findings, want %d (%s)", len(fs), len(c.want), c.page)
			}
			for _, f := range fs {
				if c.absent != "" && hasAction(f, c.absent) {
					t.Errorf("finding %v lists %s (%s)", f.Principal, c.absent, c.page)
				}
			}
			for _, w := range c.want {
				ok := false
				for _, f := range fs {
					if mapEq(f.Principal, w.principal) && mapEq(f.Condition, w.condition) && hasAction(f, w.action) && f.IsPublic == w.public && !f.Unsure {
						ok = true
					}
				}
				if !ok {
					for _, f := range fs {
						t.Logf("got %v %v %v public=%v", f.Principal, f.Action, f.Condition, f.IsPublic)
					}
					t.Errorf("no finding %+v (%s)", w, c.page)
				}
			}
		})
	}
}

func mapEq(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
