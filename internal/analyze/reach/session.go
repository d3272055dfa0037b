package reach

import (
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/policy"
)

// A role session carries what its chain of assumptions set, and a path of
// assumptions must be decided with it, not hop by hop:
//
//   - A source identity, once set (sts:SetSourceIdentity, at AssumeRole,
//     AssumeRoleWithSAML or AssumeRoleWithWebIdentity), persists into every
//     later session of the chain and cannot change; a request carries it
//     as aws:SourceIdentity, and an assumption from a session that has one
//     needs sts:SetSourceIdentity in the caller's permissions and in the
//     next role's trust policy ("Monitor and control actions taken with
//     assumed roles",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html;
//     sts:SourceIdentity in "IAM and AWS STS condition context keys",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_sourceidentity).
//   - Session tags are the session's principal tags (they override the
//     role's tags of the same key, whatever the case); passing them needs
//     sts:TagSession; those passed as transitive pass on to every later
//     session, and a later assumption cannot pass a tag of the same key
//     ("Passing session tags in AWS STS", "Chaining roles with session
//     tags",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining).
//     The tags an assumption passes are its aws:RequestTag/*, aws:TagKeys
//     and sts:TransitiveTagKeys.
//   - MFA: aws:MultiFactorAuthPresent says whether MFA validated the
//     credentials that make the request, and a chained session keeps the
//     MFA context of the session it came from (AWS STS's own behaviour, as
//     Warden's STS implements it): a chain has MFA exactly when it started
//     with it. Only an IAM user (or a principal outside the org) signs in
//     with MFA; a request made with long-term keys has no MFA keys, a role
//     session's says false or true; aws:MultiFactorAuthAge only grows along
//     the chain ("AWS global condition context keys",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent).
//
// link decides a path with one session context threaded through its
// hops: what is fixed already and what the caller still chooses.

// sessionTests are the keys of a session's context that a request's
// policies test.
type sessionTests uint8

const (
	testsSourceIdentity sessionTests = 1 << iota // sts:SourceIdentity, aws:SourceIdentity
	testsMFA                                     // aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge
	testsPrincipalTags                           // aws:PrincipalTag/*
	testsRequestTags                             // aws:RequestTag/*, aws:TagKeys, sts:TransitiveTagKeys
)

// sessionTestsOf reads which session keys the statements test, in their
// conditions or as policy variables.
func sessionTestsOf(stmts []analyze.Stmt) sessionTests {
	var t sessionTests
	mark := func(k string) {
		switch {
		case k == "sts:sourceidentity" || k == "aws:sourceidentity":
			t |= testsSourceIdentity
		case k == "aws:multifactorauthpresent" || k == "aws:multifactorauthage":
			t |= testsMFA
		case strings.HasPrefix(k, "aws:principaltag/"):
			t |= testsPrincipalTags
		case strings.HasPrefix(k, "aws:requesttag/") || k == "aws:tagkeys" || k == "sts:transitivetagkeys":
			t |= testsRequestTags
		}
	}
	for _, st := range stmts {
		src := st.S.Src
		for _, c := range src.Condition {
			mark(strings.ToLower(c.Key))
		}
		if !st.Policy.Doc.Vars() {
			continue
		}
		for _, ref := range varRefsOf(src) {
			mark(ref)
		}
	}
	return t
}

// varRefsOf lists the keys a statement's policy variables name
// (lower-cased), in its conditions' values and its Resource (or NotResource) element.
func varRefsOf(src *policy.Statement) []string {
	var out []string
	scan := func(v string) {
		for _, m := range varRef.FindAllStringSubmatch(v, -1) {
			out = append(out, strings.ToLower(m[1]))
		}
	}
	for _, c := range src.Condition {
		for _, v := range c.Values {
			scan(v)
		}
	}
	for _, r := range src.Resource {
		scan(r.Value)
	}
	return out
}

// isSessionKey reports whether a request's value of a (lower-cased) key
// comes from the caller's session: its source identity, MFA and principal
// tags.
func isSessionKey(k string) bool {
	return k == "aws:sourceidentity" || k == "aws:multifactorauthpresent" || k == "aws:multifactorauthage" || strings.HasPrefix(k, "aws:principaltag/")
}

// isHopKey reports whether a (lower-cased) key is what an assumption sets
// for the next session: the source identity and the session tags passed.
func isHopKey(k string) bool {
	return k == "sts:sourceidentity" || strings.HasPrefix(k, "aws:requesttag/") || k == "aws:tagkeys" || k == "sts:transitivetagkeys"
}

// withoutTags is vars resolving no principal tag (whose values a session
// may set).
func withoutTags(vars analyze.Vars) analyze.Vars {
	if vars == nil {
		return nil
	}
	return func(k string) ([]string, bool) {
		if strings.HasPrefix(strings.ToLower(k), "aws:principaltag/") {
			return nil, false
		}
		return vars(k)
	}
}

// decideMode says how decideIn treats the session keys.
type decideMode uint8

const (
	modeFree     decideMode = iota // each request alone: the keys range freely (principal tags are the principal's)
	modeTagsFree                   // as modeFree, and the caller's principal tags range freely too
	modeHop                        // an assumption of a path: session and hop keys as given, else absent
	modeFinal                      // the last request of a path: session keys as given, else absent
)

