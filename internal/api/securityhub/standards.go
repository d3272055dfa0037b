package securityhub

import (
	"context"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/compliance"
)

// The standards whose IAM controls Warden checks, backed by the Config
// rules of internal/compliance.

type standard struct {
	arn, subscription, name, description string
	controlOf                            func(r *compliance.ManagedRule) string
}

// cisControls are the CIS AWS Foundations Benchmark v1.2.0 controls the
// managed rules back (https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html).
var cisControls = map[string]string{
	"MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS":         "1.2",
	"IAM_USER_UNUSED_CREDENTIALS_CHECK":          "1.3",
	"ACCESS_KEYS_ROTATED":                        "1.4",
	"IAM_ROOT_ACCESS_KEY_CHECK":                  "1.12",
	"ROOT_ACCOUNT_MFA_ENABLED":                   "1.13",
	"IAM_USER_NO_POLICIES_CHECK":                 "1.16",
	"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS": "1.22",
	"MULTI_REGION_CLOUD_TRAIL_ENABLED":           "2.1",
	"CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED":    "2.2",
}

var standards = []standard{
	{arn: "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
		subscription: "aws-foundational-security-best-practices/v/1.0.0",
		name:         "AWS Foundational Security Best Practices v1.0.0",
		description:  "The AWS Foundational Security Best Practices standard: the IAM, KMS, CloudTrail and S3 controls Warden checks.",
		controlOf: func(r *compliance.ManagedRule) string {
			if len(r.Controls) > 0 {
				return r.Controls[0]
			}
			return ""
		}},
	{arn: "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
		subscription: "cis-aws-foundations-benchmark/v/1.2.0",
		name:         "CIS AWS Foundations Benchmark v1.2.0",
		description:  "The Center for Internet Security AWS Foundations Benchmark v1.2.0: the identity and logging controls Warden checks.",
		controlOf:    func(r *compliance.ManagedRule) string { return cisControls[r.Identifier] }},
}

