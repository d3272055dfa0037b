package sigv4

import (
	"fmt"
	"time"
)

// Error codes, as AWS's query services (STS, IAM) name them.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
)

// Error is an authentication failure with AWS's error code and message.
// Messages quote request values (never a secret) so that a client can see
// what was wrong.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Messages worded as AWS words them.
const (
	msgMissingToken      = "Request is missing Authentication Token"
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgFoundBoth     = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
	msgHostNotSigned = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgReexamine     = "Re-examine the query-string parameters."
	msgExpiresRange  = "X-Amz-Expires must be less than a week (in seconds); that is, " +
		"the given X-Amz-Expires must be less than 604800 seconds"
)

func missingToken() *Error {
	return &Error{Code: CodeMissingAuthenticationToken, Message: msgMissingToken}
}

func incomplete(format string, args ...any) *Error {
	return &Error{Code: CodeIncompleteSignature, Message: fmt.Sprintf(format, args...)}
}

func mismatch(format string, args ...any) *Error {
	return &Error{Code: CodeSignatureDoesNotMatch, Message: fmt.Sprintf(format, args...)}
}

func signatureMismatch() *Error {
	return &Error{Code: CodeSignatureDoesNotMatch, Message: msgSignatureMismatch}
}

func badDate(value string) *Error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", value)
}

func notSigned(header string) *Error {
	return mismatch("'%s' must be a 'SignedHeader' in the AWS Authorization.", header)
}

func unsupportedAlgorithm(alg string) *Error {
	return incomplete("Unsupported AWS 'algorithm': '%s' (only %s for now). ", alg, Algorithm)
}

func badCredential(cred string) *Error {
	return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", cred)
}

func expired(date, now time.Time, window time.Duration) *Error {
	return mismatch("Signature expired: %s is now earlier than %s (%s - %s.)",
		formatTime(date), formatTime(now.Add(-window)), formatTime(now), formatWindow(window))
}

func notYetCurrent(date, now time.Time) *Error {
	return mismatch("Signature not yet current: %s is still later than %s (%s + %s.)",
		formatTime(date), formatTime(now.Add(MaxSkew)), formatTime(now), formatWindow(MaxSkew))
}

// formatWindow writes a duration as AWS does in its expiry messages:
// "15 min", or "N sec" when it is not a whole number of minutes.
func formatWindow(d time.Duration) string {
	s := int64(d / time.Second)
	if s%60 == 0 {
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d sec", s)
}
