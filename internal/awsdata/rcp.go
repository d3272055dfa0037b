package awsdata

import (
	"strings"
	"sync"
)

var rcpServices = sync.OnceValue(func() map[string]bool {
	var list []string
	decodeData("rcpservices.json", rcpServicesJSON, &list)
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
})

// RCPApplies reports whether resource control policies apply to the
// resources of a service prefix (case-insensitive): RCPs cover a listed set
// of services only.
func RCPApplies(service string) bool {
	return rcpServices()[strings.ToLower(service)]
}

// rcpExemptActions are the permissions AWS lists as not impacted by RCPs
// even in a service that supports them ("Resources and entities not
// restricted by RCPs",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps):
// kms:RetireGrant, whose permission is decided by the grant itself
// (https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html).
var rcpExemptActions = map[string]bool{"kms:retiregrant": true}

// RCPExempt reports whether RCPs leave an action ("service:Name", any case)
// alone although they apply to its service: one of the permissions RCPs do
// not impact, or an action the Service Authorization Reference gives no
// resource type. RCPs apply to "the resources that are authorized as part of
// an operation request", those of the action's "Resource type" column ("RCP
// effects on permissions",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-effects-on-permissions):
// such an action authorizes no resource, so no account's RCPs apply.
func RCPExempt(action string) bool {
	return rcpExemptActions[strings.ToLower(action)] || TakesNoResource(action)
}

// RCPAppliesTo reports whether resource control policies apply to a request
// for an action ("service:Name", any case): its service supports RCPs and
// the action is not one RCPs leave alone (RCPExempt).
func RCPAppliesTo(action string) bool {
	svc, _, _ := strings.Cut(action, ":")
	return RCPApplies(svc) && !RCPExempt(action)
}
