package server_test

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sigv4"
)

// benchServer starts a server with the durable audit trail, as `warden
// serve` runs.
func benchServer(b *testing.B) *servertest.Harness {
	var trail *audit.Trail
	h := servertest.Start(b, servertest.Options{})
	sealer, _ := creds.NewSealer(h.MasterKey)
	trail, err := audit.Open(context.Background(), h.Store, sealer, audit.Options{Owner: "218364950271"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { trail.Close() })
	h2 := servertest.Start(b, servertest.Options{Store: h.Store, MasterKey: h.MasterKey, Audit: trail})
	h2.AdminKeyID, h2.AdminSecret = h.AdminKeyID, h.AdminSecret
	return h2
}

func benchSTS(b *testing.B, form url.Values) {
	h := benchServer(b)
	cred := sigv4.Credentials{AccessKeyID: h.AdminKeyID, SecretAccessKey: h.AdminSecret}
	body := form.Encode()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", h.URL+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			sigv4.Sign(req, []byte(body), cred, "us-east-1", "sts", time.Now())
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("%d %s", resp.StatusCode, out)
			}
		}
	})
}

func BenchmarkGetCallerIdentity(b *testing.B) {
	benchSTS(b, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
}

func BenchmarkAssumeRole(b *testing.B) {
	benchSTS(b, url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::436205817493:role/OrganizationAccountAccessRole"}, "RoleSessionName": {"bench"}})
}

// discardWriter is a ResponseWriter that keeps only the status, for
// benchmarks of the handler without a connection.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkHandlerGetCallerIdentity measures the handler alone (no
// connection, no client, no trail), at the log level of the load runs
// (warn: no request log line): what Warden does for a call beyond
// net/http's reading and writing and the trail's commit.
func BenchmarkHandlerGetCallerIdentity(b *testing.B) {
	benchHandler(b, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
}

// BenchmarkHandlerAssumeRole is AssumeRole's handler alone: the
// evaluation of the role's trust policy and the caller's policies, the
// session's credentials and token, the reply.
func BenchmarkHandlerAssumeRole(b *testing.B) {
	benchHandler(b, url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::436205817493:role/OrganizationAccountAccessRole"}, "RoleSessionName": {"bench"}})
}

func benchHandler(b *testing.B, form url.Values) {
	h := servertest.Start(b, servertest.Options{LogLevel: slog.LevelWarn})
	cred := sigv4.Credentials{AccessKeyID: h.AdminKeyID, SecretAccessKey: h.AdminSecret}
	body := form.Encode()
	signed, _ := http.NewRequest("POST", h.URL+"/", strings.NewReader(body))
	signed.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(signed, []byte(body), cred, "us-east-1", "sts", time.Now())
	handler := h.Server.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := signed.Clone(context.Background())
		req.Body = io.NopCloser(strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		w := &discardWriter{h: http.Header{}}
		handler.ServeHTTP(w, req)
		if w.status != 0 && w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

// BenchmarkHandlerGetCallerIdentitySession is GetCallerIdentity's handler
// called with a role session's temporary credentials (an ASIA key and its
// session token), as workloads call.
func BenchmarkHandlerGetCallerIdentitySession(b *testing.B) {
	h := servertest.Start(b, servertest.Options{LogLevel: slog.LevelWarn})
	admin := sigv4.Credentials{AccessKeyID: h.AdminKeyID, SecretAccessKey: h.AdminSecret}
	handler := h.Server.Handler()
	call := func(cred sigv4.Credentials, form url.Values) *discardBody {
		body := form.Encode()
		req, _ := http.NewRequest("POST", h.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sigv4.Sign(req, []byte(body), cred, "us-east-1", "sts", time.Now())
		req.RemoteAddr = "127.0.0.1:40000"
		w := &discardBody{discardWriter: discardWriter{h: http.Header{}}}
		handler.ServeHTTP(w, req)
		return w
	}
	w := call(admin, url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::436205817493:role/OrganizationAccountAccessRole"}, "RoleSessionName": {"bench"}})
	var out struct {
		Creds struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
		} `xml:"AssumeRoleResult>Credentials"`
	}
	if err := xml.Unmarshal(w.body, &out); err != nil || out.Creds.SessionToken == "" {
		b.Fatalf("AssumeRole: %v %s", err, w.body)
	}
	sess := sigv4.Credentials{AccessKeyID: out.Creds.AccessKeyID, SecretAccessKey: out.Creds.SecretAccessKey, SessionToken: out.Creds.SessionToken}
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	if w := call(sess, form); w.status != 0 && w.status != 200 {
		b.Fatalf("GetCallerIdentity with the session: %d %s", w.status, w.body)
	}
	body := form.Encode()
	signed, _ := http.NewRequest("POST", h.URL+"/", strings.NewReader(body))
	signed.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(signed, []byte(body), sess, "us-east-1", "sts", time.Now())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := signed.Clone(context.Background())
		req.Body = io.NopCloser(strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		w := &discardWriter{h: http.Header{}}
		handler.ServeHTTP(w, req)
		if w.status != 0 && w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

// discardBody is a discardWriter that keeps the body.
type discardBody struct {
	discardWriter
	body []byte
}

func (w *discardBody) Write(p []byte) (int, error) { w.body = append(w.body, p...); return len(p), nil }
