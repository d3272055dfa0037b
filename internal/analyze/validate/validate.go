package validate

import (
	"fmt"

	"github.com/securecart/warden/internal/policy"
)

// Options says what a document is: its policy type and, for a resource
// policy, the type of resource it is attached to.
type Options struct {
	// Type is the policy type; 0 means identity.
	Type policy.Type
	// ResourceType is one of ResourceTypes, or "" for a resource policy of no
	// particular resource (the checks for every resource policy run). A trust
	// policy is AWS::IAM::AssumeRolePolicyDocument whatever this says.
	ResourceType string
}

// ResourceTypes are the values of ValidatePolicy's validatePolicyResourceType.
var ResourceTypes = []string{
	"AWS::S3::Bucket",
	"AWS::S3::AccessPoint",
	"AWS::S3::MultiRegionAccessPoint",
	"AWS::S3ObjectLambda::AccessPoint",
	"AWS::IAM::AssumeRolePolicyDocument",
	"AWS::DynamoDB::Table",
}

// OptionsFromAPI maps ValidatePolicy's policyType (IDENTITY_POLICY,
// RESOURCE_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY) and
// validatePolicyResourceType to Options. The error says which parameter is
// wrong, for a ValidationException.
func OptionsFromAPI(policyType, resourceType string) (Options, error) {
	var o Options
	switch policyType {
	case "IDENTITY_POLICY":
		o.Type = policy.Identity
	case "RESOURCE_POLICY":
		o.Type = policy.Resource
	case "SERVICE_CONTROL_POLICY":
		o.Type = policy.SCP
	case "RESOURCE_CONTROL_POLICY":
		o.Type = policy.RCP
	default:
		return o, fmt.Errorf("policyType: %q is not one of IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY", policyType)
	}
	if resourceType == "" {
		return o, nil
	}
	if o.Type != policy.Resource {
		return o, fmt.Errorf("validatePolicyResourceType: only a RESOURCE_POLICY has a resource type")
	}
	if err := o.setResourceType(resourceType); err != nil {
		return o, err
	}
	return o, nil
}

// NewOptions builds Options from Warden's policy type and an optional
// resource type, checking that they agree.
func NewOptions(t policy.Type, resourceType string) (Options, error) {
	o := Options{Type: t}
	if resourceType == "" {
		return o, nil
	}
	switch {
	case t == policy.Resource:
	case t == policy.Trust && resourceType == trustResourceType:
	default:
		return o, fmt.Errorf("--resource-type applies to resource policies only, not %s policies", t)
	}
	return o, o.setResourceType(resourceType)
}

func (o *Options) setResourceType(rt string) error {
	for _, known := range ResourceTypes {
		if rt == known {
			if rt == trustResourceType {
				o.Type = policy.Trust
			} else {
				o.ResourceType = rt
			}
			return nil
		}
	}
	return fmt.Errorf("validatePolicyResourceType: %q is not one of %v", rt, ResourceTypes)
}

const trustResourceType = "AWS::IAM::AssumeRolePolicyDocument"

// Validate runs every policy check on a policy document and returns the
// findings in source order. It never fails: a document that is not JSON is a
// JSON_SYNTAX_ERROR finding.
func Validate(src []byte, opt Options) []Finding {
	if opt.Type == 0 {
		opt.Type = policy.Identity
	}
	v := &validator{src: src, opt: opt, pos: newPositions(src)}
	root, serr := parseTree(src)
	if serr != nil {
		p := v.pos.at(serr.off)
		v.add("JSON_SYNTAX_ERROR", Location{Path: []PathElement{}, Span: Span{Start: p, End: p}},
			"Fix the JSON syntax error at index %d line %d column %d: %s.", p.Offset, p.Line, p.Column, serr.msg)
		return v.findings
	}
	v.document(root)
	sortFindings(v.findings)
	return v.findings
}

// validator holds one run of the checks over one document.
type validator struct {
	src      []byte
	opt      Options
	pos      *positions
	findings []Finding

	vars       bool // Version 2012-10-17: policy variables are substituted
	statements []*statement
}

func (v *validator) add(code string, loc Location, format string, args ...any) {
	v.addAt(code, []Location{loc}, fmt.Sprintf(format, args...))
}

func (v *validator) addAt(code string, locs []Location, details string) {
	c, ok := catalog[code]
	if !ok {
		panic("validate: issue code " + code + " is not in the catalog")
	}
	v.findings = append(v.findings, Finding{
		FindingType:    c.findingType,
		IssueCode:      code,
		FindingDetails: details,
		LearnMoreLink:  ReferencePage + "#" + c.anchor,
		Locations:      locs,
	})
}

// at is the location of a value.
func (v *validator) at(n *node) Location {
	return Location{Path: pathTo(n), Span: v.pos.span(n.start, n.end)}
}

// atKey is the location of a member's name.
func (v *validator) atKey(m *member) Location {
	path := pathTo(m.val)
	name := m.name
	path[len(path)-1] = PathElement{Key: &name}
	return Location{Path: path, Span: v.pos.span(m.keyStart, m.keyEnd)}
}

// check is a catalog entry.
type check struct {
	findingType string
	anchor      string
}
