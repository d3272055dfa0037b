package configservice_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/server/servertest"
)

const (
	mgmt     = "104729381562"
	security = "218364950271"
	dev      = "436205817493"
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// assume returns credentials of a session of OrganizationAccountAccessRole
// in an account, made with the admin's.
func assume(t *testing.T, h *servertest.Harness, account string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(h.Config("", "", "")).AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("config-test")})
	if err != nil {
		t.Fatalf("AssumeRole in %s: %v", account, err)
	}
	c := out.Credentials
	return h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func ruleCompliance(t *testing.T, cl *cfg.Client, rule string) cfgtypes.ComplianceType {
	t.Helper()
	out, err := cl.DescribeComplianceByConfigRule(servertest.Ctx(t), &cfg.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{rule}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ComplianceByConfigRules) != 1 {
		t.Fatalf("ComplianceByConfigRules: %+v", out.ComplianceByConfigRules)
	}
	return out.ComplianceByConfigRules[0].Compliance.ComplianceType
}

// An admin-access policy created in Dev through IAM turns
// iam-policy-no-statements-with-admin-access NON_COMPLIANT for it, in Dev
// and in the Security account's organization aggregator; deleting it
// resolves both.
func TestAdminPolicyLifecycleWithTheSDK(t *testing.T) {
	h := servertest.Start(t, servertest.Options{TrailOwner: security})
	ctx := servertest.Ctx(t)
	devCfg := assume(t, h, dev)
	devConfig, devIAM := cfg.NewFromConfig(devCfg), iam.NewFromConfig(devCfg)
	secConfig := cfg.NewFromConfig(assume(t, h, security))
	const rule = "iam-policy-no-statements-with-admin-access"

	// The organization's rules are listed in every account.
	rules, err := devConfig.DescribeConfigRules(ctx, &cfg.DescribeConfigRulesInput{ConfigRuleNames: []string{rule}})
	if err != nil {
		t.Fatal(err)
	}
	r := rules.ConfigRules[0]
	if aws.ToString(r.Source.SourceIdentifier) != "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS" || r.Source.Owner != cfgtypes.OwnerAws ||
		aws.ToString(r.ConfigRuleArn) != "arn:aws:config:us-east-1:"+dev+":config-rule/"+aws.ToString(r.ConfigRuleId) {
		t.Fatalf("rule = %+v", r)
	}
	if got := ruleCompliance(t, devConfig, rule); got != cfgtypes.ComplianceTypeCompliant {
		t.Fatalf("before: %s", got)
	}
	if _, err := secConfig.PutConfigurationAggregator(ctx, &cfg.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String("arn:aws:iam::" + security + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"), AllAwsRegions: true}}); err != nil {
		t.Fatal(err)
	}

	p, err := devIAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("TooMuch"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	policyID := aws.ToString(p.Policy.PolicyId)
	if got := ruleCompliance(t, devConfig, rule); got != cfgtypes.ComplianceTypeNonCompliant {
		t.Fatalf("after CreatePolicy: %s", got)
	}
	details, err := devConfig.GetComplianceDetailsByResource(ctx, &cfg.GetComplianceDetailsByResourceInput{
		ResourceType: aws.String("AWS::IAM::Policy"), ResourceId: aws.String(policyID)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range details.EvaluationResults {
		q := e.EvaluationResultIdentifier.EvaluationResultQualifier
		if aws.ToString(q.ConfigRuleName) == rule && e.ComplianceType == cfgtypes.ComplianceTypeNonCompliant && aws.ToString(q.ResourceId) == policyID {
			found = true
		}
	}
	if !found {
		t.Fatalf("no NON_COMPLIANT result for policy %s: %+v", policyID, details.EvaluationResults)
	}
	agg, err := secConfig.GetAggregateComplianceDetailsByConfigRule(ctx, &cfg.GetAggregateComplianceDetailsByConfigRuleInput{
		ConfigurationAggregatorName: aws.String("org"), ConfigRuleName: aws.String(rule), AccountId: aws.String(dev), AwsRegion: aws.String("us-east-1"),
		ComplianceType: cfgtypes.ComplianceTypeNonCompliant})
	if err != nil {
		t.Fatal(err)
	}
	if len(agg.AggregateEvaluationResults) != 1 || aws.ToString(agg.AggregateEvaluationResults[0].EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId) != policyID ||
		aws.ToString(agg.AggregateEvaluationResults[0].AccountId) != dev {
		t.Fatalf("aggregate results: %+v", agg.AggregateEvaluationResults)
	}
	// The management account's own view does not see Dev's policy.
	if got := ruleCompliance(t, cfg.NewFromConfig(h.Config("", "", "")), rule); got == cfgtypes.ComplianceTypeNonCompliant {
		t.Errorf("management account's view: %s", got)
	}

	if _, err := devIAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if got := ruleCompliance(t, devConfig, rule); got != cfgtypes.ComplianceTypeCompliant {
		t.Fatalf("after DeletePolicy: %s", got)
	}
	agg, err = secConfig.GetAggregateComplianceDetailsByConfigRule(ctx, &cfg.GetAggregateComplianceDetailsByConfigRuleInput{
		ConfigurationAggregatorName: aws.String("org"), ConfigRuleName: aws.String(rule), AccountId: aws.String(dev), AwsRegion: aws.String("us-east-1"),
		ComplianceType: cfgtypes.ComplianceTypeNonCompliant})
	if err != nil || len(agg.AggregateEvaluationResults) != 0 {
		t.Fatalf("aggregate after delete: %v %+v", err, agg)
	}
}

func TestRulesAdministration(t *testing.T) {
	h := servertest.Start(t, servertest.Options{TrailOwner: security})
	ctx := servertest.Ctx(t)
	admin := cfg.NewFromConfig(h.Config("", "", ""))
	devConfig := cfg.NewFromConfig(assume(t, h, dev))

	// A rule with parameters, from the management account.
	put := &cfg.PutConfigRuleInput{ConfigRule: &cfgtypes.ConfigRule{ConfigRuleName: aws.String("roles-have-audit"),
		Source:          &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("IAM_ROLE_MANAGED_POLICY_CHECK")},
		InputParameters: aws.String(`{"managedPolicyArns":"arn:aws:iam::aws:policy/SecurityAudit"}`)}}
	if _, err := admin.PutConfigRule(ctx, put); err != nil {
		t.Fatal(err)
	}
	// The same from a member account is refused: organization rules are
	// the management account's or the delegated administrator's.
	if _, err := devConfig.PutConfigRule(ctx, put); code(err) != "OrganizationAccessDeniedException" {
		t.Errorf("PutConfigRule from Dev: %v", err)
	}
	// Parameters are checked as AWS checks them.
	bad := *put.ConfigRule
	bad.ConfigRuleName, bad.InputParameters = aws.String("bad"), aws.String(`{}`)
	if _, err := admin.PutConfigRule(ctx, &cfg.PutConfigRuleInput{ConfigRule: &bad}); code(err) != "InvalidParameterValueException" {
		t.Errorf("missing managedPolicyArns: %v", err)
	}
	unknown := *put.ConfigRule
	unknown.ConfigRuleName, unknown.Source = aws.String("unknown"), &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("NOT_A_RULE")}
	if _, err := admin.PutConfigRule(ctx, &cfg.PutConfigRuleInput{ConfigRule: &unknown}); code(err) != "InvalidParameterValueException" {
		t.Errorf("unknown identifier: %v", err)
	}

	// Dev sees the new rule and its results: DeveloperRole lacks SecurityAudit.
	out, err := devConfig.GetComplianceDetailsByConfigRule(ctx, &cfg.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("roles-have-audit"),
		ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeNonCompliant}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) == 0 {
		t.Fatal("no non-compliant role in Dev")
	}
	for _, e := range out.EvaluationResults {
		if q := e.EvaluationResultIdentifier.EvaluationResultQualifier; aws.ToString(q.ResourceType) != "AWS::IAM::Role" || len(aws.ToString(q.ResourceId)) < 4 || aws.ToString(q.ResourceId)[:4] != "AROA" {
			t.Errorf("result names %s %s, want a RoleId", aws.ToString(q.ResourceType), aws.ToString(q.ResourceId))
		}
	}
	st, err := devConfig.DescribeConfigRuleEvaluationStatus(ctx, &cfg.DescribeConfigRuleEvaluationStatusInput{ConfigRuleNames: []string{"roles-have-audit"}})
	if err != nil || len(st.ConfigRulesEvaluationStatus) != 1 || !st.ConfigRulesEvaluationStatus[0].FirstEvaluationStarted ||
		st.ConfigRulesEvaluationStatus[0].LastSuccessfulEvaluationTime == nil {
		t.Fatalf("evaluation status: %v %+v", err, st)
	}
	if _, err := devConfig.StartConfigRulesEvaluation(ctx, &cfg.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"roles-have-audit"}}); err != nil {
		t.Fatal(err)
	}

	// Delete it; then it is gone everywhere.
	if _, err := admin.DeleteConfigRule(ctx, &cfg.DeleteConfigRuleInput{ConfigRuleName: aws.String("roles-have-audit")}); err != nil {
		t.Fatal(err)
	}
	if _, err := devConfig.DescribeConfigRules(ctx, &cfg.DescribeConfigRulesInput{ConfigRuleNames: []string{"roles-have-audit"}}); code(err) != "NoSuchConfigRuleException" {
		t.Errorf("deleted rule: %v", err)
	}
	if _, err := admin.DeleteConfigRule(ctx, &cfg.DeleteConfigRuleInput{ConfigRuleName: aws.String("roles-have-audit")}); code(err) != "NoSuchConfigRuleException" {
		t.Errorf("deleting twice: %v", err)
	}
	// Pagination: DescribeConfigRules pages by 25 at most.
	all, err := admin.DescribeConfigRules(ctx, &cfg.DescribeConfigRulesInput{})
	if err != nil || len(all.ConfigRules) == 0 {
		t.Fatalf("DescribeConfigRules: %v", err)
	}
	if _, err := admin.DescribeConfigRules(ctx, &cfg.DescribeConfigRulesInput{NextToken: aws.String("garbage")}); code(err) != "InvalidNextTokenException" {
		t.Errorf("bad token: %v", err)
	}
}
