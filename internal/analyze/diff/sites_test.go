package diff

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// siteOfARN names the part of the resource side an ARN lies in: a
// declared S3 bucket, a role, an account of the orgs, or else its service
// (what the two comparisons' partitions may split differently).
func siteOfARN(orgs [2]*org.Org, arn string) string {
	var parts [6]string
	if !analyzeSplit(arn, &parts) {
		return "other"
	}
	for _, o := range orgs {
		if parts[2] == "s3" && parts[4] == "" {
			b, _, _ := strings.Cut(parts[5], "/")
			if _, ok := o.ResourcePolicy("arn:aws:s3:::" + b); ok {
				return "bucket " + b
			}
		}
		if parts[2] == "iam" && strings.HasPrefix(parts[5], "role/") {
			name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
			if _, ok := o.Role(parts[4], name); ok {
				return "role " + parts[4] + "/" + name
			}
		}
		if _, ok := o.ResourcePolicy(arn); ok {
			return "resource " + arn
		}
	}
	for _, o := range orgs {
		if _, ok := o.AccountByID(parts[4]); ok {
			return "account " + parts[4]
		}
	}
	return "other " + parts[2]
}

// memberRequest is a raw change's request written for a member of its
// principal class (the account replaced) on a member of its resource
// class (the resource's site replaced by its twin's).
func memberRequest(orgs [2]*org.Org, rc *rawChange, principal, resource string) authz.Query {
	from, to := accountOf(rc.principal), accountOf(principal)
	put := func(s string) string { return strings.ReplaceAll(self(s, from), "\x00SELF\x00", to) }
	if from != to {
		resource = ownTwin(orgs, resource, from, to)
	}
	ctx := map[string][]string{}
	for k, v := range rc.ctx {
		for _, s := range v {
			ctx[k] = append(ctx[k], put(s))
		}
	}
	return authz.Query{Principal: principal, Action: rc.action, Resource: put(resource), Context: ctx}
}

// ownTwin writes a resource that lies in one of from's declared resources
// (the resource, or an S3 object of it) in to's resource of the same kind:
// the generated organizations have one of each kind per account.
func ownTwin(orgs [2]*org.Org, resource, from, to string) string {
	for _, r := range orgs[0].Resources {
		if r.Account == nil || r.Account.ID != from || (resource != r.ARN && !strings.HasPrefix(resource, r.ARN+"/")) {
			continue
		}
		for _, m := range orgs[0].Resources {
			if m.Account != nil && m.Account.ID == to && kindOf(m.ARN) == kindOf(r.ARN) {
				return m.ARN + strings.TrimPrefix(resource, r.ARN)
			}
		}
	}
	return resource
}

// twinResource writes res, which lies in site (a representative's
// resource or account), in member (its twin).
func twinResource(res, site, member string) string {
	if !strings.HasPrefix(site, "arn:") {
		// An account: its ID replaced.
		return strings.ReplaceAll(self(res, site), "\x00SELF\x00", member)
	}
	if strings.HasPrefix(site, "arn:aws:iam::") {
		// A role: the same path in the member's account, the member's
		// name for the site's.
		var a, b [6]string
		analyzeSplit(site, &a)
		analyzeSplit(member, &b)
		i := strings.LastIndexByte(res, '/')
		head, name := res[:i+1], res[i+1:]
		if name == a[5][strings.LastIndexByte(a[5], '/')+1:] {
			name = b[5][strings.LastIndexByte(b[5], '/')+1:]
		}
		return strings.ReplaceAll(self(head, a[4]), "\x00SELF\x00", b[4]) + name
	}
	return member + strings.TrimPrefix(res, site)
}

