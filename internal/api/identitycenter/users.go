package identitycenter

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/securecart/warden/internal/org"
)

// Users' attributes at the API: AWS's members are the org format's fields
// with an upper-case first letter (Emails, emails; ProfileUrl, profileUrl;
// Name.GivenName, name.givenName), and UpdateUser's attribute paths are
// the org format's field paths. So an input decodes into org.UserAttributes
// as it is (JSON field names match regardless of case), an output is the
// format's JSON with its keys capitalized, and an AttributeOperation edits
// the format's JSON of the user at its path.

// userPaths are the attribute paths UpdateUser may add, replace or remove
// (the identity store's User: Identity Store API Reference, UpdateUser:
// "For more information on the attributes that can be added, replaced, or
// removed, see User"), by their lower-case spelling; userName, which is
// renamed apart (it must stay unique), is not among them.
var userPaths = func() map[string]string {
	m := map[string]string{}
	for _, p := range []string{"externalIds", "displayName", "nickName", "profileUrl", "emails", "addresses", "phoneNumbers", "userType", "title",
		"preferredLanguage", "locale", "timezone", "name", "name.formatted", "name.familyName", "name.givenName", "name.middleName",
		"name.honorificPrefix", "name.honorificSuffix"} {
		m[strings.ToLower(p)] = p
	}
	return m
}()

// awsKeys rewrites a JSON value's object keys with an upper-case first
// letter (the format's spelling to AWS's), or lower-case (AWS's to the
// format's).
func awsKeys(v any, upper bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			r, n := utf8.DecodeRuneInString(k)
			if upper {
				r = unicode.ToUpper(r)
			} else {
				r = unicode.ToLower(r)
			}
			out[string(r)+k[n:]] = awsKeys(val, upper)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = awsKeys(val, upper)
		}
		return out
	}
	return v
}

// asMap is a value's JSON as a map.
func asMap(v any) map[string]any {
	data, _ := json.Marshal(v) // the org's types always marshal
	m := map[string]any{}
	_ = json.Unmarshal(data, &m)
	return m
}

// userOut is the identity store's User shape of a directory user.
func (cl *caller) userOut(u *org.SSOUser) map[string]any {
	out := awsKeys(asMap(u.Attributes), true).(map[string]any)
	out["UserName"] = u.UserName
	out["UserId"] = u.ID
	out["IdentityStoreId"] = cl.ic.IdentityStoreID
	if u.Attributes.UserStatus == "" {
		out["UserStatus"] = org.UserEnabled
	}
	if u.DisplayName != "" {
		out["DisplayName"] = u.DisplayName
	}
	return out
}

// groupOut is the identity store's Group shape of a directory group.
func (cl *caller) groupOut(g *org.SSOGroup) map[string]any {
	out := map[string]any{"GroupId": g.ID, "DisplayName": g.Name, "IdentityStoreId": cl.ic.IdentityStoreID}
	if g.Description != "" {
		out["Description"] = g.Description
	}
	if len(g.ExternalIDs) > 0 {
		out["ExternalIds"] = awsKeys(asMap(struct {
			X []org.ExternalIDDef `json:"x"`
		}{g.ExternalIDs})["x"], true)
	}
	return out
}

// userAttributes reads CreateUser's attributes from its body.
func userAttributes(body []byte) (org.UserAttributes, error) {
	var a org.UserAttributes
	if len(body) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return a, validation("Invalid user attributes: %s", jsonErr(err))
	}
	if len(a.ExternalIDs) > 0 {
		return a, validation("ExternalIds are not a member of CreateUser: an identity provider writes them.")
	}
	if a.UserStatus != "" {
		return a, validation("UserStatus is not a member of CreateUser: a new user is ENABLED.")
	}
	return a, nil
}

// jsonErr names the member of a JSON decoding error in AWS's spelling.
func jsonErr(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asTypeErr(err, &te); ok && te.Field != "" {
		parts := strings.Split(te.Field, ".")
		for i, p := range parts {
			r, n := utf8.DecodeRuneInString(p)
			parts[i] = string(unicode.ToUpper(r)) + p[n:]
		}
		return strings.Join(parts, ".") + " must be " + jsonType(te.Type.Kind().String()) + ", not a JSON " + te.Value
	}
	return err.Error()
}

