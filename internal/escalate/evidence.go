package escalate

import "strings"

// Evidence shortens a step's allowing statements for people: the same SCP
// statement allowing at several levels (the root, an OU, the account) is
// one line naming the levels, as "scp Root, Workloads, Dev: Allow scp
// FullAWSAccess, statement 0 at scps.yaml:3:5". Other lines are kept, in
// order, the SCPs last.
func Evidence(allowedBy []string) []string {
	var out, order []string
	levels := map[string][]string{}
	for _, l := range allowedBy {
		rest, ok := strings.CutPrefix(l, "scp ")
		target, what, found := strings.Cut(rest, ": ")
		if !ok || !found {
			out = append(out, l)
			continue
		}
		if _, seen := levels[what]; !seen {
			order = append(order, what)
		}
		levels[what] = append(levels[what], target)
	}
	for _, what := range order {
		out = append(out, "scp "+strings.Join(levels[what], ", ")+": "+what)
	}
	return out
}
