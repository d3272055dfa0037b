package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and localhost
// and its key (PEM) into dir and returns their paths and the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "warden e2e"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// TestServeTLS serves HTTPS with a certificate made by the test: a client
// that trusts it works, one that does not is refused, and /healthz and
// /metrics answer over TLS.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, t.TempDir())
	srv := startServer(t, nil, "--data", dir, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("serving %s, want https://127.0.0.1:PORT", srv.URL)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	trusting := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}

	// The health check, over TLS with the test's certificate.
	resp, err := trusting.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /healthz: %d, want 200", resp.StatusCode)
	}
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 || !resp.TLS.PeerCertificates[0].Equal(cert) {
		t.Errorf("the server did not present the test's certificate")
	}

	// The SDK over HTTPS; a client without the certificate is refused.
	admin := adminCreds(t, dir)
	const calls = 3
	for range calls {
		out, err := stsClient(srv.URL, admin, trusting).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity over HTTPS: %v", err)
		}
		if got := aws.ToString(out.Arn); got != adminARN {
			t.Errorf("Arn %q, want %q", got, adminARN)
		}
	}
	_, err = stsClient(srv.URL, admin, &http.Client{Timeout: 10 * time.Second}).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client that does not trust the certificate: %v, want a certificate error", err)
	}
	// Plain HTTP to the HTTPS port gets no AWS answer.
	resp, err = http.Get("http://" + srv.Addr + "/healthz")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("plain HTTP on the HTTPS port: 200, want a refusal")
		}
	}

	// /metrics counts the calls.
	resp, err = trusting.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	m := regexp.MustCompile(`(?m)^warden_requests_total\{action="GetCallerIdentity",code="OK",service="sts"\} (\d+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no warden_requests_total for sts GetCallerIdentity OK:\n%s", grepLines(body, "warden_"))
	}
	if n, _ := strconv.Atoi(m[1]); n != calls {
		t.Errorf("warden_requests_total{sts GetCallerIdentity OK} = %d, want %d", n, calls)
	}
	if !strings.Contains(body, "# TYPE warden_request_duration_seconds histogram") {
		t.Errorf("/metrics has no warden_request_duration_seconds histogram")
	}

	if code := srv.stop(sigterm); code != 0 {
		t.Errorf("SIGTERM: exit %d, want 0\n%s", code, srv.Stderr)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
