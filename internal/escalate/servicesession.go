package escalate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// A session an AWS service makes for a role passed to it (a Lambda
// function's execution role, an EC2 instance profile's role, an ECS task
// role, a Glue job's role, a CloudFormation stack's service role, ...) is
// the service's own sts:AssumeRole: no person signs in to it, so it has no
// MFA (aws:MultiFactorAuthPresent is present, as in every request signed
// with temporary credentials, and false; no aws:MultiFactorAuthAge), no
// source identity (the service sets none) and no session tags (its
// principal tags are its role's own). Its principal is the assumed-role
// session the service names: the function's name for Lambda, the
// instance's ID for EC2, ... (serviceSessionName). What the role's admin
// power, a grant it makes or the next hop requires is decided under that
// session; a chain of assumptions from it starts anew with its properties.
//
// AWS documentation: "AWS global condition context keys"
// (aws:MultiFactorAuthPresent, aws:SourceIdentity, aws:PrincipalTag),
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html;
// "AWS condition keys that can be used in API Gateway resource policies"
// (aws:MultiFactorAuthPresent "is present only in requests that are signed
// using temporary security credentials"),
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-aws-condition-keys.html;
// "Defining Lambda function permissions with an execution role" (Lambda
// assumes the execution role when the function is invoked),
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html.

// serviceSession is the session a service makes for an edge's role.
type serviceSession struct {
	service string // the service principal
	name    string // the session name the service gives it
}

// serviceSessionName is the session name a service gives the role session
// it makes for a workload (workload its ARN; "" for a new one the caller
// creates): the function's name for Lambda, the instance's ID for EC2, the
// task's ID for ECS, and the names CloudFormation, Glue, SageMaker and
// CodeBuild use.
func serviceSessionName(service, workload string) string {
	res := ""
	if a, err := arn.Parse(workload); err == nil {
		res = a.Resource
	}
	switch service {
	case "lambda.amazonaws.com":
		if name, ok := strings.CutPrefix(res, "function:"); ok {
			return strings.SplitN(name, ":", 2)[0]
		}
		return "warden-escalation"
	case "ec2.amazonaws.com":
		if id, ok := strings.CutPrefix(res, "instance/"); ok {
			return id
		}
		return "i-0123456789abcdef0"
	case "ecs-tasks.amazonaws.com":
		return "0123456789abcdef0123456789abcdef"
	case "cloudformation.amazonaws.com":
		return "AWSCloudFormation"
	case "glue.amazonaws.com":
		return "GlueJobRunnerSession"
	case "sagemaker.amazonaws.com":
		return "SageMaker"
	case "codebuild.amazonaws.com":
		return "AWSCodeBuild-01234567-89ab-cdef-0123-456789abcdef"
	}
	return roleSession
}

// caller is the ARN the session's requests are made as.
func (s *serviceSession) caller(to *Node) string {
	return "arn:aws:sts::" + to.Account.ID + ":assumed-role/" + to.Role.Name + "/" + s.name
}

// sess is a session's keys, under which a node's requests are decided: a
// service's session for a role, or one a chain of assumptions made.
type sess struct {
	caller string              // the ARN its requests are made as ("": the node's own)
	ctx    map[string][]string // its session keys (see reach.LinkOptions.Check)
	key    string              // for caches
}

// sessionKeys are the keys of a session that are absent when ctx lacks
// them (a principal tag it lacks is its role's own).
var sessionKeys = []string{"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:SourceIdentity"}

func newSess(caller string, ctx map[string][]string) *sess {
	ks := make([]string, 0, len(ctx))
	for k, v := range ctx {
		ks = append(ks, strings.ToLower(k)+"="+strings.Join(v, ","))
	}
	sort.Strings(ks)
	return &sess{caller: caller, ctx: ctx, key: caller + "|" + strings.Join(ks, ";")}
}

// serviceSess is the service's session for to.
func serviceSess(s *serviceSession, to *Node) *sess {
	return newSess(s.caller(to), map[string][]string{"aws:MultiFactorAuthPresent": {"false"}})
}

// fixedIn adds the session's keys to a request's fixed keys: those it has
// with their values, the others of sessionKeys absent (nil).
func (s *sess) fixedIn(fixed map[string][]string) (query, classes map[string][]string) {
	query = make(map[string][]string, len(fixed)+len(s.ctx))
	classes = make(map[string][]string, len(fixed)+len(s.ctx)+len(sessionKeys))
	for k, v := range fixed {
		query[k], classes[k] = v, v
	}
	for _, k := range sessionKeys {
		classes[k] = nil
	}
	for k, v := range s.ctx {
		for _, sk := range sessionKeys {
			if strings.EqualFold(k, sk) {
				delete(classes, sk)
			}
		}
		query[k], classes[k] = v, v
	}
	return query, classes
}

