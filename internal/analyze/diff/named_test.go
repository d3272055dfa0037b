package diff

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// namedOrg is org.Generate(accounts, roles, 1) whose member accounts also
// hold resources with names of their own, as a landing zone's accounts
// do: an SQS queue and an SNS topic named after the account, a KMS key
// with a random key ID, a Secrets
// Manager secret with a random suffix, each with a resource policy that
// names the resource and the account, and a role named after the
// account's ID whose identity policy reaches them. Each account's
// resources are the same up to the account's ID and the resources' names.
func namedOrg(accounts, roles int) string { return namedOrgWith(accounts, roles, false, false) }

// namedOrgWith is namedOrg whose resource policies also name other
// resources and roles of their own account by name: with cond, the KMS
// key's App statement holds only for its account's queue's encryption
// context (kms:EncryptionContext:aws:sqs:arn, as SQS server-side
// encryption sets it); with principal, the secret is also read by the
// account's role orders-worker-<account name> (which trusts ECS tasks),
// named in its Principal element.
func namedOrgWith(accounts, roles int, cond, principal bool) string {
	src := string(org.Generate(accounts, roles, 1))
	ids := map[string]string{}
	var members []string
	for _, m := range regexp.MustCompile(`(?m)^  - name: (Account\d+|Security)\n    id: "(\d+)"`).FindAllStringSubmatch(src, -1) {
		ids[m[1]] = m[2]
		members = append(members, m[1])
	}
	orgID := regexp.MustCompile(`(?m)^  id: (o-[0-9a-f]+)$`).FindStringSubmatch(src)[1]
	rng := rand.New(rand.NewPCG(16, 16))
	var res, rls strings.Builder
	line := func(b *strings.Builder, format string, args ...any) {
		fmt.Fprintf(b, format, args...)
		b.WriteByte('\n')
	}
	notOrg := fmt.Sprintf(`{Effect: Deny, Principal: "*", Action: "%%s", Resource: "*", Condition: {StringNotEquals: {aws:PrincipalOrgID: %s}}}`, orgID)
	for _, acct := range members {
		id, low := ids[acct], strings.ToLower(acct)
		app := "arn:aws:iam::" + id + ":role/orders-app-" + id
		queue := fmt.Sprintf("arn:aws:sqs:us-east-1:%s:orders-queue-%s", id, low)
		topic := fmt.Sprintf("arn:aws:sns:us-east-1:%s:orders-events-%s", id, low)
		key := fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/%08x-%04x-4%03x-8%03x-%012x", id, rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1))
		const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		suffix := make([]byte, 6)
		for i := range suffix {
			suffix[i] = letters[rng.IntN(len(letters))]
		}
		secret := fmt.Sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:orders-db-%s-%s", id, low, suffix)
		worker := "arn:aws:iam::" + id + ":role/orders-worker-" + low
		if principal {
			line(&rls, "  - name: orders-worker-%s", low)
			line(&rls, "    accounts: [%s]", acct)
			line(&rls, `    trust: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]}`)
		}
		for _, r := range []struct {
			arn, actions, deny string
		}{
			{queue, "[sqs:SendMessage, sqs:ReceiveMessage]", "sqs:*"},
			{topic, "[sns:Publish, sns:Subscribe]", "sns:*"},
			{key, "[kms:Decrypt, kms:GenerateDataKey]", "kms:*"},
			{secret, "[secretsmanager:GetSecretValue]", "secretsmanager:*"},
		} {
			line(&res, "  - arn: %s", r.arn)
			line(&res, "    account: %s", acct)
			line(&res, "    policy:")
			line(&res, `      Version: "2012-10-17"`)
			line(&res, "      Statement:")
			if strings.HasPrefix(r.arn, "arn:aws:kms:") {
				line(&res, `        - {Sid: Owner, Effect: Allow, Principal: {AWS: "arn:aws:iam::%s:root"}, Action: "kms:*", Resource: "*"}`, id)
			}
			switch {
			case cond && r.arn == key:
				line(&res, `        - {Sid: App, Effect: Allow, Principal: {AWS: ["%s"]}, Action: %s, Resource: "%s", Condition: {StringEquals: {"kms:EncryptionContext:aws:sqs:arn": "%s"}}}`, app, r.actions, r.arn, queue)
			case principal && r.arn == secret:
				line(&res, `        - {Sid: App, Effect: Allow, Principal: {AWS: ["%s", "%s"]}, Action: %s, Resource: "%s"}`, app, worker, r.actions, r.arn)
			default:
				line(&res, `        - {Sid: App, Effect: Allow, Principal: {AWS: ["%s"]}, Action: %s, Resource: "%s"}`, app, r.actions, r.arn)
			}
			line(&res, "        - "+notOrg, r.deny)
		}

		line(&rls, "  - name: orders-app-%s", id)
		line(&rls, "    accounts: [%s]", acct)
		line(&rls, "    trust:")
		line(&rls, `      Version: "2012-10-17"`)
		line(&rls, "      Statement:")
		line(&rls, `        - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}`)
		line(&rls, `        - {Effect: Allow, Principal: {AWS: "arn:aws:iam::%s:root"}, Action: sts:AssumeRole, Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}`, ids["Security"])
		line(&rls, "    inlinePolicies:")
		line(&rls, "      Orders:")
		line(&rls, `        Version: "2012-10-17"`)
		line(&rls, "        Statement:")
		line(&rls, `          - {Effect: Allow, Action: [sqs:SendMessage, sqs:ReceiveMessage, sns:Publish, kms:Decrypt, kms:GenerateDataKey, secretsmanager:GetSecretValue], Resource: ["arn:aws:sqs:*:%s:orders-queue-*", "arn:aws:sns:*:%s:orders-events-*", "arn:aws:kms:*:%s:key/*", "arn:aws:secretsmanager:*:%s:secret:orders-db-*"]}`, id, id, id, id)
	}
	src = strings.Replace(src, "\nresources:\n", "\n"+rls.String()+"resources:\n", 1)
	return strings.Replace(src, "\nidentityCenter:\n", "\n"+res.String()+"identityCenter:\n", 1)
}

