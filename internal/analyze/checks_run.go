package analyze

import (
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// checkType is a resource type CheckNoPublicAccess takes: the service and
// resource type of AWS's reference whose ARNs it has.
type checkType struct {
	svc, name string
	trust     bool
}

// CheckResourceTypes are the resource types of CheckNoPublicAccess
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html).
var CheckResourceTypes = map[string]checkType{
	"AWS::DynamoDB::Table":               {"dynamodb", "table", false},
	"AWS::DynamoDB::Stream":              {"dynamodb", "stream", false},
	"AWS::EFS::FileSystem":               {"elasticfilesystem", "file-system", false},
	"AWS::OpenSearchService::Domain":     {"es", "domain", false},
	"AWS::Kinesis::Stream":               {"kinesis", "stream", false},
	"AWS::Kinesis::StreamConsumer":       {"kinesis", "consumer", false},
	"AWS::KMS::Key":                      {"kms", "key", false},
	"AWS::Lambda::Function":              {"lambda", "function", false},
	"AWS::S3::Bucket":                    {"s3", "bucket", false},
	"AWS::S3::AccessPoint":               {"s3", "accesspoint", false},
	"AWS::S3Express::DirectoryBucket":    {"s3express", "bucket", false},
	"AWS::S3Express::AccessPoint":        {"s3express", "accesspoint", false},
	"AWS::S3::Glacier":                   {"glacier", "vault", false},
	"AWS::S3Outposts::Bucket":            {"s3-outposts", "bucket", false},
	"AWS::S3Outposts::AccessPoint":       {"s3-outposts", "accesspoint", false},
	"AWS::SecretsManager::Secret":        {"secretsmanager", "Secret", false},
	"AWS::SNS::Topic":                    {"sns", "topic", false},
	"AWS::SQS::Queue":                    {"sqs", "queue", false},
	"AWS::IAM::AssumeRolePolicyDocument": {"iam", "role", true},
	"AWS::S3Tables::TableBucket":         {"s3tables", "TableBucket", false},
	"AWS::S3Tables::Table":               {"s3tables", "Table", false},
	"AWS::ApiGateway::RestApi":           {"execute-api", "execute-api-general", false},
	"AWS::CodeArtifact::Domain":          {"codeartifact", "domain", false},
	"AWS::Backup::BackupVault":           {"backup", "backupVault", false},
	"AWS::CloudTrail::Dashboard":         {"cloudtrail", "dashboard", false},
	"AWS::CloudTrail::EventDataStore":    {"cloudtrail", "eventdatastore", false},
}

// CheckNoPublicAccess answers whether a resource policy can grant public
// access to a resource of the type
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html):
// FAIL when anyone (anonymous, or any account's principal) gets in with no
// condition on a key the caller cannot choose, for some resource the policy
// names and some request; each reason points at the statement that lets
// them in.
func CheckNoPublicAccess(doc, resourceType string) (CheckResult, error) {
	ct, ok := CheckResourceTypes[resourceType]
	if !ok {
		return CheckResult{}, fmt.Errorf("%w: resourceType %q is not one CheckNoPublicAccess takes", ErrInvalid, resourceType)
	}
	t := policy.Resource
	if ct.trust {
		t = policy.Trust
	}
	p, err := compileFor(doc, "policyDocument", t)
	if err != nil {
		return CheckResult{}, err
	}
	svc, _ := awsdata.LookupService(ct.svc)
	rt, ok := svc.ResourceType(ct.name)
	if !ok {
		return CheckResult{}, fmt.Errorf("resource type %s: no %s resource type %s in the reference data", resourceType, ct.svc, ct.name)
	}
	rc := requestClass{shapes: []pattern{templatePattern(rt.ARN)}}
	stmts := statementsOf(p)
	reps, _ := resourcesFor(&rc, stmts, nil)
	var rs reasonSet
	for _, rep := range reps {
		owner := checkOwner
		var parts [6]string
		if arn.Split(rep, &parts) && parts[4] != "" {
			owner = parts[4]
		}
		tg := &Target{ARN: rep, Type: resourceType, Owner: owner, Policy: p}
		for _, f := range Access(tg, &Zone{Kind: ZoneAccount, Account: owner}) {
			switch {
			case f.IsPublic:
				var s *policy.CompiledStatement
				if f.Statement != nil {
					s = statementAt(p, f.Statement.Index)
				}
				rs.add(s, fmt.Sprintf("%s grants public access to %s: %s", stmtLabel(s), resourceType, strings.Join(f.Action, ", ")), f.Example)
			case f.Unsure && f.Principal["AWS"] == "*":
				rs.add(nil, "public access could not be ruled out: "+f.Reason, nil)
			}
		}
	}
	return finish(rs.list, "The resource policy does not grant public access for the given resource type.",
		"The resource policy grants public access for the given resource type."), nil
}

func statementAt(p *policy.Policy, index int) *policy.CompiledStatement {
	for _, s := range p.Statements {
		if s.Src.Index == index {
			return s
		}
	}
	return nil
}

func stmtLabel(s *policy.CompiledStatement) string {
	if s == nil {
		return "the policy"
	}
	if s.Src.Sid != "" {
		return "statement " + s.Src.Sid
	}
	return fmt.Sprintf("statement %d", s.Src.Index)
}

