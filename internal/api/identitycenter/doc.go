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
//   - Only the management account, which owns the instance, may call them,
//     and only as its policies and the engine allow (identitystore:<Op> and
//     sso:<Op>); other accounts get AccessDeniedException.
//   - Identity store IDs are derived from names (sso.UserID, sso.GroupID,
//     MembershipID), so that they are the same on every replica; a user's
//     UserName and a group's DisplayName therefore cannot be changed.
//   - An account assignment provisions the permission set's role
//     AWSReservedSSO_<name>_<16 hex> under /aws-reserved/sso.amazonaws.com/
//     in the account, with the trust policy AWS writes (the account's
//     AWSSSO_..._DO_NOT_DELETE SAML provider) and the permission set's
//     policies and boundary; removing an account's last assignment of a
//     permission set removes its role. A role of a permission set that is
//     not assigned in an account does not exist there.
//   - Changes to a permission set reach its provisioned roles at once:
//     ProvisionPermissionSet succeeds and is recorded, but every role is
//     always current (AWS keeps the old policies until it is called).
//   - Asynchronous operations complete before they answer: their status is
//     SUCCEEDED or FAILED at once, and the Describe...Status calls answer for
//     requests this replica served in the last hour.
package identitycenter
