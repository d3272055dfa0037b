package organizations

import (
	"github.com/securecart/warden/internal/org"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The patterns of the API reference's parameters.
var (
	reParentID   = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	reChildID    = regexp.MustCompile(`^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	reTargetID   = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	rePolicyID   = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	reCARID      = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
	reAcctName   = regexp.MustCompile(`^[\x20-\x7E]+$`)
	reTagKeyChar = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// Limits of the API reference and the Organizations quotas
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
const (
	maxOUs              = 1000
	maxPoliciesPerType  = 1000
	maxPolicyContent    = 5120 // characters, SCPs and RCPs
	maxAttachedPerType  = 5
	maxNameOU           = 128
	maxNamePolicy       = 128
	maxDescription      = 512
	maxAccountName      = 50
	maxTags             = 50
	defaultRoleName     = "OrganizationAccountAccessRole"
	placeholderGuard    = "${account:"
	hiddenForSecurity   = "HIDDEN_DUE_TO_SECURITY_REASONS"
	maxResultsLimit     = 20
	defaultPageSize     = 20
	reservedRolePrefix  = "AWSServiceRoleFor"
	reservedTagPrefix   = "aws:"
	managementJoined    = "INVITED"
	memberJoined        = "CREATED"
	accountStatusActive = "ACTIVE"
)

// required checks a required string parameter against a pattern.
func required(field string, v *string, re *regexp.Regexp) (string, error) {
	if v == nil || *v == "" {
		return "", inputRequired(field)
	}
	if re != nil && !re.MatchString(*v) {
		return "", invalidPattern(field, *v)
	}
	return *v, nil
}

// accountID checks an AccountId: 12 digits.
func accountID(v *string) (string, error) {
	id, err := required("AccountId", v, nil)
	if err == nil && !org.IsAccountID(id) {
		return "", invalidPattern("AccountId", id)
	}
	return id, err
}

// parentID checks a ParentId.
func parentID(field string, v *string) (string, error) {
	if v != nil && len(*v) > 100 {
		return "", tooLong(field, 100)
	}
	return required(field, v, reParentID)
}

// targetID checks a TargetId: its pattern errors have their own reason.
func targetID(v *string) (string, error) {
	if v == nil || *v == "" {
		return "", inputRequired("TargetId")
	}
	if len(*v) > 100 || !reTargetID.MatchString(*v) {
		return "", invalidInput("INVALID_PATTERN_TARGET_ID", "You specified a policy target ID that doesn't match the required pattern: %q.", *v)
	}
	return *v, nil
}

// policyID checks a PolicyId.
func policyID(v *string) (string, error) {
	if v == nil || *v == "" {
		return "", inputRequired("PolicyId")
	}
	if !rePolicyID.MatchString(*v) {
		return "", invalidInput("INVALID_SYNTAX_POLICY_ID", "You specified an invalid policy ID: %q.", *v)
	}
	return *v, nil
}

// policyType checks a PolicyType (Type, Filter).
func policyType(field string, v *string) (string, error) {
	if v == nil || *v == "" {
		return "", inputRequired(field)
	}
	if !apiPolicyTypes[*v] {
		return "", invalidInput("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string: %q.", *v)
	}
	return *v, nil
}

// length checks a string's length in characters.
func length(field, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	if n < min {
		return tooShort(field, min)
	}
	if n > max {
		return tooLong(field, max)
	}
	return nil
}

// storable refuses text that the org format would read as an account
// placeholder (${account:Name}), which it replaces in every string.
func storable(field, v string) error {
	if org.HasPlaceholder(v) {
		return invalidInput("INVALID_PATTERN", "%s may not contain %q: Warden's organization format reads it as an account placeholder.", field, placeholderGuard)
	}
	return nil
}

// Tag is the Tag data type.
type Tag struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

// tags checks a Tags list and returns it as a map.
func tags(list []Tag) (map[string]string, error) {
	if len(list) > maxTags {
		return nil, constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource: at most %d.", maxTags)
	}
	out := map[string]string{}
	for _, t := range list {
		if t.Key == nil || t.Value == nil {
			return nil, inputRequired("Tags.Key and Tags.Value")
		}
		k, v := *t.Key, *t.Value
		if err := length("Tag key", k, 1, 128); err != nil {
			return nil, err
		}
		if err := length("Tag value", v, 0, 256); err != nil {
			return nil, err
		}
		if !reTagKeyChar.MatchString(k) || !reTagKeyChar.MatchString(v) {
			return nil, invalidPattern("Tag", k+"="+v)
		}
		if strings.HasPrefix(strings.ToLower(k), reservedTagPrefix) {
			return nil, invalidInput("INVALID_SYSTEM_TAGS_PARAMETER", "You specified a tag key that is a system tag: %q. Keys beginning with aws: are reserved for AWS use.", k)
		}
		if err := storable("Tag", k+v); err != nil {
			return nil, err
		}
		if _, dup := out[k]; dup {
			return nil, invalidInput("DUPLICATE_TAG_KEY", "Tag keys must be unique among the tags attached to the same entity: %q is given twice.", k)
		}
		out[k] = v
	}
	return out, nil
}

// tagContext returns the aws:RequestTag/* and aws:TagKeys keys of a
// request's tags.
func tagContext(t map[string]string) map[string][]string {
	if len(t) == 0 {
		return nil
	}
	ctx := map[string][]string{}
	keys := make([]string, 0, len(t))
	for k, v := range t {
		ctx["aws:RequestTag/"+k] = []string{v}
		keys = append(keys, k)
	}
	ctx["aws:TagKeys"] = keys
	return ctx
}

// noTags refuses tags on entities whose tags the org format cannot keep
// (OUs and policies): Warden rejects what it cannot store rather than drop
// it.
func noTags(what string, list []Tag) error {
	if len(list) == 0 {
		return nil
	}
	return invalidInput("TARGET_NOT_SUPPORTED", "Warden's organization format keeps no tags for %s: send the request without Tags.", what)
}
