package validate

import (
	"encoding/base64"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/policy"
)

// family is an operator's value type.
func family(op condition.Op) string {
	switch b := op.Base; {
	case strings.HasPrefix(b, "String"):
		return "String"
	case strings.HasPrefix(b, "Numeric"):
		return "Numeric"
	case strings.HasPrefix(b, "Date"):
		return "Date"
	case b == "Bool":
		return "Bool"
	case b == "BinaryEquals":
		return "Binary"
	case strings.HasSuffix(b, "IpAddress"):
		return "IPAddress"
	case strings.HasPrefix(b, "Arn"):
		return "ARN"
	}
	return "Null"
}

// allowedFamilies maps a key type to the operator families that compare it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
// ARN keys take ARN or String operators; the others their own family.
var allowedFamilies = map[string][]string{
	"String": {"String"}, "ArrayOfString": {"String"},
	"ARN": {"ARN", "String"}, "ArrayOfARN": {"ARN", "String"},
	"Bool": {"Bool"}, "ArrayOfBool": {"Bool"},
	"Numeric": {"Numeric"}, "ArrayOfNumeric": {"Numeric"},
	"Date": {"Date"}, "ArrayOfDate": {"Date"},
	"IPAddress": {"IPAddress"}, "ArrayOfIPAddress": {"IPAddress"},
	"Binary": {"Binary"},
}

var (
	conditionKeyFormat = regexp.MustCompile(`^[^:\s]+:\S+$`)
	vpcID              = regexp.MustCompile(`^vpc-([0-9a-zA-Z]{8}|[0-9a-zA-Z]{17})$`)
	vpceID             = regexp.MustCompile(`^vpce-([0-9a-zA-Z]{8}|[0-9a-zA-Z]{17})$`)
)

// tagKeyPrefixes are the global keys that need a tag key after the slash.
var tagKeyPrefixes = []string{"aws:RequestTag", "aws:ResourceTag", "aws:PrincipalTag"}

// conditionChecks checks each condition key and its values.
func (v *validator) conditionChecks(s *statement) {
	for _, c := range s.conds {
		v.conditionKey(s, c)
		if c.opOK {
			v.operatorAndValues(s, c)
		}
	}
	v.pairedKeys(s)
	v.keyActionSupport(s)
	v.tagKeySupport(s)
}

// conditionKey checks that the key exists, globally or in its service.
func (v *validator) conditionKey(s *statement, c *cond) {
	name := c.name()
	loc := v.atKey(c.key)
	if !conditionKeyFormat.MatchString(name) {
		v.add("INVALID_CONDITION_KEY_FORMAT", loc, "The condition key format %q is not valid. Use the format service:keyname, such as aws:SourceIp or s3:prefix.", name)
		return
	}
	prefix, rest, _ := strings.Cut(name, ":")
	lowPrefix := strings.ToLower(prefix)
	for _, tp := range tagKeyPrefixes {
		if strings.EqualFold(name, tp) || strings.EqualFold(name, tp+"/") {
			v.add("MISSING_TAG_KEY_IN_CONDITION", loc, "The condition key %s must include a tag key to control access based on tags. Use the format %s/tag-key and specify a key name for tag-key.", name, tp)
			return
		}
	}
	if lowPrefix == "aws" {
		switch {
		case strings.EqualFold(rest, "ARN"):
			if v.identityLike() {
				v.add("DEPRECATED_GLOBAL_CONDITION_KEY", loc, "We recommend that you update aws:ARN to use the newer condition key aws:PrincipalArn.")
			} else {
				v.add("UNSUPPORTED_GLOBAL_CONDITION_KEY", loc, "The condition key aws:ARN is not supported. Use aws:PrincipalArn or aws:SourceArn instead.")
			}
		case !c.known:
			v.add("INVALID_GLOBAL_CONDITION_KEY", loc, "The condition key %s does not exist. Use a valid condition key.%s", name, didYouMean(closestGlobalKey(name)))
		}
		return
	}
	if c.known {
		return
	}
	if strings.ContainsAny(prefix, "./") {
		return // an identity provider's claim (accounts.google.com:aud, an OIDC host:sub): any claim name is valid
	}
	if svc, ok := lookupService(lowPrefix); ok {
		v.add("INVALID_SERVICE_CONDITION_KEY", loc, "The condition key %s does not exist in the service %s. Use a valid condition key.%s", name, svc.Prefix, didYouMean(closestServiceKey(svc, name)))
		return
	}
	v.add("INVALID_SERVICE", loc, "The service %s of the condition key %s does not exist. Use a valid service name.%s", prefix, name, didYouMean(closestService(prefix)))
}

