package diff

import (
	"strings"
	"testing"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsdata"
)

// wellFormed fails unless every change's example resource is "*" for an
// action that authorizes no resource type, else an ARN (internal/arn
// parses it) of one of the action's resource types with every part
// filled, in the Service Authorization Reference's format:
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
func wellFormed(t *testing.T, rep *Report) {
	t.Helper()
	for _, c := range rep.Changes {
		act, ok := awsdata.LookupAction(c.Action)
		if ok && len(act.ResourceTypes) == 0 {
			if c.Resource != "*" {
				t.Errorf("example %s %s %q: the action authorizes no resource type, want \"*\"", c.Principal, c.Action, c.Resource)
			}
			continue
		}
		if _, err := arn.Parse(c.Resource); err != nil {
			t.Errorf("example %s %s %q: %v", c.Principal, c.Action, c.Resource, err)
			continue
		}
		if !analyze.FitsAction(c.Action, c.Resource) {
			t.Errorf("example %s %s %q: not an ARN of a resource type of the action", c.Principal, c.Action, c.Resource)
		}
	}
}

// diffSecureCart compares SecureCart with a copy edited by edits, with
// every example well formed and, but for unsure changes, decided by the
// engine as `warden explain` decides it, as the change says.
func diffSecureCart(t *testing.T, edits ...[3]string) *Report {
	t.Helper()
	old, new := editedSecureCart(t, edits...)
	rep := Diff(old, new, Options{Now: now})
	wellFormed(t, rep)
	sure := *rep
	sure.Changes = nil
	for _, c := range rep.Changes {
		if !c.Unsure {
			sure.Changes = append(sure.Changes, c)
		}
	}
	verify(t, old, new, &sure)
	return rep
}

// kms:Decrypt left out of the data-residency SCP's Deny: a KMS key is
// always in an account (its ARN template is
// arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}, AWS KMS in the
// Service Authorization Reference:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html),
// so the example is a key the org declares, whose key policy lets its
// account's administrators decrypt, and no change is reported on
// resources whose ARN names no account.
func TestExampleKMSDecryptIsADeclaredKey(t *testing.T) {
	rep := diffSecureCart(t, [3]string{"scps.yaml", "            - iam:*\n", "            - iam:*\n            - kms:Decrypt\n"})
	got := find(rep, Opened, "", "kms:Decrypt", "")
	if len(got) == 0 {
		t.Fatal("kms:Decrypt did not open")
	}
	for _, c := range got {
		a, err := arn.Parse(c.Resource)
		if err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") || a.Account != accountOf(c.Principal) {
			t.Errorf("kms:Decrypt example resource %q (principal %s): want a key of the principal's account", c.Resource, c.Principal)
		}
		if c.Unsure {
			t.Errorf("kms:Decrypt change unsure: %+v", c)
		}
	}
	for _, c := range rep.Changes {
		if c.Change != Opened || !strings.HasPrefix(c.Action, "kms:") {
			t.Errorf("unexpected change %s %s %s", c.Change, c.Action, c.Resource)
		}
	}
}

// sts:* no longer exempt from the data-residency SCP: every STS change's
// example is a well-formed ARN of the action's resource type (a role the
// org declares for the AssumeRole family) in the account of the class.
// sts:AssumeRoleWithSAML and sts:AssumeRoleWithWebIdentity do not change:
// an identity provider's user calls them, without AWS credentials
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html,
// API_AssumeRoleWithWebIdentity.html), and SCPs restrict only the IAM
// users and roles of the organization's accounts
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#scp-effects-on-permissions):
// neither a sure nor an unsure change, nor an unknown, names them.
func TestExampleSTSRolesAreWellFormed(t *testing.T) {
	rep := diffSecureCart(t, [3]string{"scps.yaml", "            - sts:*\n", ""})
	for _, action := range []string{"sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"} {
		for _, dir := range []string{Opened, Closed} {
			if got := find(rep, dir, "", action, ""); len(got) != 0 {
				t.Errorf("%s %s: %+v", action, dir, got[0])
			}
		}
		for _, u := range rep.Unknown {
			if strings.EqualFold(u.Action, action) {
				t.Errorf("unknown %s: %+v", action, u)
			}
		}
	}
	for _, action := range []string{"sts:AssumeRole"} {
		got := find(rep, Closed, "", action, "")
		if len(got) == 0 {
			t.Errorf("%s did not close", action)
		}
		for _, c := range got {
			if c.Action != action {
				continue
			}
			a, err := arn.Parse(c.Resource)
			if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") || a.Account == "" {
				t.Errorf("%s example resource %q: want a role ARN", action, c.Resource)
			}
		}
	}
}
