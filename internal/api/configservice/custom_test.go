package configservice_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/securecart/warden/internal/server/servertest"
)

func customRule(name, runtime, text string) *cfg.PutConfigRuleInput {
	return &cfg.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{ConfigRuleName: aws.String(name),
		Description: aws.String("app roles name their owner"),
		Scope:       &cfgtypes.Scope{ComplianceResourceTypes: []string{"AWS::IAM::Role"}},
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomPolicy,
			SourceDetails:       []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}},
			CustomPolicyDetails: &cfgtypes.CustomPolicyDetails{PolicyRuntime: aws.String(runtime), PolicyText: aws.String(text)}}}}
}

func resultFor(t *testing.T, cl *cfg.Client, rule, id string) (cfgtypes.ComplianceType, string) {
	t.Helper()
	out, err := cl.GetComplianceDetailsByConfigRule(servertest.Ctx(t), &cfg.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String(rule)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out.EvaluationResults {
		if aws.ToString(e.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId) == id {
			return e.ComplianceType, aws.ToString(e.Annotation)
		}
	}
	t.Fatalf("no result of %s for %s", rule, id)
	return "", ""
}

// The organization's own CEL rules through PutConfigRule (Source Owner
// CUSTOM_POLICY, PolicyRuntime cel-1.x.x; AWS's custom policy rules,
// https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_cfn-guard.html,
// are Guard, which Warden refuses by name): checked when written, with
// the error's PolicyText:line:column; evaluated on the change that touches
// a role, like the shipped rules.
func TestCustomPolicyRuleWithTheSDK(t *testing.T) {
	h := servertest.Start(t, servertest.Options{TrailOwner: security})
	ctx := servertest.Ctx(t)
	sec := cfg.NewFromConfig(assume(t, h, security))
	devCfg := assume(t, h, dev)
	devConfig, devIAM := cfg.NewFromConfig(devCfg), iam.NewFromConfig(devCfg)

	_, err := sec.PutConfigRule(ctx, customRule("app-owner", "guard-2.x.x", `rule owner { tags.owner exists }`))
	if code(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "Warden evaluates custom policy rules written in CEL") {
		t.Fatalf("a Guard rule: %v; want InvalidParameterValueException saying Warden evaluates CEL", err)
	}
	text := "applies: resource.name.startsWith(\"app-\")\ncompliant: resource.tags.owner.startsWith(1)\n"
	_, err = sec.PutConfigRule(ctx, customRule("app-owner", "cel-1.x.x", text))
	if code(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "PolicyText:2:42: compliant:") {
		t.Fatalf("a type error: %v; want InvalidParameterValueException at PolicyText:2:42 (the call of startsWith)", err)
	}
	_, err = sec.PutConfigRule(ctx, customRule("app-owner", "cel-1.x.x", `resource.name.size() >`))
	if code(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "PolicyText:1:") {
		t.Fatalf("a syntax error: %v; want PolicyText:1:column", err)
	}
	text = "applies: resource.name.startsWith(\"app-\")\ncompliant: |\n  \"owner\" in resource.tags\nannotation: the role has no owner tag\nseverity: LOW\n"
	if _, err := sec.PutConfigRule(ctx, customRule("app-owner", "cel-1.x.x", text)); err != nil {
		t.Fatal(err)
	}
	// Only the management account and the delegated administrator put rules.
	if _, err := devConfig.PutConfigRule(ctx, customRule("dev-rule", "cel-1.x.x", "true")); code(err) != "OrganizationAccessDeniedException" {
		t.Errorf("PutConfigRule from Dev: %v", err)
	}
	got, err := devConfig.DescribeConfigRules(ctx, &cfg.DescribeConfigRulesInput{ConfigRuleNames: []string{"app-owner"}})
	if err != nil {
		t.Fatal(err)
	}
	r := got.ConfigRules[0]
	if r.Source.Owner != cfgtypes.OwnerCustomPolicy || aws.ToString(r.Source.CustomPolicyDetails.PolicyText) != text ||
		aws.ToString(r.Source.CustomPolicyDetails.PolicyRuntime) != "cel-1.x.x" || r.Scope.ComplianceResourceTypes[0] != "AWS::IAM::Role" {
		t.Fatalf("described: %+v", r)
	}

	role, err := devIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app-orders"), PermissionsBoundary: aws.String("arn:aws:iam::" + dev + ":policy/DeveloperBoundary"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(role.Role.RoleId)
	if c, note := resultFor(t, devConfig, "app-owner", id); c != cfgtypes.ComplianceTypeNonCompliant || note != "the role has no owner tag" {
		t.Fatalf("an untagged app role: %s %q", c, note)
	}
	if c, _ := resultFor(t, devConfig, "app-owner", roleID(t, devIAM, "OrganizationAccountAccessRole")); c != cfgtypes.ComplianceTypeNotApplicable {
		t.Errorf("a role the rule does not apply to: %s", c)
	}
	if _, err := devIAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app-orders"), Tags: []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("orders-team")}}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := resultFor(t, devConfig, "app-owner", id); c != cfgtypes.ComplianceTypeCompliant {
		t.Fatalf("after TagRole: %s", c)
	}
}

func roleID(t *testing.T, cl *iam.Client, name string) string {
	t.Helper()
	out, err := cl.GetRole(servertest.Ctx(t), &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.RoleId)
}
