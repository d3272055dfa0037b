package configservice

import "github.com/securecart/warden/internal/api"

// New declares AWS Config to the server.
func New(d *api.Deps) *api.Descriptor {
	s := newService(d)
	return &api.Descriptor{
		Name:           "config",
		SigningName:    "config",
		EventSource:    "config.amazonaws.com",
		Protocol:       api.JSON,
		APIVersion:     "2014-11-12",
		TargetPrefixes: []string{"StarlingDoveService"},
		JSONVersion:    "1.1",
		Handlers: map[string]api.Handler{
			"PutConfigRule":                             s.PutConfigRule,
			"DescribeConfigRules":                       s.DescribeConfigRules,
			"DeleteConfigRule":                          s.DeleteConfigRule,
			"StartConfigRulesEvaluation":                s.StartConfigRulesEvaluation,
			"DescribeConfigRuleEvaluationStatus":        s.DescribeConfigRuleEvaluationStatus,
			"DescribeComplianceByConfigRule":            s.DescribeComplianceByConfigRule,
			"DescribeComplianceByResource":              s.DescribeComplianceByResource,
			"GetComplianceDetailsByConfigRule":          s.GetComplianceDetailsByConfigRule,
			"GetComplianceDetailsByResource":            s.GetComplianceDetailsByResource,
			"PutConfigurationAggregator":                s.PutConfigurationAggregator,
			"DescribeConfigurationAggregators":          s.DescribeConfigurationAggregators,
			"DeleteConfigurationAggregator":             s.DeleteConfigurationAggregator,
			"GetAggregateComplianceDetailsByConfigRule": s.GetAggregateComplianceDetailsByConfigRule,
			"DescribeAggregateComplianceByConfigRules":  s.DescribeAggregateComplianceByConfigRules,
			"GetResourceConfigHistory":                  s.GetResourceConfigHistory,
		},
	}
}
