package securityhub

import "github.com/securecart/warden/internal/api"

// New declares Security Hub to the server.
func New(d *api.Deps) *api.Descriptor {
	s := newService(d)
	return &api.Descriptor{
		Name:       "securityhub",
		Protocol:   api.RESTJSON,
		APIVersion: "2018-10-26",
		Handlers: map[string]api.Handler{
			"GetFindings": s.GetFindings, "BatchImportFindings": s.BatchImportFindings, "BatchUpdateFindings": s.BatchUpdateFindings,
			"DescribeStandards": s.DescribeStandards, "GetEnabledStandards": s.GetEnabledStandards,
			"DescribeStandardsControls": s.DescribeStandardsControls,
			"CreateInsight":             s.CreateInsight, "GetInsights": s.GetInsights, "GetInsightResults": s.GetInsightResults,
		},
		Routes: map[string]api.Route{
			"GetFindings":         {Method: "POST", RequestURI: "/findings"},
			"BatchImportFindings": {Method: "POST", RequestURI: "/findings/import"},
			"BatchUpdateFindings": {Method: "PATCH", RequestURI: "/findings/batchupdate"},
			"DescribeStandards":   {Method: "GET", RequestURI: "/standards", Bindings: []api.Binding{{Member: "NextToken", Location: api.InQueryString, Name: "NextToken"}, {Member: "MaxResults", Location: api.InQueryString, Name: "MaxResults", Type: "integer"}}},
			"GetEnabledStandards": {Method: "POST", RequestURI: "/standards/get"},
			"DescribeStandardsControls": {Method: "GET", RequestURI: "/standards/controls/{StandardsSubscriptionArn+}",
				Bindings: []api.Binding{{Member: "NextToken", Location: api.InQueryString, Name: "NextToken"}, {Member: "MaxResults", Location: api.InQueryString, Name: "MaxResults", Type: "integer"}}},
			"CreateInsight":     {Method: "POST", RequestURI: "/insights"},
			"GetInsights":       {Method: "POST", RequestURI: "/insights/get"},
			"GetInsightResults": {Method: "GET", RequestURI: "/insights/results/{InsightArn+}"},
		},
		ErrorStatus: map[string]int{"InvalidInputException": 400, "ResourceNotFoundException": 404, "ResourceConflictException": 409,
			"AccessDeniedException": 403, "InvalidAccessException": 401, "LimitExceededException": 429, "InternalException": 500},
		Background: s.watch,
	}
}
