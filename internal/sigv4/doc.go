// Package sigv4 verifies and creates AWS Signature Version 4 request
// signatures (algorithm AWS4-HMAC-SHA256) for non-S3 services such as STS,
// IAM and Organizations.
//
// # Server flow
//
// The server reads the request body once (with a size cap), then:
//
//	a, err := sigv4.Parse(r)                      // shape checks only, no secret
//	err = a.CheckScope(region, service)            // the endpoint's region and service
//	secret := lookup(a.AccessKeyID)                // InvalidClientTokenId if unknown
//	err = a.Verify(r, body, secret, clock.Now())   // time window and signature
//
// and, for temporary credentials, checks that a.SecurityToken is the live
// session token of a.AccessKeyID.
//
// Every authentication failure is an *Error whose Code and Message are
// those AWS's query services (STS, IAM) return: MissingAuthenticationToken,
// IncompleteSignature or SignatureDoesNotMatch (other errors are programming
// errors). Messages quote request values, never secrets, and may contain any
// byte: the protocol edge escapes them and maps codes to HTTP statuses.
//
// # Rules implemented
//
// Authentication forms (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html):
//   - Header form: "Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
//     SignedHeaders=a;b, Signature=hex". Parameters may be separated by commas
//     and/or spaces. The request time comes from X-Amz-Date, else from Date
//     (ISO 8601 basic, or an HTTP date).
//   - Presigned (query) form: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
//     X-Amz-SignedHeaders, X-Amz-Signature, optional X-Amz-Expires and
//     X-Amz-Security-Token. Each may appear once.
//   - Both forms at once, an Authorization header that does not start with
//     "AWS4-", or none at all are refused as AWS does.
//
// Checks, in AWS's order where the flow allows (AWS checks the clock before
// the signed headers and the scope; here Parse runs without a clock):
//   - missing parameters are reported all at once (IncompleteSignature);
//   - X-Amz-Date must be yyyyMMdd'T'HHmmss'Z' (IncompleteSignature);
//   - "host" must be signed; in the header form the header that carried the
//     date (x-amz-date or date) must be signed; every x-amz-* header present
//     must be signed. AWS requires this for S3; Warden requires it everywhere
//     (fail closed), so a session token added after signing is refused. Real
//     clients are unaffected, see below (SignatureDoesNotMatch);
//   - the algorithm must be AWS4-HMAC-SHA256 (IncompleteSignature);
//   - the credential must have exactly 5 slash-separated parts (IncompleteSignature);
//   - the scope must name the endpoint's region and service (CheckScope), end
//     in aws4_request and carry X-Amz-Date's day (CheckScope and Verify); all
//     scope problems are reported in one message (SignatureDoesNotMatch);
//   - X-Amz-Expires, when present, is an integer from 0 to 604800 seconds (7 days);
//   - the request time must be within 15 minutes of the server's clock, in
//     both directions ("Signature expired: ... is now earlier than ... (... - 15 min.)",
//     "Signature not yet current: ... is still later than ... (... + 15 min.)").
//     A presigned request with X-Amz-Expires is valid from 15 minutes before
//     X-Amz-Date until X-Amz-Date + X-Amz-Expires; without it, the 15-minute
//     window applies. (AWS STS applies the 15-minute window to presigned
//     GetCallerIdentity even with X-Amz-Expires; Warden honours X-Amz-Expires
//     and exposes it as Auth.Expires for a server that wants a lower cap.);
//   - finally the signature, compared in constant time (SignatureDoesNotMatch).
//
// Canonical request (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html),
// built strictly from the client's SignedHeaders:
//   - method, then the path as sent on the wire (Request.RequestURI on a
//     server, URL.EscapedPath on a client): empty and "." segments removed,
//     ".." removes the previous segment, runs of "/" collapse, a trailing "/"
//     is kept; every byte except A-Z a-z 0-9 - _ . ~ and "/" is percent-encoded
//     with upper-case hex, so an already-encoded path is encoded twice (the
//     non-S3 rule);
//   - the query: pairs split on "&" (empty pairs dropped), split at the first
//     "=" (a missing value is empty), percent-decoded with "+" read as a
//     space, re-encoded as above with "/" encoded too, sorted by encoded name
//     then encoded value; X-Amz-Signature is left out in the presigned form.
//     An invalid percent escape is an error (IncompleteSignature);
//   - one "name:value" line per signed header, in the client's order, names
//     lower-cased; host comes from Request.Host; the values of a repeated
//     header are joined with "," in the order received; each value is
//     trimmed and runs of spaces become one space. A signed header that is
//     absent contributes an empty value; content-length falls back to
//     Request.ContentLength;
//   - the signed header list, then the payload hash: the hex SHA-256 of the
//     body. X-Amz-Content-Sha256 cannot opt out of body signing, except
//     UNSIGNED-PAYLOAD in a presigned request with an empty body; any other
//     claimed hash that differs from the body's fails the signature.
//
// String to sign and key: "AWS4-HMAC-SHA256\n" + X-Amz-Date + "\n" + scope +
// "\n" + hex(SHA-256(canonical request)); the key is
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
// Derived keys are kept in a small bounded cache, keyed by a SHA-256 of
// secret, date, region and service and safe for concurrent use.
//
// # What real clients sign
//
// Measured against a stub STS endpoint (shared DEPENDENCIES.md, section 1):
// aws-sdk-go-v2 signs amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date
// (plus x-amz-security-token with temporary credentials); aws-cli 1 and 2 and
// boto3 sign content-type;host;x-amz-date (botocore's SigV4Auth sets
// X-Amz-Security-Token before building the canonical request, so it is signed
// too; that case was read in botocore's auth.py, not measured).
// Unsigned headers such as User-Agent are ignored by the verifier.
//
// Sign and Presign are for tests and load-test clients. They sign host and
// every header present except Authorization, User-Agent, X-Amzn-Trace-Id,
// Expect and Transfer-Encoding (the same list as aws-sdk-go-v2).
package sigv4
