// Package identitycenter serves IAM Identity Center's administration APIs
// over the org's Identity Center (org.Spec's identityCenter):
//
//   - identitystore (JSON 1.1, target prefix AWSIdentityStore, event source
//     identitystore.amazonaws.com): users, groups and group memberships.
//   - sso-admin (JSON 1.1, target prefix SWBExternalService, event source
//     sso.amazonaws.com): the instance, permission sets and their policies,
//     account assignments and provisioning.
//
// The rules it implements:
//
//   - Only the management account, which owns the instance, and the
//     delegated administrator of sso.amazonaws.com (org.Org's Delegated)
//     may call them, and only as their policies and the engine allow
//     (identitystore:<Op> and sso:<Op>); other accounts get
//     AccessDeniedException. The delegated administrator cannot change a
//     permission set provisioned in the management account, nor create or
//     delete assignments there (IAM Identity Center User Guide, Delegated
//     administration).
//   - Identity store IDs are given once and never change (org.SSOUser.ID,
//     org.SSOGroup.ID: stored in the org state, or, for entities without a
//     stored one, derived from the name they were loaded with; membership
//     IDs derive from both IDs). UpdateUser may change userName and
//     UpdateGroup displayName, to a valid name no other entity has
//     (ConflictException, UNIQUENESS_CONSTRAINT_VIOLATION); the entity
//     keeps its ID, memberships, assignments and sign-in state. Both also
//     take externalIds (org.CheckExternalIDs: at most 10, unique, issuers
//     not beginning with arn: or aws:).
//   - An account assignment provisions the permission set, as it is then,
//     into the account: the role AWSReservedSSO_<name>_<16 hex> under
//     /aws-reserved/sso.amazonaws.com/, with the trust policy AWS writes
//     (the account's AWSSSO_..._DO_NOT_DELETE SAML provider) and the
//     permission set's policies, boundary and session duration; removing an
//     account's last assignment of a permission set removes its role,
//     unless ProvisionPermissionSet provisioned it there on its own. A role
//     of a permission set neither assigned nor provisioned in an account
//     does not exist there.
//   - A change to a permission set (description, session duration,
//     policies, boundary) does not reach the roles already provisioned: the
//     accounts keep the older version (org.Spec's provisionedVersions) and
//     are listed as LATEST_PERMISSION_SET_NOT_PROVISIONED until
//     ProvisionPermissionSet runs for them (AWS_ACCOUNT, or
//     ALL_PROVISIONED_ACCOUNTS); a new assignment provisions the latest
//     version into its account. As at AWS, ProvisionPermissionSet to an
//     account without an assignment of the set creates its role there
//     (org.Spec's provisioned), until the set is deleted.
//   - Asynchronous operations complete before they answer (SUCCEEDED, or
//     FAILED with a reason); their statuses are records of the store
//     (namespace sso/requests), kept StatusRetention, so every replica
//     answers Describe...Status and List...Status alike, after restarts too.
package identitycenter