// openToSecurity lets the Security account's principals use every
// account's queue, topic, key and secret (their App statements).
var openToSecurity = [3]string{"all", `{Sid: App, Effect: Allow, Principal: {AWS: [`, `{Sid: App, Effect: Allow, Principal: {AWS: ["arn:aws:iam::${account:Security}:root", `}

// namedEdits are edits of namedOrg that reach the resources named after
// their accounts, for randomEdits.
var namedEdits = [][3]string{
	openToSecurity,
	{"all", "Action: [sqs:SendMessage, sqs:ReceiveMessage], Resource", "Action: [sqs:SendMessage, sqs:ReceiveMessage, sqs:DeleteMessage], Resource"},
	{"one", `Action: "kms:*", Resource: "*"}`, `Action: "kms:Decrypt", Resource: "*"}`},
	{"all", `Action: "secretsmanager:*", Resource: "*", Condition: {StringNotEquals: {`, `Action: "secretsmanager:*", Resource: "*", Condition: {StringNotEquals: {aws:SourceVpce: vpce-1a2b3c4d, `},
	{"all", "sns:Publish, kms:Decrypt", "sns:Publish, sns:Subscribe, kms:Decrypt"},
	{"one", "Action: rds:DeleteDBInstance", "Action: [rds:DeleteDBInstance, sqs:SendMessage, kms:Decrypt]"},
	{"all", "Action: [sns:Publish, sns:Subscribe], Resource", "Action: [sns:Publish], Resource"},
}

// Accounts whose resources are named after them (an SQS queue, an SNS
// topic, a KMS key with a random ID, a secret with a random suffix, a role
// named after the account's ID) are twins: random edits of namedOrg give
// the reference's changes, and what the accounts' queues, topics, keys and
// secrets open to the Security account is compared once per kind and
// reported for every account.
func TestNamedResourcesMatchReference(t *testing.T) {
	rep := matchReference(t, namedOrg(6, 4), [][3]string{openToSecurity})
	for _, kind := range []string{"SQS queue", "SNS topic", "kms key", "secretsmanager secret"} {
		if n := twinMembers(rep, Opened, kind); n < 3 {
			t.Errorf("%ss opened to Security: %d members of a class, want the 3 accounts beside the representative's", kind, n)
		}
	}
	rng := rand.New(rand.NewPCG(16, 3))
	for i := range 5 {
		edits := randomEdits(rng, namedEdits...)
		t.Run(fmt.Sprint(i), func(t *testing.T) { matchReference(t, namedOrg(6, 4), edits) })
	}
}

// twinMembers is the most members (beside the representative) of a class
// of resources of a kind that a change in direction dir reports.
func twinMembers(rep *Report, dir, kind string) int {
	n := 0
	for i := range rep.raw {
		rc := &rep.raw[i]
		opened := rc.after.Decision == eval.Allow
		if rc.resClass != nil && rc.resClass.Kind == kind && (dir == Opened) == opened {
			n = max(n, len(rc.resClass.Members))
		}
	}
	return n
}

// inClass reports whether a resource is a class's example or member in
// some change of the report.
func inClass(rep *Report, arn string) bool {
	for i := range rep.raw {
		if c := rep.raw[i].resClass; c != nil {
			if c.Example == arn && len(c.Members) > 0 {
				return true
			}
			for _, m := range c.Members {
				if m == arn {
					return true
				}
			}
		}
	}
	return false
}