// expand lists every (direction, principal, action class, site) a report
// claims, each member request decided by the engine as claimed in both
// orgs.
func expand(t *testing.T, old, new *org.Org, rep *Report) map[string]bool {
	t.Helper()
	orgs := [2]*org.Org{old, new}
	out := map[string]bool{}
	for i := range rep.raw {
		rc := &rep.raw[i]
		dir := Opened
		if rc.before.Decision == eval.Allow {
			dir = Closed
		}
		resources := []string{rc.resource}
		sites := []string{""}
		if rc.resClass != nil {
			for _, m := range rc.resClass.Members {
				resources = append(resources, twinResource(rc.resource, rc.resClass.Example, m))
				sites = append(sites, m)
			}
		}
		principals := rc.members
		if len(principals) == 0 {
			principals = []string{rc.principal}
		}
		for _, p := range principals {
			for j, res := range resources {
				q := memberRequest(orgs, rc, p, res)
				if sites[j] != "" {
					// The example's names of the representative's own
					// resources and roles, for the member's.
					q.Context = ownNamesFor(orgs, q.Context, accountOf(siteAccount(rc.resClass.Example)), accountOf(siteAccount(sites[j])))
				}
				if p != rc.principal || res != rc.resource {
					var got [2]bool
					for i, o := range orgs {
						_, e, err := authz.Decide(o, q, now)
						if err != nil {
							t.Fatalf("%+v: %v", q, err)
						}
						got[i] = e.Decision == eval.Allow && e.Refusal == ""
					}
					if want := [2]bool{dir == Closed, dir == Opened}; got != want {
						t.Errorf("%s stands for %s %s %s %v (from %s on %s): engine allows (old, new) = %v, want %v",
							dir, q.Principal, q.Action, q.Resource, q.Context, rc.principal, rc.resource, got, want)
					}
				}
				out[fmt.Sprintf("%s %s %s %s", dir, p, rc.class.key, siteOfARN(orgs, q.Resource))] = true
			}
		}
	}
	return out
}

// siteAccount is the ARN of a resource class's example or member that
// names its account: the site itself, or (an account) its root.
func siteAccount(site string) string {
	if !strings.HasPrefix(site, "arn:") {
		return "arn:aws:iam::" + site + ":root"
	}
	return site
}

// ownNamesFor writes the context values that name a declared resource or
// a role of account from as its counterpart in account to: the resource
// of the same kind (the fixtures have one of each per account), the role
// whose name is the same with the account's name (lower-cased) and ID
// replaced.
func ownNamesFor(orgs [2]*org.Org, ctx map[string][]string, from, to string) map[string][]string {
	if from == to || from == "" || to == "" {
		return ctx
	}
	fa, ok1 := orgs[0].AccountByID(from)
	ta, ok2 := orgs[0].AccountByID(to)
	if !ok1 || !ok2 {
		return ctx
	}
	out := make(map[string][]string, len(ctx))
	for k, vs := range ctx {
		for _, v := range vs {
			w := v
			for _, r := range orgs[0].Resources {
				if r.ARN == v && r.Account == fa {
					w = ownTwin(orgs, v, from, to)
				}
			}
			for _, r := range fa.Roles {
				if r.ARN == v {
					w = strings.ReplaceAll(strings.ReplaceAll(v, from, to), strings.ToLower(fa.Name), strings.ToLower(ta.Name))
				}
			}
			out[k] = append(out[k], w)
		}
	}
	return out
}

func keysSorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// randomEdits picks edits of a generated organization's layers: SCPs,
// RCPs, one account's or every account's bucket policy, one role's or
// every account's trust policy, a managed policy.
func randomEdits(rng *rand.Rand, extra ...[3]string) [][3]string {
	acts := []string{"s3:GetObject", "s3:DeleteBucket", "s3:PutObject", "sqs:SendMessage", "sts:AssumeRole", "sts:TagSession", "kms:Decrypt", "dynamodb:Query"}
	act := func() string { return acts[rng.IntN(len(acts))] }
	all := [][3]string{
		{"one", "Action: rds:DeleteDBInstance", "Action: [rds:DeleteDBInstance, " + act() + "]"},
		{"one", "Action: iam:CreateUser", "Action: [iam:CreateUser, " + act() + "]"},
		{"one", `Action: "s3:*", Resource: "*", Condition: {BoolIfExists`, `Action: ["s3:*", "` + act() + `"], Resource: "*", Condition: {BoolIfExists`},
		{"one", `{BoolIfExists: {aws:SecureTransport: "false"}}`, `{BoolIfExists: {aws:SecureTransport: "false", aws:ViaAWSService: "false"}}`},
		{"one", "          Action: \"s3:*\"\n          Resource: [arn:aws:s3:::gen-account0002-data", "          Action: \"" + act() + "\"\n          Resource: [arn:aws:s3:::gen-account0002-data"},
		{"all", "          Action: \"s3:*\"\n", "          Action: [\"s3:PutObject\", \"s3:DeleteBucket\"]\n"},
		{"one", "      Statement:\n        - Effect: Deny\n          Principal: \"*\"\n", "      Statement:\n        - {Effect: Allow, Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}, Action: \"" + act() + "\", Resource: \"*\"}\n        - Effect: Deny\n          Principal: \"*\"\n"},
		{"all", "      Statement:\n        - Effect: Deny\n          Principal: \"*\"\n", "      Statement:\n        - {Effect: Allow, Principal: {AWS: \"arn:aws:iam::${account:Security}:root\"}, Action: \"s3:GetObject\", Resource: \"*\"}\n        - Effect: Deny\n          Principal: \"*\"\n"},
		{"one", "          Condition: {Bool: {aws:MultiFactorAuthPresent: \"true\"}}\n", ""},
		{"all", "          Action: [sts:AssumeRole, sts:TagSession]\n", "          Action: [sts:AssumeRole]\n"},
		{"one", "          Action: [sts:AssumeRole, sts:TagSession]\n", "          Action: [sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity]\n"},
		{"one", "          Action: [s3:GetObject, s3:ListBucket, dynamodb:Query, sqs:SendMessage]", "          Action: [s3:GetObject, s3:ListBucket, dynamodb:Query, sqs:SendMessage, " + act() + "]"},
	}
	all = append(all, extra...)
	n := 1 + rng.IntN(2)
	var out [][3]string
	for _, i := range rng.Perm(len(all))[:n] {
		out = append(out, all[i])
	}
	return out
}

// The grouped comparison (principals and resources in equal situations)
// and the reference (every principal on every resource on its own) agree
// on every decision change, over random edits of generated organizations
// that reach per-account resources: bucket policies, trust policies, RCPs
// and SCPs. Every request a class stands for (each member principal on
// each member resource) is decided by the engine as the change says.
func TestResourceClassesMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2))
	for i := range 10 {
		edits := randomEdits(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			matchReference(t, string(org.Generate(6, 4, 1)), edits)
		})
	}
}

// matchReference compares an organization with a copy edited by edits
// ("one": the first occurrence replaced, "all": every one) grouped and
// by the reference, and checks that they agree on every request; it
// returns the grouped report.
func matchReference(t *testing.T, src string, edits [][3]string) *Report {
	t.Helper()
	oldSrc := src
	for _, e := range edits {
		if !strings.Contains(src, e[1]) {
			t.Fatalf("no %q", e[1])
		}
		if e[0] == "all" {
			src = strings.ReplaceAll(src, e[1], e[2])
		} else {
			src = strings.Replace(src, e[1], e[2], 1)
		}
	}
	old, new := loadText(t, oldSrc), loadText(t, src)
	grouped := Diff(old, new, Options{Now: now})
	ref := Diff(old, new, Options{Now: now, PerPrincipal: true})
	g, r := expand(t, old, new, grouped), expand(t, old, new, ref)
	gs, rs := keysSorted(g), keysSorted(r)
	if strings.Join(gs, "\n") != strings.Join(rs, "\n") {
		var onlyG, onlyR []string
		for _, k := range gs {
			if !r[k] {
				onlyG = append(onlyG, k)
			}
		}
		for _, k := range rs {
			if !g[k] {
				onlyR = append(onlyR, k)
			}
		}
		t.Errorf("edits %q: grouped and reference differ:\nonly grouped (%d): %v\nonly reference (%d): %v", edits, len(onlyG), head(onlyG), len(onlyR), head(onlyR))
	}
	if len(grouped.Unknown) != len(ref.Unknown) {
		t.Errorf("unknown: grouped %v, reference %v", grouped.Unknown, ref.Unknown)
	}
	verify(t, old, new, grouped)
	wellFormed(t, grouped)
	wellFormed(t, ref)
	t.Logf("edits %q: %d changes (%d site changes), decided %d grouped, %d reference", edits, len(grouped.Changes), len(g), grouped.Decided, ref.Decided)
	return grouped
}

func loadText(t *testing.T, src string) *org.Org {
	t.Helper()
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return o
}