// identityLike reports the policy types attached to principals.
func (v *validator) identityLike() bool {
	switch v.opt.Type {
	case policy.Identity, policy.Boundary, policy.Session:
		return true
	}
	return false
}

// operatorAndValues checks the operator against the key's type and each
// value against the operator.
func (v *validator) operatorAndValues(s *statement, c *cond) {
	fam := family(c.op)
	opLoc := v.atKey(c.opm)
	if c.known && fam != "Null" {
		allowed := allowedFamilies[c.info.Type]
		if len(allowed) > 0 && !contains(allowed, fam) {
			v.add("TYPE_MISMATCH", opLoc, "Use the operator type %s instead of operator %s for the condition key %s, whose type is %s.", allowed[0], c.op.Name, c.name(), c.info.Type)
		}
		if fam == "String" && (c.op.Base == "StringLike" || c.op.Base == "StringNotLike") && strings.HasSuffix(c.info.Type, "ARN") {
			v.add("STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", opLoc, "The condition key %s holds ARNs: use ArnLike or ArnNotLike in place of %s, which compare an ARN part by part.", c.name(), c.op.Name)
		}
		multi := strings.HasPrefix(c.info.Type, "ArrayOf")
		switch {
		case c.op.Set == condition.SetForAllValues && !multi:
			v.add("FORALLVALUES_WITH_SINGLE_VALUED_KEY", opLoc, "Using ForAllValues qualifier with the single-valued condition key %s can be overly permissive: it also matches when the key is absent. We recommend that you remove ForAllValues:.", c.name())
		case c.op.Set == condition.SetNone && multi:
			v.add("MISSING_QUALIFIER", opLoc, "The request context key %s has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.", c.name())
		}
	}
	if c.op.Set != condition.SetNone && strings.HasSuffix(c.lower(), ":aud") && !strings.HasPrefix(c.lower(), "aws:") && !strings.HasPrefix(c.lower(), "saml:") {
		v.add("CONFIRM_AUDIENCE_CLAIM_TYPE", opLoc, "The 'aud' (audience) claim key %s identifies the recipients that the JSON web token is intended for. Audience claims can be multivalued or single-valued. If the claim is multivalued, use a ForAllValues or ForAnyValue qualifier. If the claim is single-valued, do not use a qualifier.", c.name())
	}
	if fam == "Bool" && len(c.values) > 1 && !strings.HasPrefix(c.info.Type, "ArrayOf") {
		v.add("INVALID_CONDITION_MULTIPLE_BOOLEAN", v.at(c.key.val), "The condition key %s does not support multiple Boolean values. Use a single Boolean value.", c.name())
	}
	for _, val := range c.values {
		v.conditionValue(c, fam, val)
	}
	v.ipValues(c, fam)
	v.numericRedundancy(c, fam)
	if (c.op.Base == "StringLike" || c.op.Base == "ArnLike") && c.op.Set == condition.SetNone && !c.op.IfExists &&
		len(c.values) == 1 && c.values[0].kind == '"' && c.values[0].str == "*" {
		v.add("EQUIVALENT_TO_NULL_FALSE", v.at(c.values[0]), "The condition %s {%s: \"*\"} only tests that the key is present: it is equivalent to {\"Null\": {%q: \"false\"}}, which says so plainly.", c.op.Name, c.name(), c.name())
	}
}

