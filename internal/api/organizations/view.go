package organizations

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/securecart/warden/internal/org"
)

// The AWS managed organization policies.
const (
	fullAWSAccess       = "FullAWSAccess"
	rcpFullAWSAccess    = "RCPFullAWSAccess"
	fullAWSAccessID     = "p-FullAWSAccess"
	rcpFullAWSAccessID  = "p-RCPFullAWSAccess"
	fullAWSAccessARN    = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
	rcpFullAWSAccessARN = "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess"
)

// The documents of the AWS managed policies, as AWS shows them.
const (
	fullAWSAccessContent    = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	rcpFullAWSAccessContent = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": \"*\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
)

// view answers questions about one loaded org in the API's terms.
type view struct {
	o *org.Org
}

func (v view) mgmt() string { return v.o.Management.ID }

func (v view) orgARN() string {
	return "arn:aws:organizations::" + v.mgmt() + ":organization/" + v.o.ID
}

func (v view) rootARN() string {
	return "arn:aws:organizations::" + v.mgmt() + ":root/" + v.o.ID + "/" + v.o.RootID
}

func (v view) ouARN(id string) string {
	return "arn:aws:organizations::" + v.mgmt() + ":ou/" + v.o.ID + "/" + id
}

func (v view) accountARN(id string) string {
	return "arn:aws:organizations::" + v.mgmt() + ":account/" + v.o.ID + "/" + id
}

// containerARN is the ARN of a root or OU ID.
func (v view) containerARN(id string) string {
	if strings.HasPrefix(id, "r-") {
		return "arn:aws:organizations::" + v.mgmt() + ":root/" + v.o.ID + "/" + id
	}
	return v.ouARN(id)
}

// targetARN is the ARN of a root, OU or account ID.
func (v view) targetARN(id string) string {
	if org.IsAccountID(id) {
		return v.accountARN(id)
	}
	return v.containerARN(id)
}

// scpEnabled reports whether SCPs are enabled: the org defines an SCP
// (Warden's engine applies SCPs exactly then).
func (v view) scpEnabled() bool {
	for _, p := range v.o.Policies {
		if p.Type == org.TypeSCP {
			return true
		}
	}
	return false
}

// policyTypes are the policy types enabled in the root. RCPs are always
// enabled: the engine applies RCPs (and the implicit RCPFullAWSAccess)
// whatever the org declares.
func (v view) policyTypes() []PolicyTypeSummary {
	out := []PolicyTypeSummary{}
	if v.scpEnabled() {
		out = append(out, PolicyTypeSummary{Type: typeSCP, Status: "ENABLED"})
	}
	return append(out, PolicyTypeSummary{Type: typeRCP, Status: "ENABLED"})
}

func (v view) typeEnabled(t string) bool {
	return t == typeRCP || (t == typeSCP && v.scpEnabled())
}

func (v view) root() Root {
	return Root{ID: v.o.RootID, Arn: v.rootARN(), Name: org.RootName, PolicyTypes: v.policyTypes()}
}

func (v view) ou(ou *org.OU) OrganizationalUnit {
	return OrganizationalUnit{ID: ou.ID, Arn: v.ouARN(ou.ID), Name: ou.Name}
}

// container finds a root or OU by ID.
func (v view) container(id string) (*org.OU, bool) {
	if id == v.o.RootID {
		return v.o.Root, true
	}
	for _, ou := range v.o.OUs {
		if ou.ID == id {
			return ou, true
		}
	}
	return nil, false
}

// parentOf returns the root or OU an account is in.
func (v view) parentOf(a *org.Account) *org.OU {
	if a.OU != nil {
		return a.OU
	}
	return v.o.Root
}

// depth is an OU's level under the root (the root is 0).
func depth(ou *org.OU) int {
	d := 0
	for ; ou != nil && ou.Parent != nil; ou = ou.Parent {
		d++
	}
	return d
}

// target is a root, OU or account that policies attach to.
type target struct {
	ID, Name, Type string // Type: ROOT, ORGANIZATIONAL_UNIT or ACCOUNT
	ou             *org.OU
	account        *org.Account
}

func (v view) target(id string) (target, bool) {
	if a, ok := v.o.AccountByID(id); ok {
		return target{ID: a.ID, Name: a.Name, Type: "ACCOUNT", account: a}, true
	}
	if ou, ok := v.container(id); ok {
		if ou == v.o.Root {
			return target{ID: ou.ID, Name: org.RootName, Type: "ROOT", ou: ou}, true
		}
		return target{ID: ou.ID, Name: ou.Name, Type: "ORGANIZATIONAL_UNIT", ou: ou}, true
	}
	return target{}, false
}

