package cli

import (
	_ "embed"
	"fmt"
	"html/template"
	"sort"

	"github.com/securecart/warden/internal/escalate"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/prove"
)

//go:embed templates/escalation.html
var escalationHTML string

var escalationTemplate = template.Must(template.New("escalation").Funcs(template.FuncMap{"kindColor": escalate.KindColor, "evidence": escalate.Evidence}).Parse(escalationHTML))

// maxMapPaths is how many paths the HTML report's map draws at most.
const maxMapPaths = 150

// escalationReport is what the HTML report shows.
type escalationReport struct {
	OrgID, Generated, Target string
	Principals, EdgeCount    int
	Unsure                   int
	Paths                    []escalate.Path
	Admins                   []reportAdmin
	Proofs                   []prove.Result
	Proved, NotProved        int
	Picture                  *escalate.Picture
	Drawn                    int // the paths the map draws
	Kinds                    []reportKind
}

type reportAdmin struct {
	ARN       string
	AllowedBy []string
	Requires  map[string]any
}

type reportKind struct{ Name, Summary, Color string }

// writeEscalationHTML writes the self-contained HTML report: the paths, a
// map of them, the administrators, and the proofs of the guardrail files.
func writeEscalationHTML(env Env, o *org.Org, res *escalate.Result, target string, gs []*prove.Guardrail) error {
	rep := escalationReport{OrgID: o.ID, Generated: env.Now().UTC().Format("2006-01-02 15:04 UTC"), Target: target,
		Principals: len(res.Nodes), EdgeCount: len(res.Edges), Unsure: res.Unsure, Paths: res.Paths}
	// The map stays readable: it draws the first paths only, and says so.
	drawn := res.Paths
	if len(drawn) > maxMapPaths {
		drawn = drawn[:maxMapPaths]
	}
	rep.Picture, rep.Drawn = escalate.Draw(drawn), len(drawn)
	for _, n := range res.Admins {
		p := n.Admin()
		rep.Admins = append(rep.Admins, reportAdmin{ARN: n.ARN, AllowedBy: p.AllowedBy, Requires: p.Requires})
	}
	sort.Slice(rep.Admins, func(i, j int) bool { return rep.Admins[i].ARN < rep.Admins[j].ARN })
	for _, k := range escalate.Kinds {
		rep.Kinds = append(rep.Kinds, reportKind{k.Name, k.Summary, escalate.KindColor(k.Name)})
	}
	if len(gs) > 0 {
		p := prove.New(o, env.Now())
		for _, g := range gs {
			r := p.Prove(g)
			if r.Pass {
				rep.Proved++
			} else {
				rep.NotProved++
			}
			rep.Proofs = append(rep.Proofs, r)
		}
	}
	if err := escalationTemplate.Execute(env.Stdout, rep); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}