// CheckAccessNotGranted answers whether a policy grants any of the access
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckAccessNotGranted.html):
// with actions only, any of them on any resource; with resources only, any
// action on any of them; with both, any of the actions on any of the
// resources. FAIL names each statement that grants some of it.
func CheckAccessNotGranted(doc string, access []AccessSpec, policyType string) (CheckResult, error) {
	if len(access) == 0 {
		return CheckResult{}, fmt.Errorf("%w: access must list at least one actions or resources entry", ErrInvalid)
	}
	t, err := policyTypeOf(policyType, doc)
	if err != nil {
		return CheckResult{}, err
	}
	p, err := compileFor(doc, "policyDocument", t)
	if err != nil {
		return CheckResult{}, err
	}
	stmts := statementsOf(p)
	d := decider{p: p, identity: t == policy.Identity}
	var rs reasonSet
	for i, a := range access {
		if len(a.Actions) == 0 && len(a.Resources) == 0 {
			return CheckResult{}, fmt.Errorf("%w: access[%d] has neither actions nor resources", ErrInvalid, i)
		}
		universe := ActionsOf(stmts)
		if len(a.Actions) > 0 {
			universe = expandActions(a.Actions)
		}
		var want []arn.Pattern
		var extra []pattern
		for _, r := range a.Resources {
			want = append(want, arn.CompilePattern(r))
			extra = append(extra, withParents(r)...)
		}
		var e eval.Explanation
		exact := sweep(stmts, d.identity, universe, extra, func(pr *Principal, rc *requestClass, res string, ctx map[string][]string) bool {
			if len(want) > 0 && !matchesAny(want, res) {
				return true
			}
			if d.decide(pr, rc.Rep, res, ctx, &e) {
				s := allowing(&e)
				rs.add(s, fmt.Sprintf("%s grants %s on %s", stmtLabel(s), rc.Rep, res), exampleOf(d, pr, rc.Rep, res, ctx))
			}
			return true
		})
		if !exact && len(rs.list) == 0 {
			rs.add(nil, "the policy's classes of requests could not be made exact (a policy variable or a bound): the access is not ruled out", nil)
		}
	}
	return finish(rs.list, "The policy document does not grant access to perform one of the listed actions or resources.",
		"The policy document grants access to perform one or more of the listed actions or resources."), nil
}

func matchesAny(ps []arn.Pattern, v string) bool {
	sv := arn.SplitValue(v)
	for i := range ps {
		if ps[i].MatchValue(&sv) {
			return true
		}
	}
	return false
}

// expandActions lists the actions the patterns name: those of AWS's
// reference, or the literal action when the reference does not know it.
func expandActions(pats []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range pats {
		ms := awsdata.MatchActions(p)
		if len(ms) == 0 {
			if !seen[strings.ToLower(p)] {
				seen[strings.ToLower(p)] = true
				out = append(out, p)
			}
			continue
		}
		for _, a := range ms {
			if k := strings.ToLower(a.String()); !seen[k] {
				seen[k] = true
				out = append(out, a.String())
			}
		}
	}
	return out
}

func exampleOf(d decider, p *Principal, action, resource string, ctx map[string][]string) *Request {
	principal := "arn:aws:sts::" + checkOwner + ":assumed-role/warden-check/session"
	full := copyCtx(ctx)
	if !d.identity {
		principal = p.ARN
		for k, v := range p.Context {
			full[k] = v
		}
	}
	return &Request{Principal: principal, Action: action, Resource: resource, Context: full}
}

// CheckNoNewAccess answers whether a new version of a policy grants access
// the existing one does not
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html):
// both documents' literals split the requests into classes, and FAIL names
// each statement of the new document that allows a request the existing one
// does not allow.
func CheckNoNewAccess(newDoc, existingDoc, policyType string) (CheckResult, error) {
	t, err := policyTypeOf(policyType, newDoc)
	if err != nil {
		return CheckResult{}, err
	}
	np, err := compileFor(newDoc, "newPolicyDocument", t)
	if err != nil {
		return CheckResult{}, err
	}
	ep, err := compileFor(existingDoc, "existingPolicyDocument", t)
	if err != nil {
		return CheckResult{}, err
	}
	stmts := statementsOf(np, ep)
	dn := decider{p: np, identity: t == policy.Identity}
	de := decider{p: ep, identity: dn.identity}
	var rs reasonSet
	var e, e2 eval.Explanation
	exact := sweep(stmts, dn.identity, ActionsOf(stmts), nil, func(pr *Principal, rc *requestClass, res string, ctx map[string][]string) bool {
		if !dn.decide(pr, rc.Rep, res, ctx, &e) || de.decide(pr, rc.Rep, res, ctx, &e2) {
			return true
		}
		s := allowing(&e)
		who := ""
		if !dn.identity {
			who = " by " + pr.ARN
		}
		rs.add(s, fmt.Sprintf("%s grants new access: %s on %s%s", stmtLabel(s), rc.Rep, res, who), exampleOf(dn, pr, rc.Rep, res, ctx))
		return true
	})
	if !exact && len(rs.list) == 0 {
		rs.add(nil, "the policies' classes of requests could not be made exact (a policy variable or a bound): new access is not ruled out", nil)
	}
	return finish(rs.list, "The modified permissions grant no new access compared to your existing policy.",
		"The modified permissions grant new access compared to your existing policy."), nil
}