// SessionNeed is a condition on a path's sessions that must hold: what the
// path's principal signs in with, or what one of its assumptions sets; or,
// for a path of `warden analyze escalation`, a session a service makes
// (What "service").
type SessionNeed struct {
	// Hop is where it is set: 0 for the principal's own sign-in or session
	// (the path's start), i for the assumption Hops[i-1].
	Hop int `json:"hop"`
	// What is "mfa" (the principal signs in with MFA), "source-identity"
	// (Value is set as the source identity), "tag" (the session tag
	// Key=Value is passed, as Transitive says) or "service" (the service
	// Key makes the session Value, an assumed-role ARN, for a role passed
	// to it: no MFA, no source identity, no session tags).
	What       string `json:"what"`
	Key        string `json:"key,omitempty"`
	Value      string `json:"value,omitempty"`
	Transitive bool   `json:"transitive,omitempty"`
}

// String says the need as "MFA at sign-in", "source identity = alice set
// at hop 1", "tag team=payments, transitive, at hop 1".
func (n SessionNeed) String() string {
	at := "at hop " + strconv.Itoa(n.Hop)
	if n.Hop == 0 {
		at = "at sign-in"
	}
	switch n.What {
	case "mfa":
		return "MFA " + at
	case "source-identity":
		return "source identity = " + n.Value + " set " + at
	case "service":
		return n.Key + "'s session " + n.Value + " (no MFA, source identity or session tags) made " + at
	}
	t := "tag " + n.Key + "=" + n.Value
	if n.Transitive {
		t += ", transitive,"
	}
	return t + " " + at
}

// Chain is Link's answer for a chain of assumptions.
type Chain struct {
	// Possible: every assumption is allowed with one session threaded
	// through the chain, which must carry Session.
	Possible bool
	// Unsure says why the chain could not be decided exactly; it is then
	// not Possible.
	Unsure  string
	Session []SessionNeed
	// Hops are the assumptions' decisions with that session (their
	// Requires leave the session's keys out).
	Hops []Outcome
	// Linked: the chain was decided with one session (some hop tests a
	// key of the sessions); SessionContext then gives each hop's keys.
	Linked bool
	// Sessions are, when Linked, the keys of each session of the chain
	// (0 the start's, i the one hops[i-1] made), as Check saw them.
	Sessions []map[string][]string
}

// SessionContext lists the keys of a decided context that a path's
// session fixes (its source identity, MFA, principal tags, and the source
// identity and session tags an assumption passes), as a request to
// `warden explain` must give them.
func SessionContext(ctx map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range ctx {
		if lk := strings.ToLower(k); isSessionKey(lk) || isHopKey(lk) {
			out[k] = v
		}
	}
	return out
}

// Link decides a chain of assumptions (hops[i].To is hops[i+1].From)
// with one session threaded through it, as WhoCan decides its paths: the
// edges as the graph decided them alone when none tests a key of the
// sessions, else a source identity set once and carried, session tags
// and MFA from the chain's start (see link).
func (g *Graph) Link(hops []Edge) Chain { return g.LinkWith(hops, LinkOptions{}) }

// LinkWant is Link where the chain's last session must also have the
// values of want (aws:MultiFactorAuthPresent, aws:SourceIdentity,
// aws:PrincipalTag/*: what the last role's own requests require).
func (g *Graph) LinkWant(hops []Edge, want map[string][]string) Chain {
	return g.LinkWith(hops, LinkOptions{Want: want})
}

// LinkOptions say how a chain's first session was made and what its
// sessions must allow besides the assumptions.
type LinkOptions struct {
	// Want are values the last session must have (see LinkWant).
	Want map[string][]string
	// Service: the first hop's caller is a session an AWS service made
	// for hops[0].From, a role passed to it or a workload's (a Lambda
	// function's execution role, an instance profile's role, ...). The
	// service calls sts:AssumeRole itself, without MFA, a source identity
	// or session tags: the session has aws:MultiFactorAuthPresent false
	// (present, as in every request signed with temporary credentials),
	// no aws:MultiFactorAuthAge or aws:SourceIdentity, and its role's own
	// tags as its principal tags. A chain from it starts anew with those.
	Service bool
	// Caller, when set, is the ARN the first hop's request is made as (a
	// service's session is named by the service: a function's name, an
	// instance's ID).
	Caller string
	// Check, when not nil, decides the requests a session of the chain
	// must also be allowed (a grant's, the last role's admin power): at
	// is the session (0 the start's, i the one hops[i-1] made) and ctx
	// its keys (aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge
	// when present, aws:SourceIdentity when set, aws:PrincipalTag/* of
	// its session tags). The chain is linked whenever Check is set or
	// some hop tests a key of the sessions.
	Check func(at int, ctx map[string][]string) bool
	// Stmts are the statements of the requests Check decides: the values
	// of the session keys they test are among those the search tries.
	Stmts []analyze.Stmt
}

// LinkWith is Link with the options: a chain a service's session starts,
// requests its sessions must also be allowed.
func (g *Graph) LinkWith(hops []Edge, opt LinkOptions) Chain {
	if len(hops) == 0 {
		return Chain{Possible: true}
	}
	var tests sessionTests
	tagged := false
	out := make([]Outcome, len(hops))
	for i, h := range hops {
		tests |= h.tests
		tagged = tagged || h.tagged
		out[i] = h.Outcome
	}
	if tests == 0 && !tagged && len(opt.Want) == 0 && opt.Check == nil {
		// No request tests a key of the sessions: however the start's
		// session was made, the edges decide alone.
		return Chain{Possible: true, Hops: out}
	}
	r := g.link(&linkPath{start: hops[0].From, hops: hops, want: opt.Want, service: opt.Service, caller: opt.Caller, check: opt.Check, extra: opt.Stmts})
	if !r.ok {
		return Chain{Unsure: r.unsure}
	}
	return Chain{Possible: true, Unsure: r.unsure, Session: r.needs, Hops: r.hops, Linked: true, Sessions: r.sessions}
}
