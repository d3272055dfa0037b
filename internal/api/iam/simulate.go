package iam

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// The policy simulator's reply types.

type position struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type matchedStatement struct {
	SourcePolicyID   string    `xml:"SourcePolicyId,omitempty"`
	SourcePolicyType string    `xml:"SourcePolicyType,omitempty"`
	StartPosition    *position `xml:"StartPosition,omitempty"`
	EndPosition      *position `xml:"EndPosition,omitempty"`
}

type organizationsDetail struct {
	AllowedByOrganizations bool `xml:"AllowedByOrganizations"`
}

type boundaryDetail struct {
	AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
}

type resourceSpecificResult struct {
	EvalResourceName                  string             `xml:"EvalResourceName"`
	EvalResourceDecision              string             `xml:"EvalResourceDecision"`
	MatchedStatements                 []matchedStatement `xml:"MatchedStatements>member"`
	MissingContextValues              []string           `xml:"MissingContextValues>member"`
	PermissionsBoundaryDecisionDetail *boundaryDetail    `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
}

type evaluationResult struct {
	EvalActionName                    string               `xml:"EvalActionName"`
	EvalResourceName                  string               `xml:"EvalResourceName"`
	EvalDecision                      string               `xml:"EvalDecision"`
	MatchedStatements                 []matchedStatement   `xml:"MatchedStatements>member"`
	MissingContextValues              []string             `xml:"MissingContextValues>member"`
	OrganizationsDecisionDetail       *organizationsDetail `xml:"OrganizationsDecisionDetail,omitempty"`
	PermissionsBoundaryDecisionDetail *boundaryDetail      `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
	ResourceSpecificResults           *resourceResults     `xml:"ResourceSpecificResults,omitempty"`
}

// resourceResults is a member list that is left out when there is none.
type resourceResults struct {
	Members []resourceSpecificResult `xml:"member"`
}

type simulateResult struct {
	EvaluationResults []evaluationResult `xml:"EvaluationResults>member"`
	pageInfo
}

// simInput is what SimulatePrincipalPolicy and SimulateCustomPolicy share.
type simInput struct {
	actions   []string
	resources []string
	context   map[string][]string
	owner     string // the resources' account, from ResourceOwner
	caller    *policy.Caller
	extra     []*policy.Policy // PolicyInputList
	boundary  []*policy.Policy // PermissionsBoundaryPolicyInputList
	resource  *policy.Policy   // ResourcePolicy
	texts     map[string]string
}

// contextKeyTypes are the ContextKeyType values of the API.
var contextKeyTypes = map[string]bool{"string": true, "stringList": true, "numeric": true, "numericList": true,
	"boolean": true, "booleanList": true, "ip": true, "ipList": true, "binary": true, "binaryList": true,
	"date": true, "dateList": true}

// readSimInput reads the simulator's common parameters.
func readSimInput(c *api.Call) (*simInput, error) {
	in := &simInput{context: map[string][]string{}, texts: map[string]string{}}
	in.actions = c.Params.List("ActionNames")
	if len(in.actions) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	for _, a := range in.actions {
		if n := utf8.RuneCountInString(a); n < 3 || n > 128 {
			return nil, validationf("1 validation error detected: Value '%s' at 'actionNames' failed to satisfy constraint: Member must have length between 3 and 128", a)
		}
		if !strings.Contains(a, ":") || strings.HasPrefix(a, ":") || strings.HasSuffix(a, ":") {
			return nil, awsproto.Errorf("InvalidInput", "Invalid action name %s: actions are service:Action, such as iam:CreateUser.", a)
		}
	}
	in.resources = c.Params.List("ResourceArns")
	if len(in.resources) == 0 {
		in.resources = []string{"*"}
	}
	for _, r := range in.resources {
		if n := utf8.RuneCountInString(r); n < 1 || n > 2048 {
			return nil, validationf("1 validation error detected: Value '%s' at 'resourceArns' failed to satisfy constraint: Member must have length between 1 and 2048", r)
		}
		if r != "*" {
			if _, err := arn.Parse(r); err != nil {
				return nil, awsproto.Errorf("InvalidInput", "Invalid resource ARN %s: %v", r, err)
			}
		}
	}
	for _, e := range c.Params.Structs("ContextEntries") {
		key := e["ContextKeyName"]
		if n := utf8.RuneCountInString(key); n < 5 || n > 256 {
			return nil, validationf("1 validation error detected: Value '%s' at 'contextEntries.member.contextKeyName' failed to satisfy constraint: Member must have length between 5 and 256", key)
		}
		if t, ok := e["ContextKeyType"]; ok && !contextKeyTypes[t] {
			return nil, validationf("1 validation error detected: Value '%s' at 'contextEntries.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]", t)
		}
		in.context[key] = append(in.context[key], listField(e, "ContextKeyValues")...)
	}
	for i, text := range c.Params.List("PolicyInputList") {
		name := "PolicyInputList." + strconv.Itoa(i+1)
		p, err := compileInput("policyInputList", name, text, policy.Identity)
		if err != nil {
			return nil, err
		}
		in.extra = append(in.extra, p)
		in.texts[name] = text
	}
	for i, text := range c.Params.List("PermissionsBoundaryPolicyInputList") {
		name := "PermissionsBoundaryPolicyInputList." + strconv.Itoa(i+1)
		p, err := compileInput("permissionsBoundaryPolicyInputList", name, text, policy.Boundary)
		if err != nil {
			return nil, err
		}
		in.boundary = append(in.boundary, p)
		in.texts[name] = text
	}
	if c.Params.Has("ResourcePolicy") {
		text := c.Params.Get("ResourcePolicy")
		p, err := compileInput("resourcePolicy", "ResourcePolicy", text, policy.Resource)
		if err != nil {
			return nil, err
		}
		in.resource = p
		in.texts["ResourcePolicy"] = text
	}
	if c.Params.Has("ResourceOwner") {
		owner := c.Params.Get("ResourceOwner")
		switch {
		case len(owner) == 12 && strings.Trim(owner, "0123456789") == "":
			in.owner = owner
		case strings.HasPrefix(owner, "arn:aws:iam::") && strings.HasSuffix(owner, ":root"):
			in.owner = strings.TrimSuffix(strings.TrimPrefix(owner, "arn:aws:iam::"), ":root")
		default:
			return nil, awsproto.Errorf("InvalidInput", "Invalid ResourceOwner %s: give an account ID or the account's root ARN.", owner)
		}
	}
	if c.Params.Has("CallerArn") {
		ca := c.Params.Get("CallerArn")
		caller, err := policy.ParseCaller(ca)
		if err != nil || caller.Kind != policy.CallerUser {
			return nil, awsproto.Errorf("InvalidInput", "Invalid CallerArn %s: the simulated caller must be an IAM user.", ca)
		}
		in.caller = &caller
	}
	return in, nil
}

