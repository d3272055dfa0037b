package compliance

import (
	"sort"
	"strings"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/policy"
)

// The rules on S3 bucket policies. The organization holds the buckets that
// have a policy; the org format has no ACLs and no Block Public Access
// settings, so the policy alone decides.

func init() {
	publicRule := func(id, name, what, control, page string, levels ...string) {
		register(&ManagedRule{
			Identifier: id, Name: name,
			Description:   "Checks that S3 bucket policies do not allow public " + what + " access.",
			ResourceTypes: []string{TypeBucket},
			Severity:      "CRITICAL", Controls: []string{control},
			Remediation: "Restrict the statement to principals of your organization (aws:PrincipalOrgID) or to named accounts, or turn on Block Public Access.",
			Page:        page,
			eval: func(in *Input, r *Rule) []Evaluation {
				return bucketRule(in, func(t *analyze.Target) (string, string) {
					acts, unsure := publicActions(in, t, levels)
					switch {
					case len(acts) > 0 && !unsure:
						return NonCompliant, "allows anyone " + strings.Join(acts, ", ")
					case len(acts) > 0:
						return NonCompliant, "may allow anyone " + strings.Join(acts, ", ") + " (the analysis could not rule it out)"
					}
					return Compliant, "no public " + what + " access"
				})
			},
		})
	}
	publicRule("S3_BUCKET_PUBLIC_READ_PROHIBITED", "s3-bucket-public-read-prohibited", "read", "S3.2",
		"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-read-prohibited.html", "Read", "List")
	publicRule("S3_BUCKET_PUBLIC_WRITE_PROHIBITED", "s3-bucket-public-write-prohibited", "write", "S3.3",
		"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-public-write-prohibited.html", "Write", "Permissions management")
	register(&ManagedRule{
		Identifier: "S3_BUCKET_SSL_REQUESTS_ONLY", Name: "s3-bucket-ssl-requests-only",
		Description:   "Checks that S3 bucket policies deny requests that do not use TLS (aws:SecureTransport false).",
		ResourceTypes: []string{TypeBucket},
		Severity:      "MEDIUM", Controls: []string{"S3.5"},
		Remediation: `Add a statement: "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [the bucket, the bucket/*], "Condition": {"Bool": {"aws:SecureTransport": "false"}}.`,
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			return bucketRule(in, func(t *analyze.Target) (string, string) {
				bucket := t.ARN
				for _, s := range t.Policy.Doc.Statements {
					if deniesPlainHTTP(s, bucket) {
						return Compliant, "statement " + s.Label() + " denies requests without TLS"
					}
				}
				return NonCompliant, "no statement denies every request without TLS (aws:SecureTransport false) on the bucket and its objects"
			})
		},
	})
}

// bucketRule evaluates every S3 bucket policy of the organization.
func bucketRule(in *Input, f func(t *analyze.Target) (string, string)) []Evaluation {
	var out []Evaluation
	for _, t := range analyze.Targets(in.Org) {
		name, ok := bucketName(t.ARN)
		if !ok {
			continue
		}
		res := Resource{Type: TypeBucket, ID: name, Name: name, ARN: t.ARN, Account: t.Owner}
		where := ""
		if rp, ok := in.Org.ResourcePolicy(t.ARN); ok {
			where = rp.Pos.String()
		}
		t := t
		verdict, why := f(&t)
		out = append(out, eval1(res, verdict, why, where))
	}
	return out
}

func bucketName(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	return rest, true
}

// publicActions returns the actions of the access levels that the bucket's
// policy lets anyone do, from the external access analysis (exact, or
// unsure where the analysis says so); in.Access's when set.
func publicActions(in *Input, t *analyze.Target, levels []string) ([]string, bool) {
	var found []analyze.Finding
	if in.Access != nil {
		found = in.Access.Target(in.Org, t, analyze.ZoneAccount)
	} else {
		z := analyze.Zone{Kind: analyze.ZoneAccount, Account: t.Owner, Org: analyze.OrgInfoOf(in.Org)}
		found = analyze.Access(t, &z)
	}
	seen := map[string]bool{}
	unsure := false
	var out []string
	for _, f := range found {
		if !f.IsPublic && !f.Unsure {
			continue
		}
		if f.Unsure && !isAnyone(f.Principal) {
			continue
		}
		for _, a := range f.Action {
			if seen[a] || !hasLevel(a, levels) {
				continue
			}
			seen[a] = true
			out = append(out, a)
			unsure = unsure || f.Unsure
		}
	}
	sort.Strings(out)
	return out, unsure
}

func isAnyone(p map[string]string) bool {
	return p["AWS"] == "*" || p["*"] == "*"
}

func hasLevel(action string, levels []string) bool {
	a, ok := awsdata.LookupAction(action)
	if !ok {
		return false
	}
	for _, l := range a.AccessLevels {
		for _, want := range levels {
			if l == want {
				return true
			}
		}
	}
	return false
}

// deniesPlainHTTP reports a statement as AWS Config's rule looks for it: a
// Deny to everyone of every S3 action on the bucket and its objects when
// aws:SecureTransport is false.
func deniesPlainHTTP(s *policy.Statement, bucket string) bool {
	if s.Effect != "Deny" || s.NotAction || s.NotResource || s.NotPrincipal || !principalIsEveryone(s.Principal) {
		return false
	}
	if !hasValue(s.Action, "*") && !anyCovers(s.Action, "s3:*", actionCovers) {
		return false
	}
	if !anyCovers(s.Resource, bucket, globCovers) || !anyCovers(s.Resource, bucket+"/*", globCovers) {
		return false
	}
	for _, c := range s.Condition {
		op := strings.ToLower(c.Op)
		if (op == "bool" || op == "boolifexists") && strings.EqualFold(c.Key, "aws:SecureTransport") && len(c.Values) == 1 && strings.EqualFold(c.Values[0], "false") {
			return len(s.Condition) == 1
		}
	}
	return false
}

func anyCovers(list []policy.Str, q string, covers func(p, q string) bool) bool {
	for _, s := range list {
		if covers(s.Value, q) {
			return true
		}
	}
	return false
}

func principalIsEveryone(p *policy.Principal) bool {
	if p == nil {
		return false
	}
	return p.Wildcard || (len(p.AWS) == 1 && p.AWS[0].Value == "*" && len(p.Service)+len(p.Federated)+len(p.CanonicalUser) == 0)
}
