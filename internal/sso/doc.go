// Package sso is IAM Identity Center's sign-in: the identity store as
// sign-in reads it (Directory), people's passwords and authenticators
// (Authenticator), and the OAuth 2.0 device flow of AWS's SSO OIDC service
// (OIDC), whose access tokens the portal API accepts.
//
// The rules it implements:
//
//   - Device authorization (RFC 8628): a registered public client starts an
//     authorization and gets a device code and a user code; the person
//     approves the user code at the verification page after signing in;
//     the client polls CreateToken and gets authorization_pending until
//     then, slow_down when it polls faster than the interval (which then
//     grows by 5 seconds), access_denied when the person declined,
//     expired_token after 10 minutes. An approved device code is exchanged
//     for tokens exactly once, by the client it was issued to.
//   - Tokens: access tokens last an hour, refresh tokens (issued to clients
//     that registered scopes, as AWS does for sso-session profiles) last
//     until the sign-in ends, Identity Center's session duration after it
//     began (org file identityCenter.sessionDuration, 8 hours by default); a refresh token is
//     used once and a second use revokes the whole sign-in (RFC 9700
//     section 4.14.2). Logout revokes every token of the sign-in.
//   - Secrets at rest: client secrets, device codes and tokens are random
//     256-bit-or-more values stored only as their SHA-256 and compared in
//     constant time; passwords as argon2id hashes; TOTP seeds sealed under
//     the master key.
//   - Passwords follow Identity Center's requirements (8 to 64 characters,
//     upper and lower case, a number, a symbol); a one-time password must be
//     changed at the first sign-in, and a person without an authenticator
//     must enroll one (TOTP, RFC 6238) before any device is approved: no
//     sign-in without MFA. Each TOTP code is accepted once.
//   - Rate limits: 5 failed passwords or codes for a user name, or 20 from an
//     address, within 15 minutes lock sign-in for it until the window ends;
//     the answer never says whether the user name exists.
package sso
