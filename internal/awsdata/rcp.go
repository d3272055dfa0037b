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
// alone although they apply to its service.
func RCPExempt(action string) bool {
	return rcpExemptActions[strings.ToLower(action)]
}

// RCPAppliesTo reports whether resource control policies apply to a request
// for an action ("service:Name", any case): its service supports RCPs and
// the action is not one of the permissions RCPs do not impact.
func RCPAppliesTo(action string) bool {
	svc, _, _ := strings.Cut(action, ":")
	return RCPApplies(svc) && !RCPExempt(action)
}
