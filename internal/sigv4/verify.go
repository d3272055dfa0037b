package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Verify checks the request time against now and the signature against
// secret, the secret access key of a.AccessKeyID. r must be the request a
// was parsed from and body its whole body. It also repeats the scope checks
// that do not depend on the endpoint (terminator and date), so that a
// forgotten CheckScope cannot let a malformed scope through.
func (a *Auth) Verify(r *http.Request, body []byte, secret string, now time.Time) error {
	if a.req == nil || a.req != r {
		return errors.New("sigv4: Verify needs the request that Parse returned this Auth for")
	}
	if err := a.checkTime(now); err != nil {
		return err
	}
	if problems := a.scopeProblems(nil); len(problems) > 0 {
		return mismatch("%s", strings.Join(problems, " "))
	}
	var payloadHash [2 * sha256.Size]byte // on the stack: no string per request
	want := a.signature(r, a.appendVerifierPayloadHash(payloadHash[:0], r, body), secret)
	if subtle.ConstantTimeCompare(want[:], []byte(a.Signature)) != 1 {
		return signatureMismatch()
	}
	return nil
}

// CheckScope checks that the credential scope names region and service,
// ends in aws4_request and carries the request's day. All problems are
// reported in one message, as AWS does.
func (a *Auth) CheckScope(region, service string) error {
	var problems []string
	if a.Scope.Region != region {
		problems = append(problems, "Credential should be scoped to a valid region, not '"+a.Scope.Region+"'.")
	}
	if a.Scope.Service != service {
		problems = append(problems, "Credential should be scoped to correct service: '"+service+"'.")
	}
	if problems = a.scopeProblems(problems); len(problems) > 0 {
		return mismatch("%s", strings.Join(problems, " "))
	}
	return nil
}

// scopeProblems appends the terminator and date problems of the scope.
func (a *Auth) scopeProblems(problems []string) []string {
	if a.Scope.Terminator != Terminator {
		problems = append(problems, "Credential should be scoped with a valid terminator: '"+Terminator+"', not '"+a.Scope.Terminator+"'.")
	}
	var buf [len(dayFormat)]byte
	if day := appendISOTime(buf[:0], a.Date, false); a.Scope.Date != string(day) {
		problems = append(problems, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			a.Scope.Date+"' != '"+string(day)+"', from '"+formatTime(a.Date)+"'.")
	}
	return problems
}

// checkTime applies the 15-minute skew window, or for a presigned request
// with X-Amz-Expires, the window from 15 minutes before X-Amz-Date to
// X-Amz-Date + X-Amz-Expires.
func (a *Auth) checkTime(now time.Time) error {
	if a.Date.After(now.Add(MaxSkew)) {
		return notYetCurrent(a.Date, now)
	}
	window := MaxSkew
	if a.Presigned && a.expires {
		window = a.Expires
	}
	if a.Date.Before(now.Add(-window)) {
		return expired(a.Date, now, window)
	}
	return nil
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }
