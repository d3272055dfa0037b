package escalate

// stackSetService is the service principal of CloudFormation StackSets'
// administration role, and stackSetID the ID part of a new stack set's ARN
// (arn:aws:cloudformation:REGION:ACCOUNT:stackset/NAME:ID), which
// CloudFormation chooses.
const (
	stackSetService = "cloudformation.amazonaws.com"
	stackSetID      = "01234567-89ab-cdef-0123-456789abcdef"
)

// stackSetEdges adds the edges of pathfinding.cloud cloudformation-003: a
// stack set of the caller's with self-managed permissions. The caller
// passes an administration role of its account (iam:PassRole,
// iam:PassedToService cloudformation.amazonaws.com; it trusts
// CloudFormation) with cloudformation:CreateStackSet (cloudformation:RoleArn
// the role), then deploys it with cloudformation:CreateStackInstances on the
// stack set; CloudFormation, as the administration role, assumes the
// execution role that the stack set names (ExecutionRoleName) in each
// target account and makes the template's resources as it (AWS
// CloudFormation User Guide, "Grant self-managed permissions"). The edge
// leads to every role of the organization that the administration role's
// session may assume (its sts:AssumeRole a step made as that session, its
// candidates those package reach finds the role may assume): no role but
// the administration role is passed.
func (a *analyzer) stackSetEdges(from *Node) {
	if from.external() || a.reach == nil || !from.may("iam:PassRole") || !from.may("cloudformation:CreateStackSet") || !from.may("cloudformation:CreateStackInstances") {
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
		create := a.decide(from, request{action: "cloudformation:CreateStackSet", resource: "*", fixed: map[string][]string{"cloudformation:RoleArn": {admin.ARN}}})
		if create == nil {
			continue
		}
		if !decided {
			decided = true
			deploy = a.decideAnyResource(from, "cloudformation:CreateStackInstances", "arn:aws:cloudformation:us-east-1:"+from.Account.ID+":stackset/*:"+stackSetID, nil)
		}
		if deploy == nil {
			return
		}
		p := a.reach.RolePrincipal(admin.Role)
		if p == nil {
			continue
		}
		svc := &serviceSession{service: stackSetService, name: serviceSessionName(stackSetService, "")}
		in := serviceSess(svc, admin)
		for _, e := range a.reach.Out(p) {
			to := a.byARN[e.To.Role.ARN]
			// ExecutionRoleName is a name without a path (AWS CloudFormation
			// API Reference, CreateStackSet: [a-zA-Z_0-9+=,.@-]+): a role
			// with a path is not one a stack set can name.
			if !e.Allowed || to == nil || to == from || e.Action != "sts:AssumeRole" || to.Role.Path != "/" && to.Role.Path != "" {
				continue
			}
			assume := a.decide(admin, request{action: "sts:AssumeRole", resource: to.ARN, sess: in})
			if assume == nil {
				continue
			}
			assume.Note = "CloudFormation, as the administration role " + admin.ARN + ", assumes the stack set's execution role (ExecutionRoleName " + to.Role.Name + ") in account " + to.Account.ID +
				" (CreateStackInstances's Accounts) and makes the template's resources as " + to.ARN
			create.Note = "the stack set's administration role " + admin.ARN + ", passed (AdministrationRoleARN)"
			steps := []Step{*pass, *create, *deploy, *assume}
			a.edge(from, to, KindStackSet, steps...).service = &serviceSession{service: stackSetService, name: svc.name}
		}
	}
}
