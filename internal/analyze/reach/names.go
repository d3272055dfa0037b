package reach

import (
	"regexp"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
)

// A role's session is named by whoever assumes the role (the
// RoleSessionName of sts:AssumeRole), and a policy may single out sessions
// by name: a Principal element naming arn:aws:sts::ACCOUNT:assumed-role/
// ROLE/NAME (grants or denies that session only), or a condition on
// aws:userid, which AWS sets to the role's unique ID and the session name
// ("role-id:caller-specified-role-name", "AWS global condition context
// keys", aws:userid). The default session (sessionName) stands for every
// name the policies do not single out; the names they do are decided as
// sessions of their own, and a role is listed when one of them can make the
// request, with its name as a condition.

// namedSession is a session name a request's statements single out: for
// one role (account and role set, from a Principal element) or for any
// role (from an aws:userid pattern).
type namedSession struct {
	acct, role, name string
	// idPrefix is the role-ID part an aws:userid pattern fixes ("" when
	// the pattern leaves it free): the org does not hold roles' unique
	// IDs, so such a session is only possible (unsure).
	idPrefix string
}

// placeholderRoleID stands for a role's unique ID, which the org does not
// hold, in a session's aws:userid.
const placeholderRoleID = "AROAWARDENREACHROLEID"

var validSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// namedSessionsOf lists the session names the statements single out.
func namedSessionsOf(stmts []analyze.Stmt) []namedSession {
	var out []namedSession
	seen := map[namedSession]bool{}
	add := func(n namedSession) {
		if validSessionName.MatchString(n.name) && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, st := range stmts {
		src := st.S.Src
		if src.Principal != nil {
			for _, v := range src.Principal.AWS {
				if acct, role, name, ok := assumedRoleARN(v.Value); ok {
					add(namedSession{acct: acct, role: role, name: name})
				}
			}
		}
		for _, c := range src.Condition {
			if !strings.EqualFold(c.Key, "aws:userid") {
				continue
			}
			for _, v := range c.Values {
				if strings.Contains(v, "${") {
					continue
				}
				prefix, pat, found := "", v, false
				if i := strings.LastIndexByte(v, ':'); i >= 0 {
					prefix, pat, found = v[:i], v[i+1:], true
				}
				if !found && !strings.ContainsAny(v, "*?") {
					continue // no role session's ID is a bare name
				}
				if strings.Trim(prefix, "*?") == "" {
					prefix = ""
				}
				// The shortest and a longer name the pattern matches.
				for _, star := range []string{"", "xx"} {
					name := strings.ReplaceAll(strings.ReplaceAll(pat, "*", star), "?", "x")
					add(namedSession{name: name, idPrefix: strings.ReplaceAll(strings.ReplaceAll(prefix, "*", ""), "?", "x")})
				}
			}
		}
	}
	return out
}

// assumedRoleARN splits arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME.
func assumedRoleARN(s string) (acct, role, name string, ok bool) {
	rest, ok := strings.CutPrefix(s, "arn:aws:sts::")
	if !ok {
		return "", "", "", false
	}
	acct, rest, ok = strings.Cut(rest, ":assumed-role/")
	if !ok {
		return "", "", "", false
	}
	role, name, ok = strings.Cut(rest, "/")
	if !ok || strings.ContainsAny(s, "*?") {
		return "", "", "", false
	}
	return acct, role, name, true
}

// sessionsFor lists the names of ns that apply to the role p.
func sessionsFor(ns []namedSession, p *Principal) []namedSession {
	var out []namedSession
	for _, n := range ns {
		if n.name == sessionName || n.acct != "" && (n.acct != p.Account || !strings.EqualFold(n.role, p.Role.Name)) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// sessionCaller is the ARN of p's session named name ("": the default).
func sessionCaller(p *Principal, name string) string {
	if name == "" || p.Role == nil {
		return p.Caller
	}
	return "arn:aws:sts::" + p.Account + ":assumed-role/" + p.Role.Name + "/" + name
}

// userIDOf is aws:userid of a named session.
func (n namedSession) userID() string {
	id := placeholderRoleID
	if n.idPrefix != "" {
		id = n.idPrefix
	}
	return id + ":" + n.name
}

// withSession adds a named session's aws:userid to a query's context.
func withSession(ctx map[string][]string, userID string) map[string][]string {
	if userID == "" {
		return ctx
	}
	out := make(map[string][]string, len(ctx)+1)
	for k, v := range ctx {
		out[k] = v
	}
	out["aws:userid"] = []string{userID}
	return out
}

// asNamed decides q, denied to p's default session (o), as each session of
// p that the request's statements single out by name, and returns the
// first allowed (or possible), with its name; else o.
func (d *decider) asNamed(q authz.Query, p *Principal, o Outcome) Outcome {
	for _, n := range sessionsFor(o.names, p) {
		nq := q
		nq.Principal = sessionCaller(p, n.name)
		nq.Context = withSession(q.Context, n.userID())
		t, err := d.decide(nq)
		if err != nil || !(t.Allowed || t.Unsure != "") {
			continue
		}
		if n.idPrefix != "" && t.Unsure == "" {
			t.Unsure = "aws:userid " + n.userID() + " names a role's unique ID, which the organization does not hold"
		}
		t.SessionName, t.userID = n.name, n.userID()
		return t
	}
	return o
}

// Caller is the ARN the request is made as: the principal's, or its
// session of the name the request needs.
func (a Access) Caller() string { return sessionCaller(a.Principal, a.SessionName) }

// Caller is the ARN the assumption is made as (see Access.Caller).
func (e Edge) Caller() string { return sessionCaller(e.From, e.SessionName) }

// namesSession reports whether a Principal element's names (see grantees)
// include a session of the role p.
func namesSession(g *Graph, named map[string]bool, p *Principal) bool {
	if p.Role == nil {
		return false
	}
	for k := range named {
		if _, _, _, ok := assumedRoleARN(k); ok {
			if q, found := g.Lookup(k); found && q == p {
				return true
			}
		}
	}
	return false
}
