// Package server wires Warden's AWS-compatible endpoint: HTTP, routing built
// from the service descriptors it is given (api.Descriptor; internal/services
// lists Warden's), SigV4 authentication of every signed call, the audit
// trail, /healthz, Prometheus /metrics and structured logs with request IDs.
//
// Routing never guesses, and never reads what decides what runs before the
// signature is verified (dispatch.go gives the order):
//
//   - a request with X-Amz-Target is JSON (1.0 or 1.1): the target's prefix
//     names the service, its last part the operation;
//   - a form-encoded POST, or a request with an Action parameter, is the
//     query protocol: Action names the operation and the SigV4 credential
//     scope names the service, as the endpoint's host name would in AWS;
//   - any other request is REST (JSON or XML): its method and path match a
//     route of botocore's shape (labels, greedy labels, literal query
//     parameters), the most specific first; when several services' routes
//     match, the credential scope chooses. Path labels, bound query
//     parameters and headers become input members.
//
// Only the operations a descriptor declares unsigned are accepted without a
// signature. The credential scope must name a real region and the service
// the request addresses. An operation or service Warden does not serve is
// answered in the client's protocol (UnknownOperationException, or
// InvalidAction over the query protocol) saying so, and like every call,
// answered or refused, it reaches the auditor before the answer is written.
package server
