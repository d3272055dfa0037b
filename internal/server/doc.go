// Package server wires Warden's AWS-compatible endpoint: HTTP, dispatch by
// Content-Type and X-Amz-Target, SigV4 authentication of every signed call,
// the STS, IAM, Organizations and CloudTrail handlers, the audit trail,
// /healthz, Prometheus /metrics and structured logs with request IDs.
//
// Dispatch never guesses: a request with X-Amz-Target is JSON 1.1 and the
// target names the service and operation; any other request must be the
// query protocol (form-encoded POST, or GET), whose Action parameter names
// the operation and whose SigV4 credential scope names the service, as the
// endpoint's host name would in AWS. Only AssumeRoleWithWebIdentity and
// AssumeRoleWithSAML are accepted unsigned, routed to STS by their Action.
package server
