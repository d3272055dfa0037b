// Command bare is the reference server of the serve benchmarks: the least a
// Go server must do for a signed STS call. It reads the request, verifies its
// SigV4 signature with one fixed key (internal/sigv4: the same HMAC and
// SHA-256 work as Warden's verification) and answers a fixed
// GetCallerIdentity body, with no store, policy evaluation or audit trail.
// Warden's throughput is compared with this server's, measured in the same
// run on the same machine (scripts/bench-serve.sh).
//
// Usage: bare -listen 127.0.0.1:PORT -credentials FILE
//
// It writes FILE, an AWS shared credentials file (profile warden-admin) with
// the one key it accepts, for the load client.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/securecart/warden/internal/sigv4"
)

const (
	keyID  = "AKIABENCHMARKBARE001"
	secret = "bareBenchmarkSecretKey0123456789abcdefghij"
	body   = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Arn>arn:aws:iam::104729381562:user/warden-admin</Arn><UserId>AIDABENCHMARKBARE0001</UserId><Account>104729381562</Account>` +
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
)

func main() {
	listen := flag.String("listen", "127.0.0.1:4567", "address to listen on")
	credentials := flag.String("credentials", "", "credentials file to write for the load client")
	flag.Parse()
	if *credentials != "" {
		profile := fmt.Sprintf("[warden-admin]\naws_access_key_id = %s\naws_secret_access_key = %s\n", keyID, secret)
		if err := os.WriteFile(*credentials, []byte(profile), 0o600); err != nil {
			log.Fatal(err)
		}
	}
	http.HandleFunc("/", serve)
	log.Fatal(http.ListenAndServe(*listen, nil))
}

func serve(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	auth, err := sigv4.Parse(r)
	if err == nil && auth.AccessKeyID != keyID {
		err = fmt.Errorf("unknown key %s", auth.AccessKeyID)
	}
	if err == nil {
		err = auth.Verify(r, b, secret, time.Now())
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, body)
}
