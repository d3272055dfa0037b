package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// DigestDoc is the signed document of a digest.
type DigestDoc struct {
	Version        string `json:"digestVersion"`
	Trail          string `json:"trail"`
	OwnerAccountID string `json:"ownerAccountId"`
	// Number is the digest's place in the trail's digests, from 1.
	Number int64 `json:"digestNumber"`
	// RecordHash names how record hashes are computed (see hasher).
	RecordHash string `json:"recordHashAlgorithm"`
	// FirstSeq-LastSeq are the records it seals (none when FirstSeq is
	// LastSeq+1: a digest of the cadence with no new record).
	FirstSeq int64 `json:"firstSeq"`
	LastSeq  int64 `json:"lastSeq"`
	// StartTime-EndTime are the earliest and the latest time of the
	// records it seals (RFC 3339, to the second).
	StartTime       string `json:"digestStartTime,omitempty"`
	EndTime         string `json:"digestEndTime,omitempty"`
	Records         int64  `json:"records"`
	LastRecordHash  string `json:"lastRecordHash"`
	PreviousSeq     int64  `json:"previousDigestLastSeq"`
	PreviousSig     string `json:"previousDigestSignature"`
	PreviousHash    string `json:"previousDigestHash"`
	PublicKeyFinger string `json:"digestPublicKeyFingerprint"`
	SignatureAlgo   string `json:"digestSignatureAlgorithm"`
	Created         string `json:"digestCreationTime"`
	// NextBy is when the next digest is due at the latest (the cadence).
	NextBy string `json:"nextDigestBy"`
	// Stopped marks the last digest before the trail stopped: none is due
	// after it until the trail runs again.
	Stopped bool `json:"trailStopped,omitempty"`
}

const digestVersion = "2.0"

// signDigest signs a document.
func signDigest(k *SigningKey, d *DigestDoc) (data, sig []byte, err error) {
	d.PublicKeyFinger = k.Fingerprint()
	d.SignatureAlgo = "Ed25519"
	data, err = json.Marshal(d)
	if err != nil {
		return nil, nil, err
	}
	return data, ed25519.Sign(k.private, data), nil
}

// digestHash is the hash of a digest as the next one records it.
func digestHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	return t, nil
}