// targetByName resolves a name of an attach list.
func (v view) targetByName(name string) (target, bool) {
	if name == org.RootName {
		return v.target(v.o.RootID)
	}
	if ou, ok := v.o.OUByName(name); ok {
		return v.target(ou.ID)
	}
	if a, ok := v.o.AccountByName(name); ok {
		return v.target(a.ID)
	}
	return target{}, false
}

func (v view) targetSummary(t target) PolicyTargetSummary {
	return PolicyTargetSummary{TargetID: t.ID, Arn: v.targetARN(t.ID), Name: t.Name, Type: t.Type}
}

// allTargets lists the root, every OU and every account.
func (v view) allTargets() []target {
	out := []target{}
	t, _ := v.target(v.o.RootID)
	out = append(out, t)
	for _, ou := range v.o.OUs {
		t, _ := v.target(ou.ID)
		out = append(out, t)
	}
	for _, a := range v.o.Accounts {
		t, _ := v.target(a.ID)
		out = append(out, t)
	}
	return out
}

// pol is an organization policy as the API shows it: one of the org's SCPs
// or RCPs, or the implicit RCPFullAWSAccess (p == nil).
type pol struct {
	ID, ARN, Name, Description, Type string
	AWSManaged                       bool
	p                                *org.Policy
}

func (p pol) summary() PolicySummary {
	return PolicySummary{ID: p.ID, Arn: p.ARN, Name: p.Name, Description: p.Description, Type: p.Type, AwsManaged: p.AWSManaged}
}

// formatType is the org format's type of the policy.
func (p pol) formatType() string { return formatType[p.Type] }

func (v view) polOf(p *org.Policy) pol {
	t := apiType[p.Type]
	if p.Type == org.TypeSCP && p.Name == fullAWSAccess {
		return pol{ID: fullAWSAccessID, ARN: fullAWSAccessARN, Name: p.Name, Description: p.Description, Type: t, AWSManaged: true, p: p}
	}
	return pol{ID: p.ARN[strings.LastIndexByte(p.ARN, '/')+1:], ARN: p.ARN, Name: p.Name, Description: p.Description, Type: t, p: p}
}

func rcpFull() pol {
	return pol{ID: rcpFullAWSAccessID, ARN: rcpFullAWSAccessARN, Name: rcpFullAWSAccess, Type: typeRCP, AWSManaged: true,
		Description: "Allows access to every operation"}
}

// policies lists the org's policies of an API type.
func (v view) policies(t string) []pol {
	out := []pol{}
	if t == typeRCP {
		out = append(out, rcpFull())
	}
	for _, p := range v.o.Policies {
		if apiType[p.Type] == t && t != "" {
			out = append(out, v.polOf(p))
		}
	}
	return out
}

// policy finds an SCP or RCP by ID.
func (v view) policy(id string) (pol, bool) {
	if id == rcpFullAWSAccessID {
		return rcpFull(), true
	}
	for _, p := range v.o.Policies {
		if p.Type != org.TypeSCP && p.Type != org.TypeRCP {
			continue
		}
		if pp := v.polOf(p); pp.ID == id {
			return pp, true
		}
	}
	return pol{}, false
}

// policyByName finds an SCP or RCP by API type and name.
func (v view) policyByName(t, name string) (pol, bool) {
	for _, p := range v.policies(t) {
		if p.Name == name {
			return p, true
		}
	}
	return pol{}, false
}

// targetsOf lists the targets a policy is attached to.
func (v view) targetsOf(p pol) []target {
	if p.p == nil {
		return v.allTargets()
	}
	out := []target{}
	for _, name := range p.p.Attach {
		if t, ok := v.targetByName(name); ok {
			out = append(out, t)
		}
	}
	return out
}

// attachedTo lists the policies of an API type attached directly to a
// target.
func (v view) attachedTo(t target, typ string) []pol {
	out := []pol{}
	for _, p := range v.policies(typ) {
		if p.p == nil {
			out = append(out, p)
			continue
		}
		for _, name := range p.p.Attach {
			if name == t.Name {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func (v view) isAttached(p pol, t target) bool {
	for _, q := range v.attachedTo(t, p.Type) {
		if q.ID == p.ID {
			return true
		}
	}
	return false
}

// carID is the ID of the CreateAccount request that created an account: a
// function of the organization and the account, so that it needs no
// storage.
func carID(orgID, accountID string) string {
	sum := sha256.Sum256([]byte(orgID + "/create-account/" + accountID))
	return "car-" + hex.EncodeToString(sum[:])[:32]
}