// DescribeStandards lists the standards.
func (s *service) DescribeStandards(ctx context.Context, c *api.Call) (any, error) {
	if err := s.authz.Authorize(ctx, c, "securityhub:DescribeStandards", hubARN(c), nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	type std struct {
		StandardsArn     string `json:"StandardsArn"`
		Name             string `json:"Name"`
		Description      string `json:"Description"`
		EnabledByDefault bool   `json:"EnabledByDefault"`
	}
	out := struct {
		Standards []std `json:"Standards"`
	}{}
	for _, st := range standards {
		out.Standards = append(out.Standards, std{st.arn, st.name, st.description, true})
	}
	return out, nil
}

func subscriptionARN(c *api.Call, st standard) string {
	return "arn:aws:securityhub:" + c.Region + ":" + c.Identity.Account + ":subscription/" + st.subscription
}

// GetEnabledStandards lists the standards enabled in the caller's account:
// both, in every account of the organization.
func (s *service) GetEnabledStandards(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		StandardsSubscriptionArns []string `json:"StandardsSubscriptionArns"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "securityhub:GetEnabledStandards", hubARN(c), nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	type sub struct {
		StandardsSubscriptionArn string   `json:"StandardsSubscriptionArn"`
		StandardsArn             string   `json:"StandardsArn"`
		StandardsInput           struct{} `json:"StandardsInput"`
		StandardsStatus          string   `json:"StandardsStatus"`
	}
	out := struct {
		StandardsSubscriptions []sub `json:"StandardsSubscriptions"`
	}{StandardsSubscriptions: []sub{}}
	for _, st := range standards {
		arn := subscriptionARN(c, st)
		if len(in.StandardsSubscriptionArns) > 0 && !contains(in.StandardsSubscriptionArns, arn) {
			continue
		}
		out.StandardsSubscriptions = append(out.StandardsSubscriptions, sub{StandardsSubscriptionArn: arn, StandardsArn: st.arn, StandardsStatus: "READY"})
	}
	return out, nil
}

// DescribeStandardsControls lists a subscription's controls.
func (s *service) DescribeStandardsControls(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		StandardsSubscriptionArn string `json:"StandardsSubscriptionArn"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "securityhub:DescribeStandardsControls", hubARN(c), nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	type control struct {
		StandardsControlArn string   `json:"StandardsControlArn"`
		ControlStatus       string   `json:"ControlStatus"`
		ControlID           string   `json:"ControlId"`
		Title               string   `json:"Title"`
		Description         string   `json:"Description"`
		RemediationURL      string   `json:"RemediationUrl"`
		SeverityRating      string   `json:"SeverityRating"`
		RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
	}
	for _, st := range standards {
		if subscriptionARN(c, st) != in.StandardsSubscriptionArn {
			continue
		}
		out := struct {
			Controls []control `json:"Controls"`
		}{Controls: []control{}}
		for _, r := range compliance.ManagedRules() {
			id := st.controlOf(r)
			if id == "" {
				continue
			}
			out.Controls = append(out.Controls, control{
				StandardsControlArn: "arn:aws:securityhub:" + c.Region + ":" + c.Identity.Account + ":control/" + strings.TrimPrefix(st.subscription, "") + "/" + id,
				ControlStatus:       "ENABLED", ControlID: id, Title: r.Description, Description: r.Description + " (AWS Config rule " + r.Name + ")",
				RemediationURL: r.Page, SeverityRating: r.Severity})
		}
		sort.Slice(out.Controls, func(i, j int) bool { return controlLess(out.Controls[i].ControlID, out.Controls[j].ControlID) })
		return out, nil
	}
	return nil, errf("ResourceNotFoundException", 404, "No standards subscription %s in account %s", in.StandardsSubscriptionArn, c.Identity.Account)
}

// controlLess orders control IDs by their numbers (IAM.2 before IAM.21).
func controlLess(a, b string) bool {
	pa, pb := strings.FieldsFunc(a, isSep), strings.FieldsFunc(b, isSep)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		if len(pa[i]) != len(pb[i]) && isNum(pa[i]) && isNum(pb[i]) {
			return len(pa[i]) < len(pb[i])
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func isSep(r rune) bool { return r == '.' }

func isNum(s string) bool { return strings.Trim(s, "0123456789") == "" }

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// GetInsightResults counts the matching findings by the insight's
// grouping attribute.
func (s *service) GetInsightResults(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		InsightArn string `json:"InsightArn"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := s.authz.Authorize(ctx, c, "securityhub:GetInsightResults", hubARN(c), nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	x, ok, err := s.insightOf(ctx, in.InsightArn)
	if err != nil {
		return nil, err
	}
	if !ok || !strings.Contains(x.ARN, ":"+c.Identity.Account+":insight/") {
		return nil, errf("ResourceNotFoundException", 404, "No insight %s", in.InsightArn)
	}
	match, err := compileFilters(x.Filters, s.now())
	if err != nil {
		return nil, err
	}
	all, err := s.visible(ctx, c)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	get := stringFields[x.GroupBy]
	for _, f := range all {
		if match(f) {
			for _, v := range get(f) {
				counts[v]++
			}
		}
	}
	type value struct {
		GroupByAttributeValue string `json:"GroupByAttributeValue"`
		Count                 int    `json:"Count"`
	}
	res := struct {
		InsightArn       string  `json:"InsightArn"`
		GroupByAttribute string  `json:"GroupByAttribute"`
		ResultValues     []value `json:"ResultValues"`
	}{InsightArn: x.ARN, GroupByAttribute: x.GroupBy, ResultValues: []value{}}
	for _, k := range sortedKeys(counts) {
		res.ResultValues = append(res.ResultValues, value{k, counts[k]})
	}
	sort.SliceStable(res.ResultValues, func(i, j int) bool { return res.ResultValues[i].Count > res.ResultValues[j].Count })
	return struct {
		InsightResults any `json:"InsightResults"`
	}{res}, nil
}
