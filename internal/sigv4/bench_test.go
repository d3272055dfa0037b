package sigv4

import (
	"testing"
	"time"
)

// BenchmarkVerify measures the server's whole per-request work on a
// GetCallerIdentity request as aws-sdk-go-v2 sends it with temporary
// credentials: Parse, CheckScope and Verify (signing key cached).
func BenchmarkVerify(b *testing.B) {
	r, body := signedSTS(b, tempCred)
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyAt(r, body, tempCred.SecretAccessKey, "us-east-1", "sts", now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallel is BenchmarkVerify on every core; 1e9/(ns/op) is
// the verifications per second of the machine.
func BenchmarkVerifyParallel(b *testing.B) {
	r, body := signedSTS(b, tempCred)
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := verifyAt(r, body, tempCred.SecretAccessKey, "us-east-1", "sts", now); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkVerifyPresigned measures a presigned GetCallerIdentity URL.
func BenchmarkVerifyPresigned(b *testing.B) {
	r, body := stsRequest(b)
	r.Method, r.Body, r.ContentLength = "GET", nil, 0
	r.URL.RawQuery = "Action=GetCallerIdentity&Version=2011-06-15"
	r.Header.Del("Content-Length")
	if err := Presign(r, tempCred, "us-east-1", "sts", t0, 15*time.Minute); err != nil {
		b.Fatal(err)
	}
	body = nil
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyAt(r, body, tempCred.SecretAccessKey, "us-east-1", "sts", t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign measures the signer, for load-test clients.
func BenchmarkSign(b *testing.B) {
	r, body := stsRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Sign(r, body, tempCred, "us-east-1", "sts", t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeriveSigningKey is the work the key cache saves per request.
func BenchmarkDeriveSigningKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		deriveSigningKey(tempCred.SecretAccessKey, "20261122", "us-east-1", "sts")
	}
}
