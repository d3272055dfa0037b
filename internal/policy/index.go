package policy

// index narrows a policy's statements to those that can match an action, so
// that the cost of a request does not grow with statements about other
// services. Each statement is listed once per service it names: under its
// exact lower-cased action when every pattern of that service is literal,
// under the service when any is a wildcard, and in all when it names every
// service ("*", a wildcard in the service prefix, or NotAction).
type index struct {
	exact   map[string][]*CompiledStatement
	service map[string][]*CompiledStatement
	all     []*CompiledStatement
}

// smallPolicy is the size under which scanning every statement is cheaper than
// looking the action up in maps.
const smallPolicy = 8

func buildIndex(stmts []*CompiledStatement) *index {
	if len(stmts) <= smallPolicy {
		return nil
	}
	ix := &index{exact: map[string][]*CompiledStatement{}, service: map[string][]*CompiledStatement{}}
	for _, s := range stmts {
		if s.notAction {
			ix.all = append(ix.all, s)
			continue
		}
		everything := false
		wildSvc := map[string]bool{}
		for _, a := range s.actions {
			if a.any || a.svcWild {
				everything = true
				break
			}
			if a.nameWild {
				wildSvc[a.svc] = true
			}
		}
		if everything {
			ix.all = append(ix.all, s)
			continue
		}
		seen := map[string]bool{}
		for _, a := range s.actions {
			if wildSvc[a.svc] {
				if !seen["svc:"+a.svc] {
					seen["svc:"+a.svc] = true
					ix.service[a.svc] = append(ix.service[a.svc], s)
				}
				continue
			}
			if !seen[a.full] {
				seen[a.full] = true
				ix.exact[a.full] = append(ix.exact[a.full], s)
			}
		}
	}
	return ix
}

// Candidates are the statements of a policy that may match an action: the
// first N of up to three lists.
type Candidates struct {
	Lists [3][]*CompiledStatement
	N     int
}

// Candidates returns the statements with effect e that may match the action.
func (p *Policy) Candidates(a *Action, e Effect) Candidates {
	ix := &p.byEffect[e-1]
	if ix.idx == nil {
		return Candidates{Lists: [3][]*CompiledStatement{ix.stmts}, N: 1}
	}
	return Candidates{Lists: [3][]*CompiledStatement{ix.idx.exact[a.Full], ix.idx.service[a.Service], ix.idx.all}, N: 3}
}

// effectIndex holds a policy's statements of one effect.
type effectIndex struct {
	stmts []*CompiledStatement
	idx   *index
}

func (p *Policy) buildIndexes() {
	for e := Allow; e <= Deny; e++ {
		var stmts []*CompiledStatement
		for _, s := range p.Statements {
			if s.Effect == e {
				stmts = append(stmts, s)
			}
		}
		p.byEffect[e-1] = effectIndex{stmts: stmts, idx: buildIndex(stmts)}
	}
}
