package sts

import (
	"crypto/sha1"
	"encoding/base64"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/identity"
)

// The attributes AWS reads from a SAML assertion
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html).
const (
	samlAttrPrefix      = "https://aws.amazon.com/SAML/Attributes/"
	samlRole            = samlAttrPrefix + "Role"
	samlRoleSessionName = samlAttrPrefix + "RoleSessionName"
	samlSessionDuration = samlAttrPrefix + "SessionDuration"
	samlSourceIdentity  = samlAttrPrefix + "SourceIdentity"
	samlPrincipalTag    = samlAttrPrefix + "PrincipalTag:"
	samlTransitiveKeys  = samlAttrPrefix + "TransitiveTagKeys"
)

// The recipients and audiences AWS's sign-in endpoint answers to: the
// global endpoint (and its /static/saml form) and each Region's
// https://<region>.signin.aws.amazon.com/saml; as an audience also
// urn:amazon:webservices (the entity ID of AWS's own SAML metadata, which
// IdPs' AWS applications use) and a sign-in URL with a #<n> suffix (the
// identifiers Microsoft Entra ID gives second and later AWS applications).
var (
	samlRegionalURL = regexp.MustCompile(`^https://[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\.signin\.aws\.amazon\.com/saml$`)
	samlGlobalURLs  = map[string]bool{"https://signin.aws.amazon.com/saml": true, "https://signin.aws.amazon.com/static/saml": true}
	samlNumbered    = regexp.MustCompile(`#[0-9]{1,3}$`)
)

func samlRecipient(u string) bool { return samlGlobalURLs[u] || samlRegionalURL.MatchString(u) }

func samlAudience(a string) bool {
	return a == "urn:amazon:webservices" || samlRecipient(samlNumbered.ReplaceAllString(a, ""))
}

// samlKeys maps the saml: condition keys that come from attributes to the
// attribute names (eduPerson, eduOrg and X.500 OIDs) AWS reads them from
// ("Available keys for SAML-based AWS STS federation",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml).
var samlKeys = map[string]string{
	"saml:cn":                           "urn:oid:2.5.4.3",
	"saml:commonName":                   "urn:oid:2.5.4.3",
	"saml:givenName":                    "urn:oid:2.5.4.42",
	"saml:surname":                      "urn:oid:2.5.4.4",
	"saml:mail":                         "urn:oid:0.9.2342.19200300.100.1.3",
	"saml:uid":                          "urn:oid:0.9.2342.19200300.100.1.1",
	"saml:name":                         "urn:oid:2.16.840.1.113730.3.1.241",
	"saml:organizationStatus":           "urn:oid:2.5.4.10",
	"saml:primaryGroupSID":              "urn:oid:1.2.840.113556.1.4.98",
	"saml:x500UniqueIdentifier":         "urn:oid:2.5.4.45",
	"saml:edupersonaffiliation":         "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
	"saml:edupersonnickname":            "urn:oid:1.3.6.1.4.1.5923.1.1.1.2",
	"saml:edupersonorgdn":               "urn:oid:1.3.6.1.4.1.5923.1.1.1.3",
	"saml:edupersonorgunitdn":           "urn:oid:1.3.6.1.4.1.5923.1.1.1.4",
	"saml:edupersonprimaryaffiliation":  "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
	"saml:edupersonprincipalname":       "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
	"saml:edupersonentitlement":         "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
	"saml:edupersonprimaryorgunitdn":    "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
	"saml:edupersonscopedaffiliation":   "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
	"saml:edupersontargetedid":          "urn:oid:1.3.6.1.4.1.5923.1.1.1.10",
	"saml:edupersonassurance":           "urn:oid:1.3.6.1.4.1.5923.1.1.1.11",
	"saml:eduorghomepageuri":            "urn:oid:1.3.6.1.4.1.5923.1.2.1.2",
	"saml:eduorgidentityauthnpolicyuri": "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
	"saml:eduorglegalname":              "urn:oid:1.3.6.1.4.1.5923.1.2.1.4",
	"saml:eduorgsuperioruri":            "urn:oid:1.3.6.1.4.1.5923.1.2.1.5",
	"saml:eduorgwhitepagesuri":          "urn:oid:1.3.6.1.4.1.5923.1.2.1.6",
}