// sessionStmts are the statements of a node's own layers (identity
// policies, boundary, SCPs) and of a change's policies that test a key of
// its sessions (MFA, source identity, principal tags): what a session can
// change of its decisions. None: the node decides alike in every session.
func (a *analyzer) sessionStmts(n *Node, ch *change) []analyze.Stmt {
	if n.sessStmts == nil {
		var ps []*policy.Policy
		switch {
		case n.Role != nil:
			ps = append(ps, n.Role.Policies...)
			if n.Role.Boundary != nil {
				ps = append(ps, n.Role.Boundary)
			}
		case n.User != nil:
			ps = append(ps, a.o.UserPolicies(n.User)...)
			if n.User.Boundary != nil {
				ps = append(ps, n.User.Boundary)
			}
		}
		if n.Account != nil {
			for _, l := range a.o.SCPLevels(n.Account.ID) {
				ps = append(ps, l.Policies...)
			}
		}
		n.sessStmts = testingSession(ps)
	}
	if ch == nil || len(ch.policies) == 0 {
		return n.sessStmts
	}
	return append(append([]analyze.Stmt(nil), n.sessStmts...), testingSession(ch.policies)...)
}

// testingSession lists the statements that test a key of a session, in a
// condition or a policy variable.
func testingSession(ps []*policy.Policy) []analyze.Stmt {
	out := []analyze.Stmt{}
	for _, st := range analyze.StatementsOf(ps...) {
		if testsSession(st.S.Src) {
			out = append(out, st)
		}
	}
	return out
}

func testsSession(src *policy.Statement) bool {
	is := func(k string) bool {
		k = strings.ToLower(k)
		return strings.HasPrefix(k, "aws:multifactorauth") || k == "aws:sourceidentity" || strings.HasPrefix(k, "aws:principaltag/")
	}
	for _, c := range src.Condition {
		if is(c.Key) {
			return true
		}
		for _, v := range c.Values {
			if strings.Contains(strings.ToLower(v), "${aws:principaltag/") {
				return true
			}
		}
	}
	for _, r := range src.Resource {
		if strings.Contains(strings.ToLower(r.Value), "${aws:principaltag/") {
			return true
		}
	}
	return false
}

// edgeStepsIn decides the steps of an edge that is not an assumption in
// the sessions of its ends: those its From makes in s, those the role its
// service runs as makes in ts (a function reading its queue), each nil
// for any session. ok is false when one is denied so.
func (a *analyzer) edgeStepsIn(e *Edge, s, ts *sess) ([]Step, bool) {
	// (A service's session, named by the service, makes them as itself.)
	fromIn := s != nil && (s.caller != "" || len(a.sessionStmts(e.From, nil)) > 0)
	toIn := ts != nil && e.service != nil && e.To.Role != nil && (ts.caller != "" || len(a.sessionStmts(e.To, nil)) > 0)
	if !fromIn && !toIn {
		return e.Steps, true
	}
	key := edgeKey{e, ""}
	if fromIn {
		key.sess += s.key
	}
	if toIn {
		key.sess += "\x00" + ts.key
	}
	if c, ok := a.edgeSteps[key]; ok {
		return c, c != nil
	}
	out := make([]Step, 0, len(e.Steps))
	for i, st := range e.Steps {
		var n *Node
		var in *sess
		switch {
		case fromIn && st.Principal == e.From.Caller:
			n, in = e.From, s
		case toIn && st.Principal == e.To.Caller:
			n, in = e.To, ts
		default:
			out = append(out, st)
			continue
		}
		var ch func(*eval.Inputs)
		if e.Kind == KindUpdateAssumeRole && i == 1 {
			// The assumption under the trust policy the edge wrote.
			trust, err := trustFor(e.From.ARN)
			if err != nil {
				out = nil
				break
			}
			ch = func(in *eval.Inputs) { in.Resource = []*policy.Policy{trust} }
		}
		d := a.redecide(n, st, in, ch)
		if d == nil {
			out = nil
			break
		}
		d.Kind, d.Note = st.Kind, st.Note
		out = append(out, *d)
	}
	if a.edgeSteps == nil {
		a.edgeSteps = map[edgeKey][]Step{}
	}
	a.edgeSteps[key] = out
	return out, out != nil
}

type edgeKey struct {
	e    *Edge
	sess string
}

// redecide decides a step's request again in a session: with the other
// keys of its context first (the session's own replaced), then with only
// the keys the caller sets on the request (a service's keys), every
// global key ranging again.
func (a *analyzer) redecide(n *Node, st Step, s *sess, ch func(*eval.Inputs)) *Step {
	all, own := map[string][]string{}, map[string][]string{}
	for k, v := range st.Context {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "aws:multifactorauth") || lk == "aws:sourceidentity" || strings.HasPrefix(lk, "aws:principaltag/") {
			continue
		}
		vs := strings.Fields(fmt.Sprint(v))
		if l, ok := v.([]string); ok {
			vs = l
		}
		all[k] = vs
		if !strings.HasPrefix(lk, "aws:") {
			own[k] = vs
		}
	}
	if d := a.decide(n, request{action: st.Action, resource: st.Resource, fixed: all, sess: s, change: ch}); d != nil {
		return d
	}
	if len(own) == len(all) {
		return nil
	}
	return a.decide(n, request{action: st.Action, resource: st.Resource, fixed: own, sess: s, change: ch})
}
