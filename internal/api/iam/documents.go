package iam

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
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

// docText returns the text of a document as the format holds it: a string
// holding JSON as it is, a mapping written out as indented JSON with the
// policy elements in their usual order; account placeholders
// (${account:Name}) replaced by the accounts' IDs, as the loader does.
func (m *model) docText(v any) string {
	var text string
	switch t := v.(type) {
	case string:
		text = t
	default:
		var b bytes.Buffer
		writeOrdered(&b, t, "")
		text = b.String()
	}
	return m.replacePlaceholders(text)
}

// replacePlaceholders replaces ${account:Name} by the account's ID.
func (m *model) replacePlaceholders(s string) string {
	if !strings.Contains(s, "${account:") {
		return s
	}
	for name, id := range m.idByName {
		s = strings.ReplaceAll(s, "${account:"+name+"}", id)
	}
	return s
}

// elementOrder ranks the elements of policy documents for display.
var elementOrder = map[string]int{
	"Version": 1, "Id": 2, "Statement": 3, "Sid": 4, "Effect": 5, "Principal": 6, "NotPrincipal": 7,
	"Action": 8, "NotAction": 9, "Resource": 10, "NotResource": 11, "Condition": 12,
}

// writeOrdered writes a JSON value indented by four spaces, with the keys of
// objects in elementOrder, the others after them alphabetically.
func writeOrdered(b *bytes.Buffer, v any, indent string) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := elementOrder[keys[i]], elementOrder[keys[j]]
			if ri == 0 {
				ri = 100
			}
			if rj == 0 {
				rj = 100
			}
			if ri != rj {
				return ri < rj
			}
			return keys[i] < keys[j]
		})
		b.WriteString("{\n")
		for i, k := range keys {
			b.WriteString(indent + "    ")
			writeJSON(b, k)
			b.WriteString(": ")
			writeOrdered(b, t[k], indent+"    ")
			if i < len(keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range t {
			b.WriteString(indent + "    ")
			writeOrdered(b, e, indent+"    ")
			if i < len(t)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	default:
		writeJSON(b, t)
	}
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.WriteString("null")
		return
	}
	b.Truncate(b.Len() - 1) // the encoder's newline
}

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
