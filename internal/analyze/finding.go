package analyze

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/policy"
)

// Finding is one class of access from outside the zone of trust, in Access
// Analyzer's shape (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Finding.html),
// with the request the engine allows and the statement that lets it in.
type Finding struct {
	ID                   string            `json:"id"`
	Resource             string            `json:"resource"`
	ResourceType         string            `json:"resourceType"`
	ResourceOwnerAccount string            `json:"resourceOwnerAccount"`
	Principal            map[string]string `json:"principal,omitempty"`
	Action               []string          `json:"action,omitempty"`
	Condition            map[string]string `json:"condition"`
	IsPublic             bool              `json:"isPublic"`
	Status               string            `json:"status"`
	// Unsure marks a class the analysis could not decide: access is
	// possible, not proven. Reason says why.
	Unsure bool   `json:"unsure,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Example is a request the engine allows; Statement lets it in.
	Example   *Request      `json:"example,omitempty"`
	Statement *StatementRef `json:"statement,omitempty"`
}

// Request is a request as `warden explain` takes it.
type Request struct {
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Context   map[string][]string `json:"context,omitempty"`
}

// StatementRef names a statement: its policy, Sid or index, and where it
// is written.
type StatementRef struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid,omitempty"`
	Index  int    `json:"index"`
	Pos    string `json:"position,omitempty"`
	// The compiled policy and statement, for callers that know where the
	// policy is written (see check.Sources).
	Compiled *policy.Policy    `json:"-"`
	Source   *policy.Statement `json:"-"`
}

func refOf(p *policy.Policy, s *policy.CompiledStatement) *StatementRef {
	r := &StatementRef{Policy: p.Name, Sid: s.Src.Sid, Index: s.Src.Index, Compiled: p, Source: s.Src}
	if s.Src.Pos.IsValid() {
		r.Pos = s.Src.Pos.String()
	}
	return r
}

// findingID is a stable ID: the same access to the same resource keeps its
// ID across analyses.
func findingID(resource string, principal, cond map[string]string, unsure bool) string {
	h := sha256.New()
	h.Write([]byte(resource))
	for _, m := range []map[string]string{principal, cond} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.Write([]byte{0})
			h.Write([]byte(k + "=" + m[k]))
		}
		h.Write([]byte{1})
	}
	if unsure {
		h.Write([]byte("unsure"))
	}
	s := hex.EncodeToString(h.Sum(nil))
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// Covers reports whether the finding covers a request by the caller for
// action on resource: the test of soundness (every allowed request from
// outside the zone is covered by a finding).
func (f *Finding) Covers(caller policy.Caller, action, resource string) bool {
	if !strings.EqualFold(resource, f.Resource) && !strings.HasPrefix(resource, f.Resource+"/") {
		return false
	}
	if !f.Unsure || len(f.Action) > 0 {
		ok := false
		for _, a := range f.Action {
			if strings.EqualFold(a, action) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	for kind, v := range f.Principal {
		switch kind {
		case "AWS":
			if v == "*" {
				return true
			}
			if caller.Kind == policy.CallerService || caller.Kind == policy.CallerWebIdentity {
				return false
			}
			return v == "*" || v == caller.Account || v == caller.ARN || v == caller.RoleARN || strings.HasSuffix(v, ":role/"+caller.Name) && caller.RoleARN != ""
		case "Service":
			return caller.Kind == policy.CallerService && strings.EqualFold(v, caller.ARN)
		case "Federated":
			return caller.Kind == policy.CallerWebIdentity && v == caller.ARN
		}
	}
	return f.Unsure
}

// ResourceType names a resource's type as Access Analyzer does, from its ARN.
func ResourceType(resource string) string {
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	res := parts[5]
	switch parts[2] {
	case "s3":
		if strings.HasPrefix(res, "accesspoint/") {
			return "AWS::S3::AccessPoint"
		}
		if parts[4] == "" {
			return "AWS::S3::Bucket"
		}
		return "AWS::S3::" + titleCase(strings.SplitN(res, "/", 2)[0])
	case "s3express":
		return "AWS::S3Express::DirectoryBucket"
	case "iam":
		if strings.HasPrefix(res, "role/") {
			return "AWS::IAM::Role"
		}
		if strings.HasPrefix(res, "user/") {
			return "AWS::IAM::User"
		}
	case "kms":
		return "AWS::KMS::Key"
	case "sqs":
		return "AWS::SQS::Queue"
	case "sns":
		return "AWS::SNS::Topic"
	case "lambda":
		if strings.HasPrefix(res, "layer:") {
			return "AWS::Lambda::LayerVersion"
		}
		return "AWS::Lambda::Function"
	case "secretsmanager":
		return "AWS::SecretsManager::Secret"
	case "ecr":
		return "AWS::ECR::Repository"
	case "elasticfilesystem":
		return "AWS::EFS::FileSystem"
	case "dynamodb":
		if strings.Contains(res, "/stream/") {
			return "AWS::DynamoDB::Stream"
		}
		return "AWS::DynamoDB::Table"
	case "rds":
		if strings.HasPrefix(res, "cluster-snapshot:") {
			return "AWS::RDS::DBClusterSnapshot"
		}
		return "AWS::RDS::DBSnapshot"
	case "ec2":
		return "AWS::EC2::Snapshot"
	}
	return "AWS::" + titleCase(parts[2]) + "::" + titleCase(strings.FieldsFunc(res, func(r rune) bool { return r == '/' || r == ':' })[0])
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
