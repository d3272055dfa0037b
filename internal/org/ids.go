package org

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The formats AWS gives its identifiers and names.
var (
	reOrgID       = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	reRootID      = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	reOUID        = regexp.MustCompile(`^ou-([0-9a-z]{4,32})-[a-z0-9]{8,32}$`)
	reEmail       = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	reInstanceARN = regexp.MustCompile(`^arn:aws:sso:::instance/ssoins-([0-9a-f]{16})$`)
	reStoreID     = regexp.MustCompile(`^d-[0-9a-f]{10}$`)
	reSAMLName    = regexp.MustCompile(`^[\w._-]{1,128}$`)
	reDuration    = regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$`)
)

// hashHex returns the first n hex digits of SHA-256 over parts joined by "/".
func hashHex(n int, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])[:n]
}

// defaultRootID derives a root ID from the organization's ID.
func defaultRootID(orgID string) string { return "r-" + hashHex(4, orgID, "root") }

// defaultOUID derives an OU's ID from the organization's and its name.
func defaultOUID(orgID, rootID, name string) string {
	return "ou-" + strings.TrimPrefix(rootID, "r-") + "-" + hashHex(8, orgID, "ou", name)
}

// policyID derives an organization policy's ID (p-...).
func policyID(orgID, typ, name string) string { return "p-" + hashHex(8, orgID, typ, name) }

// SSORoleName returns the name of the role a permission set is provisioned
// as: AWSReservedSSO_<name>_<first 16 hex digits of SHA-256 over
// instanceARN + "/" + name>, the same in every account.
func SSORoleName(instanceARN, permissionSet string) string {
	return "AWSReservedSSO_" + permissionSet + "_" + hashHex(16, instanceARN, permissionSet)
}

// parseSessionDuration parses an ISO 8601 duration such as PT8H or PT1H30M
// into seconds.
func parseSessionDuration(s string) (int, error) {
	m := reDuration.FindStringSubmatch(s)
	if m == nil || s == "PT" {
		return 0, fmt.Errorf("malformed duration %q: want ISO 8601 such as PT8H or PT1H30M", s)
	}
	total := 0
	for i, unit := range []int{3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.Atoi(m[i+1])
		if err != nil || v > 1_000_000 {
			return 0, fmt.Errorf("malformed duration %q", s)
		}
		total += v * unit
	}
	return total, nil
}
