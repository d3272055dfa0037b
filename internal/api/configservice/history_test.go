package configservice_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

const resourceCompliance = cfgtypes.ResourceType("AWS::Config::ResourceCompliance")

// itemConfiguration is the configuration of an AWS::Config::ResourceCompliance
// item ("Querying Compliance History for your AWS Resources",
// https://docs.aws.amazon.com/config/latest/developerguide/quering-resource-compliance-history.html).
type itemConfiguration struct {
	ComplianceType     string `json:"complianceType"`
	TargetResourceID   string `json:"targetResourceId"`
	TargetResourceType string `json:"targetResourceType"`
	ConfigRuleList     []struct {
		ConfigRuleArn  string `json:"configRuleArn"`
		ConfigRuleID   string `json:"configRuleId"`
		ConfigRuleName string `json:"configRuleName"`
		ComplianceType string `json:"complianceType"`
	} `json:"configRuleList"`
}

func history(t *testing.T, cl *cfg.Client, in *cfg.GetResourceConfigHistoryInput) ([]cfgtypes.ConfigurationItem, string, error) {
	t.Helper()
	out, err := cl.GetResourceConfigHistory(servertest.Ctx(t), in)
	if err != nil {
		return nil, "", err
	}
	return out.ConfigurationItems, aws.ToString(out.NextToken), nil
}

