package iam

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/policy"
)

// Limits of policy documents (IAM and AWS STS quotas,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
// Sizes count characters without white space, as IAM does.
const (
	maxDocumentChars  = 131072 // the API's length limit of a document parameter
	maxManagedSize    = 6144   // a managed policy
	maxTrustSize      = 2048   // a role trust policy
	maxRoleInlineSize = 10240  // all inline policies of a role together
	maxUserInlineSize = 2048   // all inline policies of a user together
)

// urlEncode encodes a document as IAM's query replies do: RFC 3986
// percent-encoding of everything but unreserved characters.
func urlEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// policySize counts a document's characters without white space.
func policySize(text string) int {
	n := 0
	for _, r := range text {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// checkDocument validates a policy document parameter as IAM does: the
// API's length and character constraints (ValidationError), then the policy
// grammar of its type (MalformedPolicyDocument, saying what is wrong and
// where).
func checkDocument(param, text string, t policy.Type) error {
	if text == "" {
		return awsproto.Errorf("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", param)
	}
	if n := len([]rune(text)); n > maxDocumentChars {
		return awsproto.Errorf("ValidationError", "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", param, maxDocumentChars)
	}
	for _, r := range text {
		if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xFF)) {
			return awsproto.Errorf("ValidationError", "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", param)
		}
	}
	doc, err := policy.Parse([]byte(text), "")
	if err != nil {
		return malformed(err)
	}
	if errs := policy.Check(doc, t, ""); len(errs) > 0 {
		return malformed(errs)
	}
	if _, err := policy.Compile(doc, t, param); err != nil {
		return malformed(err)
	}
	return nil
}

// malformed words a policy error as MalformedPolicyDocument: each problem
// with its line:column and JSON path.
func malformed(err error) error {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	if list, ok := err.(policy.ErrorList); ok && len(list) > 0 && strings.Contains(list[0].Msg, "JSON") {
		msg = "Syntax errors in policy. " + msg
	}
	return awsproto.Errorf("MalformedPolicyDocument", "%s", msg)
}