// listField returns the members of a list inside a structure of a list:
// Field.member.N, in N order.
func listField(e map[string]string, field string) []string {
	type kv struct {
		n int
		v string
	}
	var items []kv
	for k, v := range e {
		rest, ok := strings.CutPrefix(k, field+".member.")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil {
			continue
		}
		items = append(items, kv{n, v})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

func compileInput(param, name, text string, t policy.Type) (*policy.Policy, error) {
	if err := checkDocument(param, text, t); err != nil {
		return nil, err
	}
	return policy.ParseAndCompile([]byte(text), name, t, name)
}

// decisionName is the simulator's name of a decision.
func decisionName(d eval.Decision) string {
	switch d {
	case eval.Allow:
		return "allowed"
	case eval.ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// result words the outcome of one simulated request.
func (in *simInput) result(req *eval.Request, inputs *eval.Inputs, e eval.Explanation, inOrg bool) evaluationResult {
	res := evaluationResult{EvalActionName: req.ActionName, EvalResourceName: req.Resource.Raw,
		EvalDecision: decisionName(e.Decision), MatchedStatements: []matchedStatement{},
		MissingContextValues: missingContext(req, inputs)}
	if e.Decision != eval.ImplicitDeny {
		for _, r := range e.Reasons {
			if r.Layer == eval.LayerSCP || r.Layer == eval.LayerRCP {
				continue // organization policies are not the account's to see
			}
			if e.Decision == eval.ExplicitDeny && r.Effect != policy.Deny {
				continue
			}
			res.MatchedStatements = append(res.MatchedStatements, in.matched(r))
		}
	}
	if inOrg {
		res.OrganizationsDecisionDetail = &organizationsDetail{AllowedByOrganizations: scpsAllow(req, inputs.SCP)}
	}
	if len(inputs.Boundary) > 0 {
		res.PermissionsBoundaryDecisionDetail = &boundaryDetail{AllowedByPermissionsBoundary: policiesAllow(req, inputs.Boundary)}
	}
	if req.Resource.Raw != "*" {
		res.ResourceSpecificResults = &resourceResults{Members: []resourceSpecificResult{{EvalResourceName: res.EvalResourceName,
			EvalResourceDecision: res.EvalDecision, MatchedStatements: res.MatchedStatements,
			MissingContextValues: res.MissingContextValues, PermissionsBoundaryDecisionDetail: res.PermissionsBoundaryDecisionDetail}}}
	}
	return res
}

// policiesAllow reports whether policies allow a request on their own: a
// matching Allow and no matching Deny.
func policiesAllow(req *eval.Request, ps []*policy.Policy) bool {
	allow := false
	for _, p := range ps {
		for _, s := range p.Statements {
			if !s.Matches(&req.Action, &req.Resource, req.Context) {
				continue
			}
			if s.Effect == policy.Deny {
				return false
			}
			allow = true
		}
	}
	return allow
}

// scpsAllow reports whether the SCP levels allow a request: an Allow at
// every level and a Deny at none. No levels (the management account) allow.
func scpsAllow(req *eval.Request, levels []eval.Level) bool {
	for _, l := range levels {
		if !policiesAllow(req, l.Policies) {
			return false
		}
	}
	return true
}

// missingContext lists the condition keys of the statements that apply to
// the request's action and resource that the request's context lacks.
func missingContext(req *eval.Request, in *eval.Inputs) []string {
	seen := map[string]bool{}
	out := []string{}
	scan := func(ps []*policy.Policy) {
		for _, p := range ps {
			for _, s := range p.Statements {
				if !s.MatchesAction(&req.Action) || !s.MatchesResource(&req.Resource, req.Context) {
					continue
				}
				for _, ce := range s.Src.Condition {
					lk := strings.ToLower(ce.Key)
					if _, ok := req.Context.Get(lk); ok || seen[lk] {
						continue
					}
					seen[lk] = true
					out = append(out, ce.Key)
				}
			}
		}
	}
	scan(in.Identity)
	scan(in.Boundary)
	scan(in.Session)
	scan(in.Resource)
	for _, l := range in.SCP {
		scan(l.Policies)
	}
	sort.Strings(out)
	return out
}

// matched words a deciding statement: its policy's ID and type as IAM names
// them, and where the statement is in the policy's text as IAM returns it.
func (in *simInput) matched(r eval.Reason) matchedStatement {
	id, typ := sourcePolicy(r)
	ms := matchedStatement{SourcePolicyID: id, SourcePolicyType: typ}
	if text, ok := in.texts[r.Policy.Name]; ok {
		if start, end, ok := statementSpan(text, r.Statement.Src.Index); ok {
			ms.StartPosition, ms.EndPosition = &start, &end
		}
	} else if p := r.Statement.Src.Pos; p.IsValid() {
		ms.StartPosition = &position{Line: p.Line, Column: p.Col}
	}
	return ms
}

// sourcePolicy names a policy as the simulator does (SourcePolicyId) with
// its type: user, group or role for inline policies, aws-managed or
// user-managed for managed ones, resource for a resource policy, none for
// the policies given in the request.
func sourcePolicy(r eval.Reason) (id, typ string) {
	name := r.Policy.Name
	switch {
	case strings.HasPrefix(name, "PolicyInputList.") || strings.HasPrefix(name, "PermissionsBoundaryPolicyInputList."):
		return name, "none"
	case name == "ResourcePolicy":
		return name, "resource"
	case strings.HasPrefix(name, "resource "):
		return strings.TrimPrefix(name, "resource "), "resource"
	case strings.HasPrefix(name, awsManagedPrefix):
		_, n := splitPolicyARN(name)
		return n, "aws-managed"
	case strings.HasPrefix(name, "arn:aws:iam::") && strings.Contains(name, ":policy/"):
		_, n := splitPolicyARN(name)
		return n, "user-managed"
	case strings.HasPrefix(name, "permission set ") && strings.HasSuffix(name, " inline"):
		return ssoInlineName, "role"
	}
	for _, kind := range []string{"role", "user", "group"} {
		if rest, ok := strings.CutPrefix(name, kind+" "); ok {
			if _, pn, ok := strings.Cut(rest, " inline "); ok {
				return pn, kind
			}
			if strings.HasSuffix(rest, " trust") {
				return "AssumeRolePolicyDocument", "resource"
			}
		}
	}
	if r.Layer == eval.LayerResource || r.Layer == eval.LayerTrust {
		return name, "resource"
	}
	return name, "none"
}

// statementSpan returns where statement index of a policy text starts (its
// opening brace) and ends (just after its closing brace), in lines and
// columns counted in characters from 1.
func statementSpan(text string, index int) (start, end position, ok bool) {
	doc, err := policy.Parse([]byte(text), "")
	if err != nil || index < 0 || index >= len(doc.Statements) {
		return position{}, position{}, false
	}
	p := doc.Statements[index].Pos
	lines := policy.NewSource([]byte(text))
	off := lines.Offset(p.Line, p.Col)
	if off < 0 || off >= len(text) || text[off] != '{' {
		return position{}, position{}, false
	}
	close := matchingBrace(text, off)
	if close < 0 {
		return position{}, position{}, false
	}
	e := lines.Pos(int64(close + 1))
	return position{Line: p.Line, Column: p.Col}, position{Line: e.Line, Column: e.Col}, true
}

// matchingBrace returns the offset of the brace that closes the object
// opening at off, skipping strings.
func matchingBrace(text string, off int) int {
	depth, inString, escaped := 0, false, false
	for i := off; i < len(text); i++ {
		ch := text[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '{' || ch == '[':
			depth++
		case ch == '}' || ch == ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
