package iam

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// policyRec is a managed policy as IAM shows it: a customer managed policy
// of an account (its definition in the org document and its versions in the
// document's metadata) or an AWS managed policy (read-only, from awsdata).
type policyRec struct {
	Name, Path, ARN, Description string
	AWS                          bool
	Versions                     []versionRec // in version order
	def                          *org.PolicyDef
}

type versionRec struct {
	ID      string
	Text    string
	Default bool
	Created time.Time
}

// defaultVersion returns the default version.
func (p *policyRec) defaultVersion() versionRec {
	for _, v := range p.Versions {
		if v.Default {
			return v
		}
	}
	return p.Versions[0]
}

func isAWSManaged(arn string) bool { return strings.HasPrefix(arn, awsManagedPrefix) }

// splitPolicyARN returns the path and name of a policy ARN.
func splitPolicyARN(arn string) (path, name string) {
	i := strings.Index(arn, ":policy/")
	if i < 0 {
		return "/", arn
	}
	rest := arn[i+len(":policy"):]
	name = rest[strings.LastIndexByte(rest, '/')+1:]
	return rest[:len(rest)-len(name)], name
}

// findPolicy finds the managed policy an ARN names for the account: an AWS
// managed policy, or the account's customer managed policy.
func (s *Service) findPolicy(ctx context.Context, m *model, acctID, arn string) (*policyRec, bool) {
	if isAWSManaged(arn) {
		mp, ok := awsdata.ManagedPolicyByARN(arn)
		if !ok || mp.ARN != arn || mp.Document == nil {
			return nil, false
		}
		return awsPolicyRec(mp, s.seeded(ctx)), true
	}
	def := m.ManagedByARN(acctID, arn)
	if def == nil {
		return nil, false
	}
	return s.customerPolicyRec(ctx, m, acctID, def), true
}

func awsPolicyRec(mp awsdata.ManagedPolicy, created time.Time) *policyRec {
	path, _ := splitPolicyARN(mp.ARN)
	id := mp.VersionID
	if id == "" {
		id = "v1"
	}
	return &policyRec{Name: mp.Name, Path: path, ARN: mp.ARN, AWS: true,
		Versions: []versionRec{{ID: id, Text: string(mp.Document), Default: true, Created: created}}}
}

func (s *Service) customerPolicyRec(ctx context.Context, m *model, acctID string, def *org.PolicyDef) *policyRec {
	arn := def.ARNIn(acctID)
	p := &policyRec{Name: def.Name, Path: def.IAMPath(), ARN: arn, Description: m.Expand(def.Description), def: def}
	current := m.docText(def.Document)
	stored := m.d.Meta.PolicyVersions[arn]
	if len(stored) == 0 {
		stored = fileVersions(m, def, s.created(ctx, m.d, arn))
	}
	for _, v := range stored {
		vr := versionRec{ID: v.ID, Default: v.Default, Created: v.Created, Text: versionText(m, v.Document)}
		if v.Default {
			vr.Text = current // the org holds the default version's document
		}
		p.Versions = append(p.Versions, vr)
	}
	sort.SliceStable(p.Versions, func(i, j int) bool { return versionNumber(p.Versions[i].ID) < versionNumber(p.Versions[j].ID) })
	return p
}

// versionText reads a stored version's document: a JSON string holding the
// text as it was given, or a JSON document.
func versionText(m *model, raw json.RawMessage) string {
	var doc org.PolicyDoc
	if json.Unmarshal(raw, &doc) != nil {
		return string(raw)
	}
	return m.docText(doc)
}

// storedText stores a version's text as a JSON string, so that it is kept
// exactly as given.
func storedText(text string) json.RawMessage {
	data, _ := json.Marshal(text)
	return data
}

func versionNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil {
		return 1 << 30
	}
	return n
}

// versions returns a customer managed policy's stored versions, making the
// first one from the definition when none is stored yet.
func versions(m *model, arn string, def *org.PolicyDef, created time.Time) []state.PolicyVersion {
	vs := m.d.Meta.PolicyVersions[arn]
	if len(vs) == 0 {
		vs = fileVersions(m, def, created)
	}
	return vs
}