// replicas starts two servers on one store: one SQLite store shared by
// both, or, with WARDEN_TEST_POSTGRES, one PostgreSQL database each opens.
// Their clocks start at the same time.
func replicas(t *testing.T, pg bool) (a, b *servertest.Harness) {
	key := creds.NewKey()
	var hs [2]*servertest.Harness
	if !pg {
		st, err := sqlite.Open(t.Context(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		now := time.Now().UTC().Truncate(time.Second)
		for i := range hs {
			hs[i] = servertest.Start(t, servertest.Options{Store: st, MasterKey: key, Now: now})
		}
		return hs[0], hs[1]
	}
	r := servertest.PostgresReplicas(t, 2, servertest.Options{MasterKey: key})
	return r[0], r[1]
}

// as is a session of OrganizationAccountAccessRole in an account through
// h, made with the admin key of a (the replica that seeded the store).
func as(t *testing.T, a, h *servertest.Harness, account string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(h.Config(a.AdminKeyID, a.AdminSecret, "")).AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("history")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func TestComplianceHistorySQLite(t *testing.T)     { complianceHistory(t, false) }
func TestComplianceHistoryPostgreSQL(t *testing.T) { complianceHistory(t, true) }

// A *:* policy created in Dev through IAM enters its compliance history
// NON_COMPLIANT (ResourceDiscovered) for
// iam-policy-no-statements-with-admin-access; deleting it appends a
// ResourceDeleted item. Written through replica A, the same items are read
// through B; newest first by default, pages of `limit`, time windows, and
// AWS's errors for what Warden does not record.
//
// A's clock runs a second ahead of B's, as replicas' clocks differ: an
// item A stamps is read through B at once, although B's now is before its
// capture time, and the other way round (a flake once hid B's deletion
// from A for 30 s when the harness started B's clock seconds after A's).
func complianceHistory(t *testing.T, pg bool) {
	a, b := replicas(t, pg)
	a.Clock.Advance(time.Second)
	ctx := servertest.Ctx(t)
	tick := func() {
		for _, h := range []*servertest.Harness{a, b} {
			h.Clock.Advance(2 * time.Second)
		}
	}
	devA, devB := as(t, a, a, dev), as(t, a, b, dev)
	cfgA, cfgB := cfg.NewFromConfig(devA), cfg.NewFromConfig(devB)
	const rule = "iam-policy-no-statements-with-admin-access"

	tick()
	before := a.Clock.Now()
	tick()
	p, err := iam.NewFromConfig(devA).CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Everything"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	id := "AWS::IAM::Policy/" + aws.ToString(p.Policy.PolicyId)
	items, next, err := history(t, cfgA, &cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || next != "" {
		t.Fatalf("after CreatePolicy: %d items, next %q; want 1", len(items), next)
	}
	created := items[0]
	if created.ConfigurationItemStatus != cfgtypes.ConfigurationItemStatusResourceDiscovered || aws.ToString(created.AccountId) != dev ||
		created.ResourceType != resourceCompliance || aws.ToString(created.ResourceId) != id || aws.ToString(created.AwsRegion) != "us-east-1" ||
		len(created.Relationships) != 1 || aws.ToString(created.Relationships[0].ResourceId) != aws.ToString(p.Policy.PolicyId) ||
		created.Relationships[0].ResourceType != "AWS::IAM::Policy" || !created.ConfigurationItemCaptureTime.After(before) {
		t.Fatalf("created item: %+v", created)
	}
	var conf itemConfiguration
	if err := json.Unmarshal([]byte(aws.ToString(created.Configuration)), &conf); err != nil {
		t.Fatalf("configuration %q: %v", aws.ToString(created.Configuration), err)
	}
	found := false
	for _, r := range conf.ConfigRuleList {
		if r.ConfigRuleName == rule {
			found = r.ComplianceType == "NON_COMPLIANT" && r.ConfigRuleArn == "arn:aws:config:us-east-1:"+dev+":config-rule/"+r.ConfigRuleID
		}
	}
	if conf.ComplianceType != "NON_COMPLIANT" || conf.TargetResourceType != "AWS::IAM::Policy" || conf.TargetResourceID != aws.ToString(p.Policy.PolicyId) || !found {
		t.Fatalf("created item's configuration: %+v", conf)
	}

	// Replica B reads the same item, and evaluating there appends nothing;
	// no laterTime, so B's clock being behind the item's time hides nothing.
	itemsB, _, err := history(t, cfgB, &cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id)})
	if err != nil || len(itemsB) != 1 || !itemsB[0].ConfigurationItemCaptureTime.Equal(*created.ConfigurationItemCaptureTime) {
		t.Fatalf("replica B: %v %+v", err, itemsB)
	}

	tick()
	between := a.Clock.Now()
	tick()
	if _, err := iam.NewFromConfig(devB).DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	tick()
	// Replica A learns of B's change within the store's bound on staleness
	// (250 ms on PostgreSQL, docs/serve.md; allow a loaded machine more)
	// and records it, stamped with its clock ahead of B's; B reads it then.
	for _, name := range []string{"A", "B"} {
		cl := map[string]*cfg.Client{"A": cfgA, "B": cfgB}[name]
		deadline := time.Now().Add(30 * time.Second)
		for {
			items, _, err := history(t, cl, &cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 2 && items[0].ConfigurationItemStatus == cfgtypes.ConfigurationItemStatusResourceDeleted &&
				items[0].ConfigurationItemCaptureTime.After(between) && items[1].ConfigurationItemCaptureTime.Equal(*created.ConfigurationItemCaptureTime) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s after DeletePolicy: %+v", name, items)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Forward order, one item a page.
	first, next, err := history(t, cfgA, &cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id),
		ChronologicalOrder: cfgtypes.ChronologicalOrderForward, Limit: 1})
	if err != nil || len(first) != 1 || first[0].ConfigurationItemStatus != cfgtypes.ConfigurationItemStatusResourceDiscovered || next == "" {
		t.Fatalf("forward page 1: %v %+v next %q", err, first, next)
	}
	second, next2, err := history(t, cfgA, &cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id),
		ChronologicalOrder: cfgtypes.ChronologicalOrderForward, Limit: 1, NextToken: aws.String(next)})
	if err != nil || len(second) != 1 || second[0].ConfigurationItemStatus != cfgtypes.ConfigurationItemStatusResourceDeleted || next2 != "" {
		t.Fatalf("forward page 2: %v %+v next %q", err, second, next2)
	}

	// Time windows: up to `between` holds the creation only; up to
	// `before` nothing; from `between` the deletion only.
	win := func(earlier, later *time.Time) []cfgtypes.ConfigurationItem {
		t.Helper()
		items, _, err := history(t, cfgA, &cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id), EarlierTime: earlier, LaterTime: later})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	if got := win(nil, &between); len(got) != 1 || got[0].ConfigurationItemStatus != cfgtypes.ConfigurationItemStatusResourceDiscovered {
		t.Errorf("laterTime between the changes: %+v", got)
	}
	if got := win(nil, &before); len(got) != 0 {
		t.Errorf("laterTime before the policy: %+v, want none", got)
	}
	if got := win(&between, nil); len(got) != 1 || got[0].ConfigurationItemStatus != cfgtypes.ConfigurationItemStatusResourceDeleted {
		t.Errorf("earlierTime between the changes: %+v", got)
	}

	// Errors, as AWS answers them.
	for _, c := range []struct {
		what string
		in   cfg.GetResourceConfigHistoryInput
		code string
	}{
		{"an unknown resource", cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String("AWS::IAM::Policy/ANPANOSUCHPOLICY00000")}, "ResourceNotDiscoveredException"},
		{"a resource ID without its type", cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: p.Policy.PolicyId}, "ResourceNotDiscoveredException"},
		{"a resource type Warden does not record", cfg.GetResourceConfigHistoryInput{ResourceType: cfgtypes.ResourceTypePolicy, ResourceId: p.Policy.PolicyId}, "ResourceNotDiscoveredException"},
		{"not a resource type", cfg.GetResourceConfigHistoryInput{ResourceType: "AWS::Nothing::Here", ResourceId: aws.String(id)}, "ValidationException"},
		{"a limit over 100", cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id), Limit: 101}, "InvalidLimitException"},
		{"a token of nothing", cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id), NextToken: aws.String("garbage")}, "InvalidNextTokenException"},
		{"earlier after later", cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id), EarlierTime: &between, LaterTime: &before}, "InvalidTimeRangeException"},
	} {
		if _, _, err := history(t, cfgA, &c.in); code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.what, err, c.code)
		}
	}
	// Another account does not see Dev's resource.
	mgmtCfg := cfg.NewFromConfig(a.Config(a.AdminKeyID, a.AdminSecret, ""))
	if _, _, err := history(t, mgmtCfg, &cfg.GetResourceConfigHistoryInput{ResourceType: resourceCompliance, ResourceId: aws.String(id)}); code(err) != "ResourceNotDiscoveredException" {
		t.Errorf("the management account reading Dev's history: %v", err)
	}
	// The history is in the store's records.
	recs, err := store.AllRecords(ctx, a.Store, "configservice/history", dev+"/")
	if err != nil || len(recs) == 0 {
		t.Fatalf("stored history: %v, %d records", err, len(recs))
	}
}
