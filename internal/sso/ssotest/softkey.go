// Package ssotest holds test helpers of Identity Center sign-in: a
// software WebAuthn authenticator (SoftKey) that answers registration and
// authentication ceremonies as a security key does, with ES256 and "none"
// attestation, so that tests can drive the ceremonies without a browser
// and craft the answers a browser would never send (another origin, a
// signature counter that goes backwards).
package ssotest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// Authenticator data flags (WebAuthn section 6.1).
const (
	FlagUP = 0x01 // user present
	FlagUV = 0x04 // user verified
	FlagBE = 0x08 // backup eligible
	FlagBS = 0x10 // backed up
	FlagAT = 0x40 // attested credential data
)

// SoftKey is one credential of a software authenticator.
type SoftKey struct {
	Origin  string // the origin the "browser" reports
	Flags   byte   // UP, UV, BE, BS as the authenticator sets them
	Counter uint32 // the signature counter, incremented before each signature
	// Set by Register.
	ID         []byte
	RPID       string
	UserHandle []byte
	priv       *ecdsa.PrivateKey
}

var b64 = base64.RawURLEncoding

// creationOptions is what Register reads of the options.
type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

type requestOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
	} `json:"publicKey"`
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// Register answers a registration ceremony's options (the JSON the server
// sends the browser) with a new credential, as
// navigator.credentials.create's PublicKeyCredential.toJSON().
func (k *SoftKey) Register(options string) (string, error) {
	var o creationOptions
	if err := json.Unmarshal([]byte(options), &o); err != nil {
		return "", err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	k.priv, k.RPID = priv, o.PublicKey.RP.ID
	if k.UserHandle, err = b64.DecodeString(o.PublicKey.User.ID); err != nil {
		return "", fmt.Errorf("user.id: %w", err)
	}
	k.ID = make([]byte, 32)
	rand.Read(k.ID)
	pub := priv.PublicKey
	x, y := make([]byte, 32), make([]byte, 32)
	pub.X.FillBytes(x)
	pub.Y.FillBytes(y)
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, XCoord: x, YCoord: y})
	if err != nil {
		return "", err
	}
	auth := k.authData(FlagAT)
	auth = append(auth, make([]byte, 16)...) // AAGUID
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(k.ID)))
	auth = append(auth, k.ID...)
	auth = append(auth, cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return "", err
	}
	cd := clientData("webauthn.create", o.PublicKey.Challenge, k.Origin)
	out, err := json.Marshal(map[string]any{"id": b64.EncodeToString(k.ID), "rawId": b64.EncodeToString(k.ID), "type": "public-key",
		"clientExtensionResults": map[string]any{}, "authenticatorAttachment": "cross-platform",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att),
			"transports": []string{"usb"}}})
	return string(out), err
}

// authData is the authenticator data's fixed part: the RP ID hash, the
// flags (with extra) and the counter.
func (k *SoftKey) authData(extra byte) []byte {
	h := sha256.Sum256([]byte(k.RPID))
	b := append([]byte{}, h[:]...)
	b = append(b, k.Flags|extra)
	return binary.BigEndian.AppendUint32(b, k.Counter)
}

// Assert answers an authentication ceremony's options with a signed
// assertion, after incrementing the counter (unless Counter is set by the
// test to replay or go backwards: Assert uses Counter+1).
func (k *SoftKey) Assert(options string) (string, error) {
	var o requestOptions
	if err := json.Unmarshal([]byte(options), &o); err != nil {
		return "", err
	}
	if k.priv == nil {
		return "", fmt.Errorf("the key is not registered")
	}
	k.Counter++
	auth := k.authData(0)
	cd := clientData("webauthn.get", o.PublicKey.Challenge, k.Origin)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		return "", err
	}
	out, err := json.Marshal(map[string]any{"id": b64.EncodeToString(k.ID), "rawId": b64.EncodeToString(k.ID), "type": "public-key",
		"clientExtensionResults": map[string]any{}, "authenticatorAttachment": "cross-platform",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(auth),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(k.UserHandle)}})
	return string(out), err
}