// conditionValue checks one value against the operator's type.
func (v *validator) conditionValue(c *cond, fam string, n *node) {
	text := n.text(v.src)
	loc := v.at(n)
	hasVar := n.kind == '"' && strings.Contains(text, "${")
	if hasVar && v.vars && fam != "String" && fam != "ARN" {
		v.add("INVALID_VARIABLE_FOR_OPERATOR", loc, "Policy variables can only be used with String and ARN operators, not %s: %s is compared literally.", c.op.Name, text)
		return
	}
	switch fam {
	case "Bool", "Null":
		if !strings.EqualFold(text, "true") && !strings.EqualFold(text, "false") {
			v.add("TYPE_MISMATCH_BOOLEAN", loc, "Add a valid Boolean value (true or false) for the condition operator %s in place of %s.", c.op.Name, text)
		}
	case "Numeric":
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			v.add("TYPE_MISMATCH_NUMBER", loc, "Add a valid numeric value for the condition operator %s in place of %s.", c.op.Name, text)
		}
	case "Date":
		if _, err := strconv.ParseInt(text, 10, 64); err == nil {
			v.add("INVALID_DATE_VALUE", loc, "The date %s might not resolve as expected. We recommend that you use the YYYY-MM-DD format (or an ISO 8601 date and time such as 2026-07-16T19:20:30Z) in place of epoch time.", text)
		} else if !isDate(text) {
			v.add("TYPE_MISMATCH_DATE", loc, "The date condition operator %s is used with an invalid value %s. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.", c.op.Name, text)
		}
	case "IPAddress":
		if _, ok := parseIPRange(text); !ok {
			v.add("TYPE_MISMATCH_IP_RANGE", loc, "The condition operator %s is used with an invalid IP range value %s. Specify the IP range in standard CIDR format, such as 203.0.113.0/24.", c.op.Name, text)
		}
	case "Binary":
		if _, err := base64.StdEncoding.DecodeString(text); err != nil {
			v.add("TYPE_MISMATCH_STRING", loc, "Add a valid base64-encoded string value for the condition operator %s in place of %s.", c.op.Name, text)
		}
	case "String":
		if (c.op.Base == "StringEquals" || c.op.Base == "StringNotEquals" || c.op.Base == "StringEqualsIgnoreCase" || c.op.Base == "StringNotEqualsIgnoreCase") &&
			strings.ContainsAny(withoutEscapes(text), "*?") {
			v.add("WILDCARD_WITHOUT_LIKE_OPERATOR", loc, "Your condition value %s includes a * or ? character, which %s compares literally. If you meant to use a wildcard (*, ?), update the condition operator to %s.", text, c.op.Base, likeOf(c.op.Base))
		}
	}
	if hasVar || strings.ContainsAny(text, "*?") && (strings.HasSuffix(c.op.Base, "Like") || fam == "ARN") {
		return
	}
	switch c.lower() {
	case "aws:sourcevpc":
		if !vpcID.MatchString(text) {
			v.add("INVALID_VPC_FORMAT", loc, "The VPC identifier %s in the condition key value is not valid. Use the prefix 'vpc-' followed by 8 or 17 alphanumeric characters.", text)
		}
	case "aws:sourcevpce":
		if !vpceID.MatchString(text) {
			v.add("INVALID_VPCE_FORMAT", loc, "The VPCE identifier %s in the condition key value is not valid. Use the prefix 'vpce-' followed by 8 or 17 alphanumeric characters.", text)
		}
	case "aws:requestedregion":
		if fam == "String" && !validRegion(text) {
			v.add("INVALID_REGION", loc, "The Region %s is not valid. Update the condition value to a supported Region, such as us-east-1.", text)
		}
	}
}

func likeOf(base string) string {
	if strings.Contains(base, "Not") {
		return "StringNotLike"
	}
	return "StringLike"
}

