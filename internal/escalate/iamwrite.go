package escalate

import (
	"encoding/json"
	"strings"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// iamEdges adds the edges of the IAM writes that let a principal act as
// another of its account: rewriting a role's trust policy to trust itself
// and assuming it (iam:UpdateAssumeRolePolicy), taking a user's keys
// (iam:CreateAccessKey) or console password (iam:CreateLoginProfile,
// iam:UpdateLoginProfile).
func (a *analyzer) iamEdges(from *Node) {
	if from.external() {
		return
	}
	upd, keys := from.may("iam:UpdateAssumeRolePolicy"), from.may("iam:CreateAccessKey")
	login := from.may("iam:CreateLoginProfile") || from.may("iam:UpdateLoginProfile")
	if !upd && !keys && !login {
		return
	}
	for _, to := range a.nodesIn(from.Account) {
		if to == from {
			continue
		}
		switch {
		case to.Role != nil && upd:
			a.updateTrust(from, to)
		case to.User != nil:
			if keys {
				if st := a.decide(from, request{action: "iam:CreateAccessKey", resource: to.ARN}); st != nil {
					st.Note = "the new access key signs requests as " + to.ARN
					a.edge(from, to, KindAccessKey, *st)
					continue
				}
			}
			for _, act := range []string{"iam:CreateLoginProfile", "iam:UpdateLoginProfile"} {
				if login && from.may(act) {
					if st := a.decide(from, request{action: act, resource: to.ARN}); st != nil {
						st.Note = "the password signs in to the console as " + to.ARN
						a.edge(from, to, KindLoginProfile, *st)
						break
					}
				}
			}
		}
	}
}

// updateTrust adds the edge of rewriting a role's trust policy to trust the
// caller, then assuming the role under the new trust policy.
func (a *analyzer) updateTrust(from, to *Node) {
	st := a.decide(from, request{action: "iam:UpdateAssumeRolePolicy", resource: to.ARN})
	if st == nil {
		return
	}
	trust, err := trustFor(from.ARN)
	if err != nil {
		return
	}
	assume := a.decide(from, request{action: "sts:AssumeRole", resource: to.ARN, change: func(in *eval.Inputs) {
		in.Resource = []*policy.Policy{trust}
	}})
	if assume == nil {
		return
	}
	st.Note = "the new trust policy lets " + from.ARN + " assume the role"
	a.edge(from, to, KindUpdateAssumeRole, *st, *assume)
}

// trustFor compiles a trust policy that lets principal assume the role.
func trustFor(principal string) (*policy.Policy, error) {
	doc, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"AWS": principal}, "Action": "sts:AssumeRole",
		}},
	})
	// Named so that the step's evidence says where it comes from: the
	// engine's line is "Allow trust policy written by the previous step
	// (letting in PRINCIPAL), statement 0".
	return policy.ParseAndCompile(doc, "", policy.Trust, "trust policy written by the previous step (letting in "+principal+")")
}

// customerManaged lists the customer managed policies (by ARN) among a
// principal's attached policies.
func customerManaged(arns []string) []string {
	var out []string
	for _, a := range arns {
		if !strings.HasPrefix(a, "arn:aws:iam::aws:") {
			out = append(out, a)
		}
	}
	return out
}