// samlNameQualifier is AWS's NameQualifier (saml:namequalifier):
// BASE64(SHA1(issuer + account ID + "/" + provider name)).
func samlNameQualifier(issuer, account, provider string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + provider))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// samlSubjectType is the NameID format as AWS reports it (SubjectType,
// saml:sub_type): persistent, transient, or the format URI as given when
// it is not one of SAML 2.0's nameid-format URIs.
func samlSubjectType(format string) string {
	if format == "" {
		return "unspecified"
	}
	if s, ok := strings.CutPrefix(format, "urn:oasis:names:tc:SAML:2.0:nameid-format:"); ok {
		return s
	}
	return format
}

// samlContext returns the saml: condition keys of a verified assertion.
func samlContext(a *identity.SAMLAssertion, account, provider, nameQualifier string) map[string][]string {
	ctx := map[string][]string{
		"saml:aud":           {a.Recipient},
		"saml:iss":           {a.Issuer},
		"saml:sub":           {a.NameID},
		"saml:sub_type":      {samlSubjectType(a.NameIDFormat)},
		"saml:namequalifier": {nameQualifier},
		"saml:doc":           {account + "/" + provider},
	}
	for key, attr := range samlKeys {
		if v := a.Attributes[attr]; len(v) > 0 {
			ctx[key] = v
		}
	}
	return ctx
}

// samlSingle returns an attribute's one value: "" when absent, an error
// when it has several.
func samlSingle(a *identity.SAMLAssertion, name string) (string, error) {
	v := a.Attributes[name]
	switch len(v) {
	case 0:
		return "", nil
	case 1:
		return v[0], nil
	}
	return "", invalidSAML("the %s attribute has %d values; it takes one", name, len(v))
}

// samlRoles returns the (role ARN, provider ARN) pairs of the Role
// attribute; each value is the two ARNs separated by a comma, in either
// order.
func samlRoles(a *identity.SAMLAssertion) ([][2]string, error) {
	var out [][2]string
	for _, v := range a.Attributes[samlRole] {
		x, y, ok := strings.Cut(v, ",")
		x, y = strings.TrimSpace(x), strings.TrimSpace(y)
		if strings.Contains(x, ":saml-provider/") {
			x, y = y, x
		}
		if !ok || !strings.Contains(x, ":role/") || !strings.Contains(y, ":saml-provider/") {
			return nil, invalidSAML("the %s attribute value %q is not a role ARN and a SAML provider ARN separated by a comma", samlRole, v)
		}
		out = append(out, [2]string{x, y})
	}
	return out, nil
}

// samlTags reads the session tags (PrincipalTag:<key>, one value each) and
// the transitive tag keys into sp, with the limits of session tags.
func samlTags(sp *sessionParams, a *identity.SAMLAssertion) error {
	var keys []string
	for name := range a.Attributes {
		if k, ok := strings.CutPrefix(name, samlPrincipalTag); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > maxTags {
		return invalidSAML("the assertion has %d PrincipalTag attributes; a session has at most %d tags", len(keys), maxTags)
	}
	for _, k := range keys {
		v, err := samlSingle(a, samlPrincipalTag+k)
		if err != nil {
			return err
		}
		if err := sp.addTag(k, v); err != nil {
			return invalidSAML("%s%s: %s", samlPrincipalTag, k, err)
		}
	}
	for _, k := range a.Attributes[samlTransitiveKeys] {
		if _, ok := sp.tags[k]; !ok {
			return invalidSAML("the %s value %q is not the key of a PrincipalTag attribute", samlTransitiveKeys, k)
		}
		sp.transitive = append(sp.transitive, k)
	}
	return sp.pack()
}

// samlSessionSeconds reads the SessionDuration attribute: seconds, 900 to
// 43200; 0 when absent.
func samlSessionSeconds(a *identity.SAMLAssertion) (int, error) {
	v, err := samlSingle(a, samlSessionDuration)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 900 || n > 43200 {
		return 0, invalidSAML("the %s attribute %q is not a number of seconds from 900 to 43200", samlSessionDuration, v)
	}
	return n, nil
}

func invalidSAML(format string, args ...any) error {
	return awsproto.Errorf("InvalidIdentityToken", "Invalid SAML assertion: "+format, args...)
}
