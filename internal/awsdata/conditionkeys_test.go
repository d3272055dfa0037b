package awsdata

import (
	"strings"
	"testing"
)

func TestLookupConditionKey(t *testing.T) {
	tests := []struct {
		in   string
		want ConditionKey
	}{
		{"aws:PrincipalTag/team", ConditionKey{Key: "aws:PrincipalTag/${TagKey}", Type: "String", Global: true, Category: "principal"}},
		{"AWS:PRINCIPALTAG/Team/Sub", ConditionKey{Key: "aws:PrincipalTag/${TagKey}", Type: "String", Global: true, Category: "principal"}},
		{"aws:RequestTag/x", ConditionKey{Key: "aws:RequestTag/${TagKey}", Type: "String", Global: true, Category: "request"}},
		{"aws:ResourceTag/cost-center", ConditionKey{Key: "aws:ResourceTag/${TagKey}", Type: "String", Global: true, Category: "resource"}},
		{"aws:SourceIp", ConditionKey{Key: "aws:SourceIp", Type: "IPAddress", Global: true, Category: "network"}},
		{"aws:sourceip", ConditionKey{Key: "aws:SourceIp", Type: "IPAddress", Global: true, Category: "network"}},
		{"aws:MultiFactorAuthPresent", ConditionKey{Key: "aws:MultiFactorAuthPresent", Type: "Bool", Global: true, Category: "session"}},
		{"aws:TagKeys", ConditionKey{Key: "aws:TagKeys", Type: "ArrayOfString", Global: true, Category: "request"}},
		{"aws:PrincipalOrgPaths", ConditionKey{Key: "aws:PrincipalOrgPaths", Type: "ArrayOfString", Global: true, Category: "principal"}},
		// A session key of the global list keeps the global list's type over
		// the ArrayOfString some services document.
		{"identitystore:UserId", ConditionKey{Key: "identitystore:UserId", Type: "String", Global: true, Category: "session"}},
		{"s3:x-amz-server-side-encryption", ConditionKey{Key: "s3:x-amz-server-side-encryption", Type: "String"}},
		{"iam:PassedToService", ConditionKey{Key: "iam:PassedToService", Type: "String"}},
		{"s3:ExistingObjectTag/owner", ConditionKey{Key: "s3:ExistingObjectTag/<key>", Type: "String"}},
		{"ec2:ResourceTag/Name", ConditionKey{Key: "ec2:ResourceTag/${TagKey}", Type: "String"}},
		{"kms:EncryptionContext:aws:s3:arn", ConditionKey{Key: "kms:EncryptionContext:${EncryptionContextKey}", Type: "String"}},
		{"codebuild:secondarySources/src1.auth.type", ConditionKey{Key: "codebuild:secondarySources/${sourceIdentifier}.auth.type", Type: "String"}},
		{"secretsmanager:ResourceTag/env", ConditionKey{Key: "secretsmanager:ResourceTag/tag-key", Type: "String"}},
		// An exact key wins over a template it also matches.
		{"s3:ExistingObjectTag/<key>", ConditionKey{Key: "s3:ExistingObjectTag/<key>", Type: "String"}},
	}
	for _, tt := range tests {
		got, ok := LookupConditionKey(tt.in)
		if !ok {
			t.Errorf("LookupConditionKey(%q) not found", tt.in)
			continue
		}
		if got != tt.want {
			t.Errorf("LookupConditionKey(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestLookupConditionKeyRejects(t *testing.T) {
	for _, in := range []string{"", "aws:", "aws:PrincipalTag/", "aws:PrincipalTag", "aws:NoSuchKey", "s3:ExistingObjectTag/", "nosuch:Key", "aws:SourceIp/x"} {
		if got, ok := LookupConditionKey(in); ok {
			t.Errorf("LookupConditionKey(%q) = %+v, want not found", in, got)
		}
	}
}

func TestConditionKeysOfActionsResolve(t *testing.T) {
	types := map[string]bool{"String": true, "ArrayOfString": true, "ARN": true, "ArrayOfARN": true,
		"Bool": true, "ArrayOfBool": true, "Numeric": true, "Date": true, "IPAddress": true}
	check := func(where string, keys []string) {
		for _, k := range keys {
			ck, ok := LookupConditionKey(k)
			if !ok {
				t.Errorf("%s: condition key %q does not resolve", where, k)
			} else if !types[ck.Type] {
				t.Errorf("%s: condition key %q has type %q", where, k, ck.Type)
			} else if strings.HasPrefix(strings.ToLower(k), "aws:") && !ck.Global {
				t.Errorf("%s: condition key %q is not global", where, k)
			}
		}
	}
	for _, prefix := range Services() {
		s, _ := LookupService(prefix)
		check(prefix, s.ConditionKeys())
		for _, rt := range s.ResourceTypes() {
			check(prefix+" "+rt.Name, rt.ConditionKeys)
		}
		for _, a := range s.Actions() {
			check(a.String(), a.ConditionKeys)
			for _, r := range a.ResourceTypes {
				check(a.String()+" "+r.Name, r.ConditionKeys)
			}
		}
	}
}