func asTypeErr(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	*te = t
	return ok
}

func jsonType(kind string) string {
	switch kind {
	case "slice":
		return "a list"
	case "struct", "ptr":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return "a " + kind
}

// applyUserOps applies UpdateUser's operations to a user: each sets the
// attribute at its path to its value, or removes it when the value is
// null. A new userName is returned, for the caller to rename the user.
func applyUserOps(u *org.SSOUserDef, ops []attributeOp) (*string, error) {
	m := asMap(u)
	var rename *string
	for i, op := range ops {
		if strings.EqualFold(op.AttributePath, "userName") {
			name, err := nameValue(i, "userName", op.AttributeValue)
			if err != nil {
				return nil, err
			}
			rename = &name
			continue
		}
		path, ok := userPaths[strings.ToLower(op.AttributePath)]
		if !ok {
			return nil, validation("Operations[%d]: invalid attribute path %q: want one of the User attributes (userName, displayName, name.givenName, emails, externalIds, ...).", i, op.AttributePath)
		}
		var val any
		if len(op.AttributeValue) > 0 {
			if err := json.Unmarshal(op.AttributeValue, &val); err != nil {
				return nil, validation("Operations[%d]: the attribute value is not JSON: %s", i, err.Error())
			}
		}
		val = awsKeys(val, false)
		parent, key := m, path
		if top, sub, nested := strings.Cut(path, "."); nested {
			p, _ := m[top].(map[string]any)
			if p == nil {
				p = map[string]any{}
			}
			m[top], parent, key = p, p, sub
		}
		if val == nil {
			delete(parent, key)
		} else {
			parent[key] = val
		}
		if n, _ := m["name"].(map[string]any); n != nil && len(n) == 0 {
			delete(m, "name")
		}
	}
	next, err := decodeStrict[org.SSOUserDef](m)
	if err != nil {
		return nil, err
	}
	*u = next
	return rename, nil
}

// applyGroupOps applies UpdateGroup's operations to a group (description,
// externalIds; a new displayName is returned, for the caller to rename
// the group).
func applyGroupOps(g *org.SSOGroupDef, ops []attributeOp) (*string, error) {
	m := asMap(g)
	var rename *string
	for i, op := range ops {
		switch strings.ToLower(op.AttributePath) {
		case "displayname":
			name, err := nameValue(i, "displayName", op.AttributeValue)
			if err != nil {
				return nil, err
			}
			rename = &name
		case "description", "externalids":
			key := "description"
			if strings.EqualFold(op.AttributePath, "externalIds") {
				key = "externalIds"
			}
			var val any
			if len(op.AttributeValue) > 0 {
				if err := json.Unmarshal(op.AttributeValue, &val); err != nil {
					return nil, validation("Operations[%d]: the attribute value is not JSON: %s", i, err.Error())
				}
			}
			if val == nil {
				delete(m, key)
			} else {
				m[key] = awsKeys(val, false)
			}
		default:
			return nil, validation("Operations[%d]: invalid attribute path %q: a group's updatable attributes are displayName, description and externalIds.", i, op.AttributePath)
		}
	}
	next, err := decodeStrict[org.SSOGroupDef](m)
	if err != nil {
		return nil, err
	}
	*g = next
	return rename, nil
}

// nameValue reads a new unique name (userName, displayName): a string.
func nameValue(i int, attr string, raw json.RawMessage) (string, error) {
	var name *string
	if err := json.Unmarshal(raw, &name); err != nil || name == nil || *name == "" {
		return "", validation("Operations[%d]: the value of %s must be a non-empty string: it cannot be removed.", i, attr)
	}
	return *name, nil
}

// decodeStrict decodes an edited entity's JSON, refusing unknown fields
// and values of the wrong type.
func decodeStrict[T any](m map[string]any) (T, error) {
	data, _ := json.Marshal(m)
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var next T
	if err := dec.Decode(&next); err != nil {
		return next, validation("Invalid attribute value: %s", jsonErr(err))
	}
	return next, nil
}

// attributeOp is an AttributeOperation.
type attributeOp struct {
	AttributePath  string
	AttributeValue json.RawMessage
}