// withoutEscapes drops the policy-variable escapes ${*}, ${?} and ${$}.
func withoutEscapes(s string) string {
	return strings.NewReplacer("${*}", "", "${?}", "", "${$}", "").Replace(s)
}

// isDate accepts the ISO 8601 forms IAM reads.
func isDate(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// parseIPRange parses an address or a CIDR block.
func parseIPRange(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// ipValues reports CIDR blocks with host bits set and, for aws:SourceIp,
// private ranges, which never match: aws:SourceIp is the public address a
// request comes from
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip).
func (v *validator) ipValues(c *cond, fam string) {
	if fam != "IPAddress" {
		return
	}
	private, public := 0, 0
	for _, val := range c.values {
		p, ok := parseIPRange(val.text(v.src))
		if !ok {
			continue
		}
		if p.Masked() != p {
			v.add("IMPROVE_IP_RANGE", v.at(val), "The non-zero bits in the IP address after the masked bits are ignored. Replace %s with %s.", val.text(v.src), p.Masked())
		}
		if isPrivate(p) {
			private++
		} else {
			public++
		}
	}
	if c.lower() != "aws:sourceip" || private == 0 {
		return
	}
	loc := v.at(c.key.val)
	negated := c.op.Base == "NotIpAddress"
	switch {
	case public == 0 && !negated:
		v.add("PRIVATE_IP_ADDRESS", loc, "aws:SourceIp works only for public IP address ranges. The values for condition key aws:SourceIp include only private IP addresses and will not have the desired effect. Use aws:VpcSourceIp for private addresses.")
	case public == 0:
		v.add("PRIVATE_NOT_IP_ADDRESS", loc, "The values for condition key aws:SourceIp include only private IP addresses and has no effect. aws:SourceIp works only for public IP address ranges. Use aws:VpcSourceIp for private addresses.")
	case !negated:
		v.add("PRIVATE_IP_ADDRESS_SUBSET", loc, "The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses will not have the desired effect. aws:SourceIp works only for public IP address ranges. Use aws:VpcSourceIp for the private ones.")
	default:
		v.add("PRIVATE_NOT_IP_ADDRESS_SUBSET", loc, "The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses have no effect. aws:SourceIp works only for public IP address ranges. Use aws:VpcSourceIp for the private ones.")
	}
}

// privateRanges are RFC 1918, RFC 6598 shared, loopback, link-local and IPv6
// unique-local ranges.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fc00::/7"), netip.MustParsePrefix("fe80::/10"), netip.MustParsePrefix("::1/128"),
}

// isPrivate reports a range wholly inside a private range.
func isPrivate(p netip.Prefix) bool {
	p = p.Masked()
	for _, r := range privateRanges {
		if r.Addr().Is4() == p.Addr().Is4() && r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// numericRedundancy reports several values under a less-than or
// greater-than operator: one value, the loosest, says the same.
func (v *validator) numericRedundancy(c *cond, fam string) {
	if fam != "Numeric" || len(c.values) < 2 || c.op.Set != condition.SetNone {
		return
	}
	greatest := strings.HasPrefix(c.op.Base, "NumericLessThan")
	if !greatest && !strings.HasPrefix(c.op.Base, "NumericGreaterThan") {
		return
	}
	best := math.NaN()
	for _, val := range c.values {
		f, err := strconv.ParseFloat(val.text(v.src), 64)
		if err != nil {
			return
		}
		if math.IsNaN(best) || greatest && f > best || !greatest && f < best {
			best = f
		}
	}
	which := "least"
	if greatest {
		which = "greatest"
	}
	v.add("REDUNDANT_CONDITION_VALUE_NUM", v.at(c.key.val), "Multiple values in %s are redundant. Replace with the %s single value for %s: %s.", c.op.Name, which, c.name(), strconv.FormatFloat(best, 'f', -1, 64))
}
