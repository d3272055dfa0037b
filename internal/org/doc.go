// Package org is the organization as code: it loads an AWS organization
// written in the org format (docs/org-format.md, docs/org.schema.json),
// validates it, and gives the authorization layer a read-only model: the
// root, OUs and accounts, SCPs and RCPs, roles with their compiled trust,
// identity and boundary policies, IAM users and groups, resource policies,
// identity providers and IAM Identity Center.
//
// Rules the loader implements:
//
//   - A source is one file, or a directory whose *.yaml, *.yml and *.json
//     files (not its subfolders) are merged: each top-level list is
//     concatenated and organization is given exactly once. JSON is read as
//     YAML. A file holds one YAML document whose top level is a mapping.
//   - Unknown fields are errors, with a "did you mean" for a case mistake or
//     a near miss; so are values of the wrong type. Strings must be YAML
//     strings (quote 123, true or 2012-10-17), except inside policy
//     documents, where every scalar is text to IAM.
//   - ${account:Name} anywhere in a string (documents and document files
//     included) is replaced by that account's 12-digit ID; an unknown name is
//     an error at the placeholder's own line and column.
//   - A policy document is a YAML mapping, a string holding JSON, or
//     {file: path} relative to the file naming it. It is parsed, checked
//     against the grammar of its policy type (trust for trust, scp, rcp,
//     identity for managed and inline policies, boundary for permissions
//     boundaries, resource for resources) and compiled by package policy.
//     Errors name the YAML position and the JSON path; for a JSON string,
//     the string's position, the JSON path and the position in the JSON
//     text. Identical documents of one type are compiled once and shared,
//     renamed for each use (their positions are the first one's).
//   - Every problem is collected and returned as an ErrorList, sorted by
//     file, line and column: unknown references, duplicate names and IDs,
//     malformed IDs and emails, OUs nested deeper than five levels, SCPs and
//     RCPs attached to nothing, managed policies in no account or missing in
//     an account that uses them, session durations out of range, trust
//     policies naming a role or user of an organization account that the
//     organization does not define, and, once SCPs are used, a root, OU or
//     member account without any SCP attached (AWS never allows one).
//   - "*" in an accounts list is every member account: all but the
//     management account. SCPs and RCPs never apply to the management
//     account. An organization that defines no SCP has SCPs disabled.
//     RCPFullAWSAccess is implicit (the engine applies it); FullAWSAccess is
//     not: attach it where the organization has it.
//   - Identity Center permission sets become roles named
//     AWSReservedSSO_<name>_<16 hex> (SHA-256 of instanceArn + "/" + name)
//     at /aws-reserved/sso.amazonaws.com/ in each assigned account, trusting
//     the account's SAML provider AWSSSO_<instance's 16 hex>_DO_NOT_DELETE
//     for sts:AssumeRoleWithSAML and sts:TagSession with SAML:aud
//     https://signin.aws.amazon.com/saml. The provider is added to each such
//     account unless the organization declares it.
//   - Compiled policies are named after where they come from: "scp Name",
//     "rcp Name", "role R trust", "role R inline P", "user U inline P",
//     "group G inline P", "permission set S inline", "resource ARN", and
//     managed policies by their ARN (a customer managed one by its ARN in
//     the account that uses it).
//
// The model is read-only after loading and safe for concurrent use.
//
// # The editable organization
//
// Spec is the same organization as typed values, in the format's own shape
// (everything named by name): what `warden serve` stores and its APIs
// change. Its JSON is the format's JSON, so a stored Spec loads as an org
// file does (Spec.Load), and its methods are the one editor of org state:
// lookups by name (IAM names ignoring case), role definitions split per
// account before a change (OwnRole), policies attached and detached,
// inline policies, boundaries and tags of roles and users (Entity), IAM
// groups and memberships, identity providers and resource policies, policy
// documents held as given and shown in IAM's element order (PolicyDoc,
// Spec.Text), and Identity Center's users, groups, memberships, permission
// sets and account assignments (see spec_ic.go for that API). The rules of
// one value (names, paths, lengths, patterns) are in check.go, shared by
// the loader, the editor and the APIs; the loader judges the whole.
package org
