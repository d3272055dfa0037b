package escalate

import "github.com/securecart/warden/internal/org"

// stackSetService is the service principal of CloudFormation StackSets'
// administration role, and stackSetID the ID part of a new stack set's ARN
// (arn:aws:cloudformation:REGION:ACCOUNT:stackset/NAME:ID), which
// CloudFormation chooses.
const (
	stackSetService = "cloudformation.amazonaws.com"
	stackSetID      = "01234567-89ab-cdef-0123-456789abcdef"
)

// stackSetEdges adds the edges of a stack set with self-managed
// permissions (AWS CloudFormation User Guide, "Grant self-managed
// permissions"): the caller passes an administration role of its account
// (iam:PassRole, iam:PassedToService cloudformation.amazonaws.com; it
// trusts CloudFormation) to a stack set's operation, which CloudFormation
// carries out as that role: it assumes the execution role the operation
// names (ExecutionRoleName) in each target account and makes the
// template's resources as it. The edges lead to the roles that the
// administration role's session may assume (that sts:AssumeRole a step
// made as the session; the candidates are those package reach finds the
// role may assume); no role but the administration role is passed.
//
//   - stack-set (pathfinding.cloud cloudformation-003): a stack set of the
//     caller's, cloudformation:CreateStackSet (cloudformation:RoleArn the
//     role) and CreateStackInstances on it, in any account of the
//     organization;
//   - update-stack-set (cloudformation-004): an existing stack set of the
//     org format's workloads, cloudformation:UpdateStackSet on it
//     (cloudformation:RoleArn the role: an update of a stack set with a
//     customized administration role names it again), in the accounts of
//     its stack instances.
func (a *analyzer) stackSetEdges(from *Node) {
	if from.external() || a.reach == nil || !from.may("iam:PassRole") {
		return
	}
	create := from.may("cloudformation:CreateStackSet") && from.may("cloudformation:CreateStackInstances")
	var sets []*org.Workload
	if from.may("cloudformation:UpdateStackSet") {
		for _, w := range a.workloads[from.Account] {
			if w.Kind == org.WorkloadStackSet && len(w.Accounts) > 0 {
				sets = append(sets, w)
			}
		}
	}
	if !create && len(sets) == 0 {
		return
	}
	var deploy *Step
	decided := false
	for _, admin := range a.nodesIn(from.Account) {
		if admin.Role == nil || !a.trusts(admin, stackSetService) {
			continue
		}
		pass := a.decide(from, request{action: "iam:PassRole", resource: admin.ARN, fixed: map[string][]string{"iam:PassedToService": {stackSetService}}})
		if pass == nil {
			continue
		}
		roleArn := map[string][]string{"cloudformation:RoleArn": {admin.ARN}}
		if create {
			if st := a.decide(from, request{action: "cloudformation:CreateStackSet", resource: "*", fixed: roleArn}); st != nil {
				if !decided {
					decided = true
					deploy = a.decideAnyResource(from, "cloudformation:CreateStackInstances", "arn:aws:cloudformation:us-east-1:"+from.Account.ID+":stackset/*:"+stackSetID, nil)
				}
				if deploy != nil {
					st.Note = "the stack set's administration role " + admin.ARN + ", passed (AdministrationRoleARN)"
					a.stackSetTargets(from, admin, KindStackSet, nil, *pass, *st, *deploy)
				}
			}
		}
		for _, set := range sets {
			if st := a.decide(from, request{action: "cloudformation:UpdateStackSet", resource: set.ARN, fixed: roleArn}); st != nil {
				st.Note = "the stack set's administration role " + admin.ARN + ", passed again (AdministrationRoleARN), and its execution role named (ExecutionRoleName)"
				a.stackSetTargets(from, admin, KindUpdateStackSet, set.Accounts, *pass, *st)
			}
		}
	}
}

// stackSetTargets adds an edge of kind from from to every role (in the
// accounts given; nil: any) that admin's CloudFormation session may
// assume as a stack set's execution role, after the caller's steps.
func (a *analyzer) stackSetTargets(from, admin *Node, kind string, accounts []*org.Account, steps ...Step) {
	p := a.reach.RolePrincipal(admin.Role)
	if p == nil {
		return
	}
	svc := &serviceSession{service: stackSetService, name: serviceSessionName(stackSetService, "")}
	in := serviceSess(svc, admin)
	for _, e := range a.reach.Out(p) {
		to := a.byARN[e.To.Role.ARN]
		// ExecutionRoleName is a name without a path (AWS CloudFormation
		// API Reference, CreateStackSet: [a-zA-Z_0-9+=,.@-]+): a role
		// with a path is not one a stack set can name.
		if !e.Allowed || to == nil || to == from || e.Action != "sts:AssumeRole" || to.Role.Path != "/" && to.Role.Path != "" || accounts != nil && !hasAccount(accounts, to.Account) {
			continue
		}
		assume := a.decide(admin, request{action: "sts:AssumeRole", resource: to.ARN, sess: in})
		if assume == nil {
			continue
		}
		assume.Note = "CloudFormation, as the administration role " + admin.ARN + ", assumes the stack set's execution role (ExecutionRoleName " + to.Role.Name + ") in account " + to.Account.ID +
			" and makes the template's resources as " + to.ARN
		a.edge(from, to, kind, append(append([]Step(nil), steps...), *assume)...).service = &serviceSession{service: stackSetService, name: svc.name}
	}
}

func hasAccount(list []*org.Account, acct *org.Account) bool {
	for _, x := range list {
		if x == acct {
			return true
		}
	}
	return false
}
