// Package scim serves SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2 over
// Identity Center's directory, as IAM Identity Center's SCIM endpoint does
// for automatic provisioning from Okta and Microsoft Entra ID (IAM
// Identity Center SCIM implementation developer guide).
//
// The rules it implements:
//
//   - Every request carries a bearer token that an administrator created
//     (tokens.go): at most two exist, each valid one year, stored only as
//     its SHA-256 and compared in constant time. No, an unknown, a deleted
//     or an expired token is 401.
//   - /Users and /Groups: POST, GET (one, or a list with filter, startIndex
//     and count), PUT, PATCH and DELETE; /ServiceProviderConfig,
//     /ResourceTypes and /Schemas describe the implementation. Bulk,
//     sorting, ETags and password changes are not supported (as at AWS).
//   - Filters are equality comparisons joined by and (filter.go);
//     anything else is 400 invalidFilter.
//   - A user's or group's id is its identity store ID; SCIM's externalId
//     is the identity store external ID of issuer ExternalIDIssuer. A
//     taken userName (ignoring case) or displayName is 409 uniqueness.
//   - Changes go through the org state's optimistic concurrency
//     (state.Manager.Mutate), so they are seen at once by the identitystore
//     API, sign-in and the portal on every replica; deleting a user or a
//     group deletes its memberships and assignments.
//   - Every call is recorded in the trail with event source
//     identitystore-scim.amazonaws.com and AWS's SCIM event names
//     (CreateUser, PatchGroup, ListUsers, GetServiceProviderConfig...),
//     with the request's path, filter and token ID, never the person's
//     attributes or the token.
//   - Errors are SCIM's JSON error (schemas, status, scimType, detail).
package scim
