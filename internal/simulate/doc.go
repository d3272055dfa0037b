// Package simulate reads and runs authorization cases in the format of
// `warden simulate` (shared/spec/simulate.md): a request, the policies that
// apply to it, and optionally the decision AWS makes.
//
// Beyond that contract the reader accepts these optional fields:
//
//   - request.federatingUser: for a federated user session
//     (arn:aws:sts::ACCOUNT:federated-user/NAME), the ARN of the IAM user that
//     created it with GetFederationToken. A resource-based policy that names
//     that user then grants to the session, within the session policy and the
//     user's permissions boundary
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
//   - doc, note: the AWS page a case follows, and a remark; not evaluated.
package simulate
