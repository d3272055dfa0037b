package iam

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
)

// Constraints of the IAM API reference's parameter types.
var (
	pathPrefixRE = regexp.MustCompile(`^/[\x21-\x7F]*$`)
	descRE       = regexp.MustCompile(`^[\t\n\r\x20-\x7E\x{A1}-\x{FF}]*$`)
	versionIDRE  = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)
	serialRE     = regexp.MustCompile(`^[\w+=/:,.@-]+$`)
	keyIDRE      = regexp.MustCompile(`^[\w]+$`)
	authCodeRE   = regexp.MustCompile(`^[\d]+$`)
)

// Quotas.
const (
	maxTags            = 50 // per role, user, policy or MFA device
	maxManagedPerRole  = 10 // managed policies attached to a role (default quota)
	maxManagedPerUser  = 10
	maxVersions        = 5 // versions of a managed policy
	maxKeysPerUser     = 2
	defaultMaxItems    = 100
	maxMaxItems        = 1000
	minSessionDuration = org.MinSessionDuration
	maxSessionDuration = org.MaxSessionDuration
)

func validationf(format string, args ...any) error {
	return awsproto.Errorf("ValidationError", format, args...)
}

// required returns a required parameter.
func required(c *api.Call, name string) (string, error) {
	v, err := c.Params.Required(name)
	if err != nil {
		return "", err
	}
	return v, nil
}

// checkName validates a name parameter (RoleName, UserName, PolicyName...):
// 1 to max characters of [\w+=,.@-].
func checkName(param, v string, max int) error {
	if n := utf8.RuneCountInString(v); n < 1 || n > max {
		return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, param, max)
	}
	if !org.IsIAMName(v, max) {
		return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", v, param)
	}
	return nil
}

// requiredName reads and validates a required name parameter.
func requiredName(c *api.Call, name string, max int) (string, error) {
	v, err := required(c, name)
	if err != nil {
		return "", err
	}
	return v, checkName(lowerFirst(name), v, max)
}

// optionalPath reads a Path parameter: "/" by default, else / or
// /a/path/ of printable ASCII, at most 512 characters.
func optionalPath(c *api.Call) (string, error) {
	if !c.Params.Has("Path") {
		return "/", nil
	}
	p := c.Params.Get("Path")
	if !org.IsIAMPath(p) {
		return "", validationf("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return p, nil
}

// pathPrefix reads a PathPrefix parameter ("/" by default).
func pathPrefix(c *api.Call) (string, error) {
	if !c.Params.Has("PathPrefix") {
		return "/", nil
	}
	p := c.Params.Get("PathPrefix")
	if len(p) < 1 || len(p) > 512 || !pathPrefixRE.MatchString(p) {
		return "", validationf("The specified value for pathPrefix is invalid. It must begin with / and contain only alphanumeric characters and/or / characters.")
	}
	return p, nil
}

// description reads a Description parameter of at most 1,000 characters.
func description(c *api.Call) (string, bool, error) {
	if !c.Params.Has("Description") {
		return "", false, nil
	}
	d := c.Params.Get("Description")
	if utf8.RuneCountInString(d) > 1000 {
		return "", false, validationf("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	if !descRE.MatchString(d) {
		return "", false, validationf("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*")
	}
	return d, true, nil
}

// tagParams reads a Tags list: at most 50 tags, keys of 1 to 128 and values
// of up to 256 letters, digits, spaces and _.:/=+-@, keys unique ignoring
// case and not starting with aws:.
func tagParams(c *api.Call) ([]Tag, error) {
	raw := c.Params.Structs("Tags")
	if len(raw) > maxTags {
		return nil, validationf("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxTags)
	}
	out := make([]Tag, 0, len(raw))
	seen := map[string]bool{}
	for _, t := range raw {
		k, v := t["Key"], t["Value"]
		if err := checkTagKey("tags.member.key", k); err != nil {
			return nil, err
		}
		if utf8.RuneCountInString(v) > 256 {
			return nil, validationf("1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", v)
		}
		if !tagText(v) {
			return nil, validationf("1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", v)
		}
		if seen[strings.ToLower(k)] {
			return nil, awsproto.Errorf("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(k)] = true
		out = append(out, Tag{Key: k, Value: v})
	}
	return out, nil
}

func checkTagKey(param, k string) error {
	if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
		return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length between 1 and 128", k, param)
	}
	if !tagText(k) {
		return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", k, param)
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return awsproto.Errorf("InvalidInput", "User is not authorized to create tag with key %s: the aws: prefix is reserved for AWS use.", k)
	}
	return nil
}

// tagText reports whether s has only letters, separators, numbers and
// _.:/=+-@ (the tag pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]).
func tagText(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return false
	}
	return true
}

// tagContext returns the request-tag condition keys of tags.
func tagContext(tags []Tag, extra map[string][]string) map[string][]string {
	if extra == nil {
		extra = map[string][]string{}
	}
	if len(tags) == 0 {
		return extra
	}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		keys = append(keys, t.Key)
		extra["aws:RequestTag/"+t.Key] = []string{t.Value}
	}
	extra["aws:TagKeys"] = keys
	return extra
}

// resourceTagContext adds the resource-tag condition keys of an entity's
// tags (aws:ResourceTag/*, and iam:ResourceTag/* for roles and users).
func resourceTagContext(tags map[string]string, extra map[string][]string) map[string][]string {
	if extra == nil {
		extra = map[string][]string{}
	}
	for k, v := range tags {
		extra["aws:ResourceTag/"+k] = []string{v}
		extra["iam:ResourceTag/"+k] = []string{v}
	}
	return extra
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// noSuchEntity is IAM's NoSuchEntity with a message.
func noSuchEntity(format string, args ...any) error {
	return awsproto.Errorf("NoSuchEntity", format, args...)
}
