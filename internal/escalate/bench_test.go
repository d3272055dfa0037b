package escalate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
)

// BenchmarkEscalationGenerated is the full escalation analysis of a
// generated organization of 1,000 accounts with 20 roles each
// (org.Generate(1000, 20, 1): 20,000 roles, 10,000 of them assumable by
// another role of their account): "analyze" with the org loaded once,
// "load+analyze" as `warden analyze escalation --org FILE` does it, from
// the file.
func BenchmarkEscalationGenerated(b *testing.B) {
	f := filepath.Join(b.TempDir(), "org.yaml")
	if err := os.WriteFile(f, org.Generate(1000, 20, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	o, err := org.Load(f)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("analyze", func(b *testing.B) { benchAnalyze(b, o) })
	// The same organization with four workloads in every member account
	// (a function, an instance, a stack and a project, running as App10Role
	// to App13Role, which trust Lambda only) and an Operator role in every
	// member account that may change or run them all: the workload edges at
	// the scale of 3,996 workloads, 999 of them an edge.
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "org.yaml"), org.Generate(1000, 20, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "workloads.yaml"), workloadsOf(o), 0o600); err != nil {
		b.Fatal(err)
	}
	ow, err := org.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("analyze+workloads", func(b *testing.B) { benchAnalyze(b, ow) })
	// Eight workloads in every member account, one of each kind, and an
	// Operator that may use every workload way and pass any role: the
	// edges of every workload kind at the scale of 7,992 workloads, the
	// ways that pass a role trying each of the ten App roles (all trust
	// Lambda) of every account.
	if err := os.WriteFile(filepath.Join(dir, "workloads.yaml"), allWorkloadsOf(o), 0o600); err != nil {
		b.Fatal(err)
	}
	oa, err := org.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("analyze+workloads8", func(b *testing.B) { benchAnalyze(b, oa) })
	// Paths whose sessions decide, in every member account: a Deployer
	// that passes PowerMFA (admin only with MFA) to a new function, which
	// Lambda's session of it cannot use; a Granter that writes Target's
	// policy, then becomes it through Mid and Mid2 with a transitive tag
	// Target's trust wants (the grant's own chain, linked).
	if err := os.WriteFile(filepath.Join(dir, "workloads.yaml"), sessionRolesOf(o), 0o600); err != nil {
		b.Fatal(err)
	}
	os2, err := org.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("analyze+sessions", func(b *testing.B) { benchAnalyze(b, os2) })
	b.Run("load+analyze", func(b *testing.B) {
		cpu := cpuTime()
		for range b.N {
			o, err := org.Load(f)
			if err != nil {
				b.Fatal(err)
			}
			Analyze(o, Options{Now: now})
		}
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
}

// benchAnalyze analyzes a loaded organization b.N times and reports its
// size and the CPU time per analysis.
func benchAnalyze(b *testing.B, o *org.Org) {
	cpu := cpuTime()
	for range b.N {
		r := Analyze(o, Options{Now: now})
		b.ReportMetric(float64(len(r.Nodes)), "principals")
		b.ReportMetric(float64(len(o.Workloads)), "workloads")
		b.ReportMetric(float64(len(r.Edges)), "edges")
		b.ReportMetric(float64(len(r.Paths)), "paths")
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// workloadsOf writes, for a generated organization, four workloads per
// member account, running as its App10Role to App13Role, and an Operator
// role in every member account that may change or run them.
func workloadsOf(o *org.Org) []byte {
	var b strings.Builder
	b.WriteString("roles:\n  - name: Operator\n    accounts: [\"*\"]\n")
	b.WriteString("    trust: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}, Action: sts:AssumeRole}]}\n")
	b.WriteString("    inlinePolicies:\n      Operate: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: [lambda:UpdateFunctionCode, lambda:InvokeFunction, ssm:SendCommand, cloudformation:UpdateStack, codebuild:StartBuild], Resource: \"*\"}]}\n")
	b.WriteString("workloads:\n")
	for _, a := range o.Accounts[1:] {
		fmt.Fprintf(&b, "  - {arn: \"arn:aws:lambda:us-east-1:%s:function:app\", role: App10Role}\n", a.ID)
		fmt.Fprintf(&b, "  - {arn: \"arn:aws:ec2:us-east-1:%s:instance/i-0123456789abcdef0\", role: App11Role}\n", a.ID)
		fmt.Fprintf(&b, "  - {arn: \"arn:aws:cloudformation:us-east-1:%s:stack/app/5f6d7c80-0000-11f0-8000-0a1b2c3d4e5f\", role: App12Role}\n", a.ID)
		fmt.Fprintf(&b, "  - {arn: \"arn:aws:codebuild:us-east-1:%s:project/app\", role: App13Role}\n", a.ID)
	}
	return []byte(b.String())
}

// allWorkloadsOf writes, for a generated organization, a workload of each
// kind per member account (running as App10Role to App17Role) and an
// Operator role in every member account that may use every workload way on
// them and pass any role.
func allWorkloadsOf(o *org.Org) []byte {
	var b strings.Builder
	b.WriteString("roles:\n  - name: Operator\n    accounts: [\"*\"]\n")
	b.WriteString("    trust: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}, Action: sts:AssumeRole}]}\n")
	var actions []string
	seen := map[string]bool{"iam:PassRole": true}
	for _, ww := range workloadWays {
		for _, way := range ww.ways {
			for _, sa := range way {
				if !seen[sa.action] {
					seen[sa.action] = true
					actions = append(actions, sa.action)
				}
			}
		}
	}
	fmt.Fprintf(&b, "    inlinePolicies:\n      Operate: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: [iam:PassRole, %s], Resource: \"*\"}]}\n", strings.Join(actions, ", "))
	b.WriteString("workloads:\n")
	for _, a := range o.Accounts[1:] {
		for i, w := range []string{
			"lambda:us-east-1:%s:function:app", "ec2:us-east-1:%s:instance/i-0123456789abcdef0",
			"cloudformation:us-east-1:%s:stack/app/5f6d7c80-0000-11f0-8000-0a1b2c3d4e5f", "codebuild:us-east-1:%s:project/app",
			"ec2:us-east-1:%s:launch-template/lt-0a1b2c3d4e5f60718", "sagemaker:us-east-1:%s:notebook-instance/app",
			"glue:us-east-1:%s:devEndpoint/app", "glue:us-east-1:%s:job/app",
		} {
			fmt.Fprintf(&b, "  - {arn: \"arn:aws:"+w+"\", role: App%02dRole}\n", a.ID, 10+i)
		}
	}
	return []byte(b.String())
}

// sessionRolesOf writes the roles of the "analyze+sessions" benchmark:
// Deployer, PowerMFA and Granter in every member account, and Mid, Mid2
// and Target, whose trust policies name the roles of their own account.
func sessionRolesOf(o *org.Org) []byte {
	trust := func(who, actions, cond string) string {
		return "    trust: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {" + who + "}, Action: " + actions + cond + "}]}\n"
	}
	policy := func(stmts string) string {
		return "    inlinePolicies:\n      P: {Version: \"2012-10-17\", Statement: [" + stmts + "]}\n"
	}
	security := `AWS: "arn:aws:iam::${account:Security}:root"`
	var b strings.Builder
	b.WriteString("roles:\n")
	b.WriteString("  - name: Deployer\n    accounts: [\"*\"]\n" + trust(security, "sts:AssumeRole", "") +
		policy(`{Effect: Allow, Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction], Resource: "*"}`))
	b.WriteString("  - name: PowerMFA\n    accounts: [\"*\"]\n" + trust("Service: lambda.amazonaws.com", "sts:AssumeRole", "") +
		policy(`{Effect: Allow, Action: "*", Resource: "*", Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}`))
	b.WriteString("  - name: Granter\n    accounts: [\"*\"]\n" + trust(security, "sts:AssumeRole", "") +
		policy(`{Effect: Allow, Action: iam:PutRolePolicy, Resource: "arn:aws:iam::*:role/Target"}, {Effect: Allow, Action: [sts:AssumeRole, sts:TagSession], Resource: "*"}`))
	hop := policy(`{Effect: Allow, Action: sts:AssumeRole, Resource: "*"}`)
	for _, a := range o.Accounts[1:] {
		role := func(n string) string { return `AWS: "arn:aws:iam::` + a.ID + `:role/` + n + `"` }
		fmt.Fprintf(&b, "  - name: Mid\n    accounts: [%s]\n%s%s", a.Name, trust(role("Granter"), "[sts:AssumeRole, sts:TagSession]", ""), hop)
		fmt.Fprintf(&b, "  - name: Mid2\n    accounts: [%s]\n%s%s", a.Name, trust(role("Mid"), "sts:AssumeRole", ""), hop)
		fmt.Fprintf(&b, "  - name: Target\n    accounts: [%s]\n%s", a.Name, trust(role("Mid2"), "sts:AssumeRole", ", Condition: {StringEquals: {aws:PrincipalTag/team: ops}}"))
	}
	return []byte(b.String())
}

// cpuTime is the process's user and system CPU time so far: on a machine
// other work shares, it says what the analysis costs better than the wall
// time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEscalationTwins is the analysis of the twins org (137
// principals, every edge kind): the cost of the engine's decisions and of
// the admin checks when many principals can escalate.
func BenchmarkEscalationTwins(b *testing.B) {
	o := twins(b)
	for range b.N {
		Analyze(o, Options{Now: now})
	}
}
