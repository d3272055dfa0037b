package scim

import (
	"net/http"
	"strings"
)

// SCIM schema URNs (RFC 7643, RFC 7644).
const (
	UserSchema   = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema  = "urn:ietf:params:scim:schemas:core:2.0:Group"
	ListSchema   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchSchema  = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema  = "urn:ietf:params:scim:api:messages:2.0:Error"
	configSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	typeSchema   = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// discovery serves ServiceProviderConfig, ResourceTypes and Schemas, as IAM
// Identity Center describes its SCIM implementation: PATCH supported, bulk,
// sort, ETags and password changes not; filters (equality only) with at
// most MaxResults results; OAuth bearer token authentication.
func (rq *request) discovery(res, id string) (any, error) {
	switch res {
	case "ServiceProviderConfig":
		return map[string]any{
			"schemas":          []string{configSchema},
			"documentationUri": "https://docs.aws.amazon.com/singlesignon/latest/developerguide/what-is-scim.html",
			"patch":            map[string]any{"supported": true},
			"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
			"filter":           map[string]any{"supported": true, "maxResults": MaxResults},
			"changePassword":   map[string]any{"supported": false},
			"sort":             map[string]any{"supported": false},
			"etag":             map[string]any{"supported": false},
			"authenticationSchemes": []any{map[string]any{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
				"description": "Authentication with an access token that an administrator creates (warden identity-center scim-token create).",
				"primary":     true}},
			"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": rq.h.Base + "/ServiceProviderConfig"},
		}, nil
	case "ResourceTypes":
		types := []map[string]any{
			{"schemas": []string{typeSchema}, "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
				"schema": UserSchema,
				"meta":   map[string]any{"resourceType": "ResourceType", "location": rq.h.Base + "/ResourceTypes/User"}},
			{"schemas": []string{typeSchema}, "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Group",
				"schema": GroupSchema, "meta": map[string]any{"resourceType": "ResourceType", "location": rq.h.Base + "/ResourceTypes/Group"}},
		}
		if id == "" {
			return listOf(types, len(types), 1), nil
		}
		for _, t := range types {
			if t["id"] == id {
				return t, nil
			}
		}
		return nil, notFound("ResourceType", id)
	}
	all := schemas(rq.h.Base)
	if id == "" {
		return listOf(all, len(all), 1), nil
	}
	for _, s := range all {
		if strings.EqualFold(s["id"].(string), id) {
			return s, nil
		}
	}
	return nil, errf(http.StatusNotFound, "", "Schema %s not found.", id)
}

// listOf is a ListResponse of one page.
func listOf[T any](items []T, total, start int) map[string]any {
	if items == nil {
		items = []T{}
	}
	return map[string]any{"schemas": []string{ListSchema}, "totalResults": total, "itemsPerPage": len(items), "startIndex": start, "Resources": items}
}

func attr(name, typ string, more ...any) map[string]any {
	a := map[string]any{"name": name, "type": typ, "multiValued": false, "required": false, "caseExact": false,
		"mutability": "readWrite", "returned": "default", "uniqueness": "none"}
	for i := 0; i+1 < len(more); i += 2 {
		a[more[i].(string)] = more[i+1]
	}
	return a
}

func complexAttr(name string, multi bool, subs ...map[string]any) map[string]any {
	return attr(name, "complex", "multiValued", multi, "subAttributes", subs)
}

// schemas are the User, enterprise User and Group schemas, with the
// attributes Warden stores.
func schemas(base string) []map[string]any {
	str := func(n string) map[string]any { return attr(n, "string") }
	typed := func(n string, subs ...string) map[string]any {
		var s []map[string]any
		for _, x := range subs {
			s = append(s, str(x))
		}
		return complexAttr(n, true, append(s, attr("primary", "boolean"))...)
	}
	meta := func(id string) map[string]any {
		return map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + id}
	}
	return []map[string]any{
		{"schemas": []string{schemaSchema}, "id": UserSchema, "name": "User", "description": "User Account", "meta": meta(UserSchema),
			"attributes": []map[string]any{
				attr("id", "string", "mutability", "readOnly", "returned", "always", "uniqueness", "server", "caseExact", true),
				attr("externalId", "string", "caseExact", true),
				attr("userName", "string", "required", true, "uniqueness", "server"),
				complexAttr("name", false, str("formatted"), str("familyName"), str("givenName"), str("middleName"), str("honorificPrefix"), str("honorificSuffix")),
				str("displayName"), str("nickName"), attr("profileUrl", "reference", "referenceTypes", []string{"external"}),
				str("title"), str("userType"), str("preferredLanguage"), str("locale"), str("timezone"), attr("active", "boolean"),
				typed("emails", "value", "type"),
				typed("addresses", "formatted", "streetAddress", "locality", "region", "postalCode", "country", "type"),
				typed("phoneNumbers", "value", "type"),
				complexAttr("groups", true, attr("value", "string", "mutability", "readOnly"), attr("display", "string", "mutability", "readOnly")),
			}},
		{"schemas": []string{schemaSchema}, "id": GroupSchema, "name": "Group", "description": "Group", "meta": meta(GroupSchema),
			"attributes": []map[string]any{
				attr("id", "string", "mutability", "readOnly", "returned", "always", "uniqueness", "server", "caseExact", true),
				attr("externalId", "string", "caseExact", true),
				attr("displayName", "string", "required", true, "uniqueness", "server"),
				complexAttr("members", true, attr("value", "string", "mutability", "immutable"), attr("display", "string", "mutability", "readOnly")),
			}},
	}
}
