package org

// The fields each mapping of the format may have, by the name the JSON
// Schema (docs/org.schema.json) gives its definition. A test keeps the two
// in step.
var fieldsOf = map[string][]string{
	"file":                     topFields,
	"organization":             {"id", "managementAccount", "root"},
	"ou":                       {"name", "id", "parent"},
	"account":                  {"name", "id", "email", "ou", "tags"},
	"policy":                   {"name", "type", "description", "document", "attach", "accounts", "path"},
	"role":                     {"name", "accounts", "path", "description", "trust", "managedPolicies", "inlinePolicies", "permissionsBoundary", "maxSessionDuration", "tags"},
	"user":                     {"name", "account", "path", "groups", "managedPolicies", "inlinePolicies", "permissionsBoundary", "tags"},
	"group":                    {"name", "account", "path", "managedPolicies", "inlinePolicies"},
	"resource":                 {"arn", "account", "policy"},
	"identityProvider":         {"type", "name", "accounts", "clientIds", "metadata", "tags"},
	"serviceLinkedRole":        {"service", "name", "accounts", "managedPolicies"},
	"identityCenter":           {"instanceArn", "identityStoreId", "externalIdentityProvider", "users", "groups", "permissionSets", "assignments", "provisionedVersions"},
	"provisionedVersion":       {"permissionSet", "accounts"},
	"externalIdentityProvider": {"type", "name", "metadataUrl", "metadata", "issuer"},
	"ssoUser": {"userName", "displayName", "name", "nickName", "profileUrl", "emails", "addresses", "phoneNumbers", "userType", "title",
		"preferredLanguage", "locale", "timezone", "externalIds", "groups", "mfaDevices"},
	"ssoUserName":    {"formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"},
	"ssoEmail":       {"value", "type", "primary"},
	"ssoPhoneNumber": {"value", "type", "primary"},
	"ssoAddress":     {"streetAddress", "locality", "region", "postalCode", "country", "formatted", "type", "primary"},
	"externalId":     {"issuer", "id"},
	"mfaDevice":      {"type", "name"},
	"ssoGroup":       {"name", "description", "externalIds"},
	"permissionSet":  {"name", "description", "sessionDuration", "relayState", "managedPolicies", "customerManagedPolicies", "inlinePolicy", "permissionsBoundary", "tags"},
	"assignment":     {"permissionSet", "group", "user", "accounts", "ous"},
	"documentFile":   {"file"},
}

// requiredOf are the fields each mapping must have.
var requiredOf = map[string][]string{
	"organization":             {"id", "managementAccount"},
	"ou":                       {"name"},
	"account":                  {"name", "id", "email"},
	"policy":                   {"name", "type", "document"},
	"role":                     {"name", "accounts", "trust"},
	"user":                     {"name", "account"},
	"group":                    {"name", "account"},
	"resource":                 {"arn", "policy"},
	"identityProvider":         {"type", "name", "accounts"},
	"serviceLinkedRole":        {"service", "name", "accounts"},
	"identityCenter":           {"instanceArn"},
	"externalIdentityProvider": {"type", "name"},
	"ssoUser":                  {"userName"},
	"mfaDevice":                {"type", "name"},
	"ssoGroup":                 {"name"},
	"ssoEmail":                 {"value"},
	"ssoPhoneNumber":           {"value"},
	"externalId":               {"issuer", "id"},
	"permissionSet":            {"name"},
	"assignment":               {"permissionSet"},
	"provisionedVersion":       {"permissionSet", "accounts"},
	"documentFile":             {"file"},
}
