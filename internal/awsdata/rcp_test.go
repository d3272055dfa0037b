package awsdata

import "testing"

func TestRCPApplies(t *testing.T) {
	for svc, want := range map[string]bool{"s3": true, "STS": true, "kms": true, "sqs": true, "secretsmanager": true, "ec2": false, "iam": false, "lambda": false} {
		if got := RCPApplies(svc); got != want {
			t.Errorf("RCPApplies(%q) = %v, want %v", svc, got, want)
		}
	}
}
