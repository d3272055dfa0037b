// Package creds makes and checks Warden's credentials.
//
//   - Access key IDs have AWS's format: 20 characters, AKIA for long-term keys
//     and ASIA for temporary ones, then 16 characters of base32 (A-Z, 2-7).
//   - Secret access keys are 40 characters of base64 (A-Z, a-z, 0-9, + and /),
//     from crypto/rand.
//   - Secrets are sealed at rest with AES-256-GCM under the deployment's
//     master key (Sealer); the store never holds a plaintext secret.
//   - Session tokens carry a temporary credential's whole session (principal,
//     secret, expiry, session policy, tags, source identity, MFA) encrypted and
//     authenticated with AES-256-GCM under a server key (Keyring). The token
//     names its key, so keys rotate without ending live sessions: a new key
//     issues new tokens while older keys still open the tokens they issued. A
//     token cannot be forged or altered without the key, and any replica that
//     shares the store opens any replica's tokens.
//   - TOTP codes (RFC 6238, 30-second steps, 6 digits) are accepted for the
//     current step and one step either side, each step at most once per
//     device (replay protection, section 5.2, through the store).
package creds
