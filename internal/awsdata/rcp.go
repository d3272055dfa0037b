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
