package validate

import (
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/policy"
)

// sourceKeys are the keys that tie a service principal's request to the
// resource or account it acts for
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
var sourceKeys = map[string]bool{"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true}

// principalOnlyKeys are request-context keys of the calling principal,
// which a service principal's own requests do not carry
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties).
var principalOnlyKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:principaltype": true, "aws:userid": true, "aws:username": true,
}

// servicePrincipal checks statements of resource policies that grant to
// service principals only: without a source condition any resource of any
// account could have the service act (the confused deputy); keys of the
// calling principal are absent from the service's requests.
func (v *validator) servicePrincipal(s *statement) {
	if v.opt.Type != policy.Resource || s.effect != "Allow" || s.principal == nil || s.notPrincipal || s.principal.val.kind != '{' {
		return
	}
	var services []*node
	for _, m := range s.principal.val.members {
		if m.name != "Service" {
			return // the statement also grants to other principals
		}
		services = append(services, m.val.stringNodes()...)
	}
	if len(services) == 0 {
		return
	}
	hasSource := false
	var unsupported, others []*cond
	for _, c := range s.conds {
		low := c.lower()
		switch {
		case sourceKeys[low]:
			hasSource = true
		case principalOnlyKeys[low] || strings.HasPrefix(low, "aws:principaltag/"):
			unsupported = append(unsupported, c)
		default:
			others = append(others, c)
		}
	}
	if len(unsupported) > 0 {
		names := make([]string, len(unsupported))
		locs := make([]Location, len(unsupported))
		for i, c := range unsupported {
			names[i], locs[i] = c.name(), v.atKey(c.key)
		}
		v.addAt("UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", locs, "The following condition keys are not supported when used with the service principal: "+strings.Join(names, ", ")+". A service's requests carry no calling principal's properties. Use aws:SourceArn or aws:SourceAccount instead.")
	}
	switch {
	case hasSource:
	case len(s.conds) == 0:
		v.add("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", v.atKey(s.principal), "Granting access to the service principal %s without specifying a source is overly permissive: the service could act for any resource of any account. Use aws:SourceArn or aws:SourceAccount condition key and scope access to a specific source to grant fine-grained access.", services[0].str)
	default:
		prefix := strings.SplitN(services[0].str, ".", 2)[0]
		for _, c := range others {
			v.add("RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", v.atKey(c.key), "To restrict access to the service principal %s operating on your behalf, we recommend aws:SourceArn or aws:SourceAccount instead of %s.", prefix, c.name())
		}
	}
}

// resourceServices are the action and ARN services a resource type's policy
// can name.
var resourceServices = map[string][]string{
	"AWS::S3::Bucket":                  {"s3"},
	"AWS::S3::AccessPoint":             {"s3"},
	"AWS::S3::MultiRegionAccessPoint":  {"s3"},
	"AWS::S3ObjectLambda::AccessPoint": {"s3-object-lambda"},
	"AWS::DynamoDB::Table":             {"dynamodb"},
}

// resourceTypeChecks reports actions, resources and condition keys that do
// not fit the resource type the policy is attached to, and non-sts actions
// in a trust policy.
func (v *validator) resourceTypeChecks(s *statement) {
	rt := v.opt.ResourceType
	allowed := resourceServices[rt]
	if v.opt.Type == policy.Trust {
		rt, allowed = trustResourceType, []string{"sts"}
	}
	if allowed == nil {
		return
	}
	if !s.notAction {
		for _, a := range s.actions {
			svc, _, ok := strings.Cut(strings.ToLower(a.str), ":")
			if a.str == "*" || !ok || strings.ContainsAny(svc, "*?") || contains(allowed, svc) {
				continue
			}
			v.add("UNSUPPORTED_ACTION_IN_POLICY", v.at(a), "The action %s is not supported for the resource-based policy attached to the resource type %s. Use %s actions.", a.str, rt, strings.Join(allowed, " or "))
		}
	}
	if v.opt.Type != policy.Trust && !s.notResource {
		for _, r := range s.resources {
			var p [6]string
			if r.str == "*" || !strings.HasPrefix(r.str, "arn:") || !arn.Split(r.str, &p) || wild(p[2]) || contains(allowed, p[2]) {
				continue
			}
			v.add("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", v.at(r), "The resource ARN %s is not supported for the resource-based policy attached to the resource type %s: name %s resources.", r.str, rt, strings.Join(allowed, " or "))
		}
	}
	if strings.HasPrefix(rt, "AWS::S3::") {
		for _, c := range s.conds {
			if c.lower() == "s3:resourceaccount" {
				v.add("IRRELEVANT_CONDITION_KEY_IN_POLICY", v.atKey(c.key), "The condition key %s is not relevant for the %s policy: the resource's account is the policy's own. Use this key in an identity-based policy to govern access to this resource.", c.name(), rt)
			}
		}
	}
}