// Negative twins: a name that tells one account's resources from the
// others' keeps them apart, and the grouped comparison still gives the
// reference's changes.
func TestNamedResourcesApart(t *testing.T) {
	src := namedOrg(6, 4)
	queue := regexp.MustCompile(`arn:aws:sqs:us-east-1:\d+:orders-queue-account0004`).FindString(src)
	other := regexp.MustCompile(`arn:aws:sqs:us-east-1:\d+:orders-queue-account0003`).FindString(src)
	scpDeny := func(stmt string) string {
		old := "        - Effect: Deny\n          Action: organizations:LeaveOrganization\n"
		return strings.Replace(src, old, "        - "+stmt+"\n"+old, 1)
	}
	for _, tc := range []struct {
		name, src string
		edits     [][3]string
		apart     string // a queue that must not be a twin
	}{
		// An SCP names one account's queue by its name, any account.
		{"scp names a queue", scpDeny(`{Effect: Deny, Action: "sqs:*", Resource: "arn:aws:sqs:*:*:orders-queue-account0004"}`),
			[][3]string{openToSecurity}, queue},
		// A queue policy names another account's queue instead of its
		// own: its App statement does not reach it.
		{"queue policy names another's queue", strings.Replace(src, `Resource: "`+queue+`"}`, `Resource: "`+other+`"}`, 1),
			[][3]string{openToSecurity}, queue},
		// A queue policy's condition names its account's topic (a name of
		// its own): the policies differ.
		{"condition names its topic", src,
			[][3]string{openToSecurity, {"one", `Resource: "` + queue + `"}`, `Resource: "` + queue + `", Condition: {ArnNotEquals: {aws:SourceArn: "arn:aws:sns:us-east-1:1:orders-events-account0004"}}}`}}, queue},
		// An SCP tells accounts apart by part of their IDs (Account0003's
		// starts with 5): no twins, of queues or of buckets.
		{"partial account ID", scpDeny(`{Effect: Deny, Action: ["sqs:*", "s3:*"], Resource: "*", Condition: {StringLike: {aws:ResourceAccount: "5*"}}}`),
			[][3]string{openToSecurity, {"all", "      Statement:\n        - Effect: Deny\n          Principal: \"*\"\n",
				"      Statement:\n        - {Effect: Allow, Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}, Action: \"s3:GetObject\", Resource: \"*\"}\n        - Effect: Deny\n          Principal: \"*\"\n"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := matchReference(t, tc.src, tc.edits)
			if tc.apart != "" && inClass(rep, tc.apart) {
				t.Errorf("%s is grouped with other queues", tc.apart)
			}
		})
	}
}

// TestCrossNamedResourcesMatchReference: namedOrgWith's cross fixture,
// whose KMS key policies name their own account's queue in a condition
// (kms:EncryptionContext:aws:sqs:arn) and whose secret policies name their
// own account's worker role in a Principal element, each account its own:
// with the names substituted consistently the accounts are twins (the
// keys and secrets opened to Security reported once per kind for the other
// accounts), the grouped comparison gives the reference's changes, and
// each member's request (its own queue in the encryption context) is
// decided as claimed. Twin: when the principal's side also tests the key
// (an SCP statement on it), the keys are apart again.
func TestCrossNamedResourcesMatchReference(t *testing.T) {
	src := namedOrgWith(6, 4, true, true)
	rep := matchReference(t, src, [][3]string{openToSecurity})
	for _, kind := range []string{"kms key", "secretsmanager secret"} {
		if n := twinMembers(rep, Opened, kind); n < 3 {
			t.Errorf("%ss opened to Security: %d members of a class, want the 3 accounts beside the representative's", kind, n)
		}
	}
	if !contextNames(rep, "kms:EncryptionContext:aws:sqs:arn", ":orders-queue-") {
		t.Errorf("no change's example names its account's queue in the encryption context")
	}
	// Edits that reach the keys and secrets (namedEdits).
	for i, edits := range [][][3]string{{namedEdits[2]}, {namedEdits[3]}} {
		t.Run(fmt.Sprint(i), func(t *testing.T) { matchReference(t, src, edits) })
	}
	old := "        - Effect: Deny\n          Action: organizations:LeaveOrganization\n"
	tested := strings.Replace(src, old, `        - {Effect: Deny, Action: "kms:*", Resource: "*", Condition: {StringLike: {"kms:EncryptionContext:aws:sqs:arn": "*:orders-queue-account0004"}}}`+"\n"+old, 1)
	if tested == src {
		t.Fatal("no SCP statement added")
	}
	rep = matchReference(t, tested, [][3]string{openToSecurity})
	if n := twinMembers(rep, Opened, "kms key"); n != 0 {
		t.Errorf("keys grouped (%d members) though an SCP tests their condition's key", n)
	}
}

// contextNames reports whether some change's example gives key a value
// holding s.
func contextNames(rep *Report, key, s string) bool {
	for i := range rep.raw {
		for k, v := range rep.raw[i].ctx {
			if strings.EqualFold(k, key) && strings.Contains(strings.Join(v, " "), s) {
				return true
			}
		}
	}
	return false
}
