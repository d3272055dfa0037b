package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
)

// appendCanonicalRequest appends the canonical request of r as a describes
// it: method, path, query, the headers a signs, the signed header list and
// the payload hash.
func (a *Auth) appendCanonicalRequest(dst []byte, r *http.Request, payloadHash []byte) []byte {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = appendCanonicalPath(dst, wirePath(r))
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, a.query, a.Presigned)
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, r, a.SignedHeaders)
	dst = append(dst, '\n')
	dst = appendSignedHeaders(dst, a.SignedHeaders)
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

// appendStringToSign appends the string to sign for a canonical request
// whose SHA-256 is creqHash.
func (a *Auth) appendStringToSign(dst []byte, creqHash [sha256.Size]byte) []byte {
	dst = append(dst, Algorithm...)
	dst = append(dst, '\n')
	dst = appendISOTime(dst, a.Date, true)
	dst = append(dst, '\n')
	dst = append(dst, a.Scope.Date...)
	dst = append(dst, '/')
	dst = append(dst, a.Scope.Region...)
	dst = append(dst, '/')
	dst = append(dst, a.Scope.Service...)
	dst = append(dst, '/')
	dst = append(dst, a.Scope.Terminator...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, creqHash[:])
}

// bufPool holds scratch buffers for canonical requests and strings to sign.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// signature computes the hex signature of r as a describes it.
func (a *Auth) signature(r *http.Request, payloadHash []byte, secret string) [2 * sha256.Size]byte {
	bp := bufPool.Get().(*[]byte)
	buf := a.appendCanonicalRequest((*bp)[:0], r, payloadHash)
	creqHash := sha256.Sum256(buf)
	buf = a.appendStringToSign(buf[:0], creqHash)
	mac := signingKeys.get(secret, a.Scope).mac(buf)
	if cap(buf) <= 64<<10 { // let an outsized buffer go
		*bp = buf
		bufPool.Put(bp)
	}
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], mac[:])
	return out
}

// appendVerifierPayloadHash appends the payload hash the verifier signs
// with: always the body's SHA-256 in hex, so that a client cannot opt out
// of body signing, except UNSIGNED-PAYLOAD in a presigned request that has
// no body.
func (a *Auth) appendVerifierPayloadHash(dst []byte, r *http.Request, body []byte) []byte {
	if a.Presigned && len(body) == 0 && a.claimedPayloadHash(r) == UnsignedPayload {
		return append(dst, UnsignedPayload...)
	}
	if len(body) == 0 {
		return append(dst, emptyPayloadHash...)
	}
	sum := sha256.Sum256(body)
	return hex.AppendEncode(dst, sum[:])
}

// emptyPayloadHash is the hex SHA-256 of an empty body.
var emptyPayloadHash = hashHex(nil)

// claimedPayloadHash is X-Amz-Content-Sha256 from the header or, in a
// presigned request, from the query.
func (a *Auth) claimedPayloadHash(r *http.Request) string {
	if v := first(r.Header["X-Amz-Content-Sha256"]); v != "" {
		return v
	}
	if a.Presigned {
		v, _ := lookupQuery(a.query, "X-Amz-Content-Sha256")
		return v
	}
	return ""
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
