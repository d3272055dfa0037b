package validate

import (
	"unicode"
	"unicode/utf8"

	"github.com/securecart/warden/internal/policy"
)

// Size quotas by policy type
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html):
// managed identity policies 6,144 characters and role trust policies 2,048
// (raisable to 4,096), both without white space; SCPs and RCPs 5,120
// characters with white space; S3 bucket policies 20 KB.
const (
	identityQuota = 6144
	trustQuota    = 2048
	orgQuota      = 5120
	resourceQuota = 20480
)

func (v *validator) size(root *node) {
	all := utf8.RuneCount(v.src)
	packed := packedLength(v.src)
	loc := v.at(root)
	switch v.opt.Type {
	case policy.Identity, policy.Boundary, policy.Session:
		if packed > identityQuota {
			v.add("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", loc, "The %d characters in the identity policy, excluding whitespace, exceed the %d character maximum for inline and managed policies. We recommend that you use multiple granular policies.", packed, identityQuota)
		}
	case policy.Trust:
		if packed > trustQuota {
			v.add("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", loc, "The %d characters in the role trust policy, excluding whitespace, exceed the %d character maximum. We recommend that you request a role trust policy length quota increase (up to 4,096) using Service Quotas.", packed, trustQuota)
		}
	case policy.SCP:
		if all > orgQuota {
			v.add("POLICY_SIZE_EXCEEDS_SCP_QUOTA", loc, "The %d characters in the service control policy (SCP) exceed the %d character maximum for SCPs. We recommend that you use multiple granular policies, or remove white space outside strings.", all, orgQuota)
		}
	case policy.RCP:
		if all > orgQuota {
			v.add("POLICY_SIZE_EXCEEDS_RCP_QUOTA", loc, "The %d characters in the resource control policy (RCP) exceed the %d character maximum for RCPs. We recommend that you use multiple granular policies, or remove white space outside strings.", all, orgQuota)
		}
	case policy.Resource:
		if len(v.src) > resourceQuota {
			v.add("POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", loc, "The %d characters in the resource policy exceed the %d character maximum for resource policies. We recommend that you use multiple granular policies.", len(v.src), resourceQuota)
		}
	}
}

// packedLength counts the characters outside white space that is outside
// strings, as IAM does.
func packedLength(src []byte) int {
	n, inString, escaped := 0, false, false
	for _, r := range string(src) {
		switch {
		case inString:
			n++
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
			}
		case r == '"':
			n++
			inString = true
		case !unicode.IsSpace(r):
			n++
		}
	}
	return n
}