// fileVersions are a customer managed policy's versions as the org defines
// them: its other versions (the org format's versions), then the default
// one (its document), numbered after them; v1 alone for a policy without
// other versions.
func fileVersions(m *model, def *org.PolicyDef, created time.Time) []state.PolicyVersion {
	var vs []state.PolicyVersion
	for _, v := range def.Versions {
		vs = append(vs, state.PolicyVersion{ID: v.ID, Document: storedText(m.docText(v.Document)), Created: created})
	}
	return append(vs, state.PolicyVersion{ID: def.DefaultVersionID(), Document: storedText(m.docText(def.Document)), Default: true, Created: created})
}

// usage counts, for each managed policy ARN, the roles, users and groups of
// an account that attach it, and those that use it as their permissions
// boundary.
type usage struct {
	attached, boundary map[string]int
}

func accountUsage(m *model, o *org.Org, acctID string) usage {
	u := usage{attached: map[string]int{}, boundary: map[string]int{}}
	for _, r := range accountRoles(m, o, acctID) {
		for _, a := range r.Managed {
			u.attached[a]++
		}
		if r.Boundary != "" {
			u.boundary[r.Boundary]++
		}
	}
	acct := m.AccountName(acctID)
	count := func(managed []string, boundary string) {
		for _, ref := range managed {
			u.attached[m.RefARN(acctID, ref)]++
		}
		if boundary != "" {
			u.boundary[m.RefARN(acctID, boundary)]++
		}
	}
	for _, e := range m.UsersIn(acct) {
		count(e.ManagedPolicies, e.PermissionsBoundary)
	}
	for _, e := range m.GroupsIn(acct) {
		count(e.ManagedPolicies, "")
	}
	return u
}

// policyStruct is the Policy data type of a policy.
func (s *Service) policyStruct(ctx context.Context, m *model, p *policyRec, u usage, withDesc bool) Policy {
	def := p.defaultVersion()
	created := def.Created
	if !p.AWS {
		created = s.created(ctx, m.d, p.ARN)
	}
	out := Policy{PolicyName: p.Name, PolicyID: creds.StableID("ANPA", p.ARN), Arn: p.ARN, Path: p.Path,
		DefaultVersionID: def.ID, AttachmentCount: u.attached[p.ARN], PermissionsBoundaryUsageCount: u.boundary[p.ARN],
		IsAttachable: true, CreateDate: isoTime(created), UpdateDate: isoTime(def.Created)}
	if withDesc {
		out.Description = p.Description
	}
	return out
}

// targetPolicy reads PolicyArn and finds the policy for the caller's
// account.
func (s *Service) targetPolicy(ctx context.Context, c *api.Call) (*model, *org.Org, string, *policyRec, error) {
	arn, err := policyARNParam(c, "PolicyArn")
	if err != nil {
		return nil, nil, "", nil, err
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, nil, "", nil, err
	}
	p, _ := s.findPolicy(ctx, m, c.Identity.Account, arn)
	return m, o, arn, p, nil
}

// policyNotFound is IAM's NoSuchEntity for a policy ARN.
func policyNotFound(arn string) error {
	return noSuchEntity("Policy %s was not found.", arn)
}

// ownPolicy returns the definition of a customer managed policy of the
// account for a change, refusing a change that would make the account's copy
// differ from the other accounts' (the org format holds one definition per
// name).
func ownPolicy(m *model, acctID, arn string, changesDefault bool) (*org.PolicyDef, error) {
	def := m.ManagedByARN(acctID, arn)
	if def == nil {
		return nil, policyNotFound(arn)
	}
	if changesDefault {
		if names := m.ExpandAccounts(def.Accounts); len(names) > 1 {
			return nil, sharedPolicy(def, names)
		}
	}
	return def, nil
}

func sharedPolicy(def *org.PolicyDef, names []string) error {
	return awsproto.Errorf("InvalidInput", "Policy %s is defined once for accounts %s in the organization's files; Warden cannot give one account's copy another document: change the definition in the org files, or create a policy of another name",
		def.Name, strings.Join(names, ", "))
}

// policyResource is the trail's record of a managed policy.
func policyResource(arn, acct string) []api.Resource {
	return []api.Resource{{ARN: arn, Type: "AWS::IAM::Policy", Account: acct}}
}
