package accessanalyzer

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// New declares Access Analyzer to the server.
func New(d *api.Deps) *api.Descriptor {
	s := newService(d)
	uri := func(member string) api.Binding { return api.Binding{Member: member, Location: api.InURI, Name: member} }
	query := func(member, typ string) api.Binding {
		return api.Binding{Member: member, Location: api.InQueryString, Name: member, Type: typ}
	}
	var background func(ctx context.Context)
	if d.Store != nil {
		background = s.work
	}
	return &api.Descriptor{
		Background:  background,
		Name:        "access-analyzer",
		SigningName: "access-analyzer",
		Protocol:    api.RESTJSON,
		APIVersion:  "2019-11-01",
		Handlers:    s.handlers(),
		Routes: map[string]api.Route{
			"ValidatePolicy":        {Method: "POST", RequestURI: "/policy/validation", Bindings: []api.Binding{query("maxResults", "integer"), query("nextToken", "")}},
			"CheckNoPublicAccess":   {Method: "POST", RequestURI: "/policy/check-no-public-access"},
			"CheckAccessNotGranted": {Method: "POST", RequestURI: "/policy/check-access-not-granted"},
			"CheckNoNewAccess":      {Method: "POST", RequestURI: "/policy/check-no-new-access"},
			"CreateAnalyzer":        {Method: "PUT", RequestURI: "/analyzer"},
			"GetAnalyzer":           {Method: "GET", RequestURI: "/analyzer/{analyzerName}", Bindings: []api.Binding{uri("analyzerName")}},
			"ListAnalyzers":         {Method: "GET", RequestURI: "/analyzer", Bindings: []api.Binding{query("nextToken", ""), query("maxResults", "integer"), query("type", "")}},
			"DeleteAnalyzer":        {Method: "DELETE", RequestURI: "/analyzer/{analyzerName}", Bindings: []api.Binding{uri("analyzerName"), query("clientToken", "")}},
			"ListFindings":          {Method: "POST", RequestURI: "/finding"},
			"ListFindingsV2":        {Method: "POST", RequestURI: "/findingv2"},
			"GetFinding":            {Method: "GET", RequestURI: "/finding/{id}", Bindings: []api.Binding{uri("id"), query("analyzerArn", "")}},
			"GetFindingV2":          {Method: "GET", RequestURI: "/findingv2/{id}", Bindings: []api.Binding{uri("id"), query("analyzerArn", ""), query("maxResults", "integer"), query("nextToken", "")}},
			"UpdateFindings":        {Method: "PUT", RequestURI: "/finding"},
			"CreateArchiveRule":     {Method: "PUT", RequestURI: "/analyzer/{analyzerName}/archive-rule", Bindings: []api.Binding{uri("analyzerName")}},
			"GetArchiveRule":        {Method: "GET", RequestURI: "/analyzer/{analyzerName}/archive-rule/{ruleName}", Bindings: []api.Binding{uri("analyzerName"), uri("ruleName")}},
			"ListArchiveRules":      {Method: "GET", RequestURI: "/analyzer/{analyzerName}/archive-rule", Bindings: []api.Binding{uri("analyzerName"), query("nextToken", ""), query("maxResults", "integer")}},
			"UpdateArchiveRule":     {Method: "PUT", RequestURI: "/analyzer/{analyzerName}/archive-rule/{ruleName}", Bindings: []api.Binding{uri("analyzerName"), uri("ruleName")}},
			"DeleteArchiveRule":     {Method: "DELETE", RequestURI: "/analyzer/{analyzerName}/archive-rule/{ruleName}", Bindings: []api.Binding{uri("analyzerName"), uri("ruleName"), query("clientToken", "")}},
			"ApplyArchiveRule":      {Method: "PUT", RequestURI: "/archive-rule"},
		},
		Stateless: []string{"ValidatePolicy", "CheckNoPublicAccess", "CheckAccessNotGranted", "CheckNoNewAccess"},
		ErrorStatus: map[string]int{
			"ResourceNotFoundException": 404, "ConflictException": 409, "ValidationException": 400,
			"AccessDeniedException": 403, "ServiceQuotaExceededException": 402, "InternalServerException": 500,
			"ThrottlingException": 429,
		},
	}
}
