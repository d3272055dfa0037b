package creds

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

const (
	// PrefixLongTerm starts long-term access key IDs.
	PrefixLongTerm = "AKIA"
	// PrefixTemporary starts temporary access key IDs.
	PrefixTemporary = "ASIA"
)

const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewAccessKeyID returns a key ID with the prefix, 20 characters long, that
// carries its account, as AWS's do (sts:GetAccessKeyInfo reads it back): 16
// base32 characters of 5 bytes of account number and 5 random bytes.
func NewAccessKeyID(prefix, account string) string {
	n, err := strconv.ParseUint(account, 10, 64)
	if err != nil || n >= 1<<40 {
		panic("creds: account ID " + account + " is not 12 digits")
	}
	var b [10]byte
	for i := 0; i < 5; i++ {
		b[i] = byte(n >> (8 * (4 - i)))
	}
	if _, err := rand.Read(b[5:]); err != nil {
		panic("creds: crypto/rand failed: " + err.Error())
	}
	return prefix + base32.NewEncoding(base32Upper).EncodeToString(b[:])
}

// AccountOfKey returns the account an access key ID carries.
func AccountOfKey(id string) (string, bool) {
	if !ValidAccessKeyID(id) {
		return "", false
	}
	b, err := base32.NewEncoding(base32Upper).DecodeString(id[4:])
	if err != nil || len(b) != 10 {
		return "", false
	}
	var n uint64
	for i := 0; i < 5; i++ {
		n = n<<8 | uint64(b[i])
	}
	if n > 999999999999 {
		return "", false
	}
	return fmt.Sprintf("%012d", n), true
}

// NewSecret returns a random 40-character secret access key.
func NewSecret() string {
	b := make([]byte, 30) // 30 bytes -> 40 base64 characters, no padding
	if _, err := rand.Read(b); err != nil {
		panic("creds: crypto/rand failed: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// NewUniqueID returns an IAM unique ID with the prefix (AIDA users, AROA
// roles), 21 characters long.
func NewUniqueID(prefix string) string {
	return prefix + randomFrom(base32Upper, 21-len(prefix))
}

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("creds: crypto/rand failed: " + err.Error())
	}
	var s strings.Builder
	s.Grow(n)
	for _, c := range b {
		s.WriteByte(alphabet[int(c)%len(alphabet)]) // 256 % 32 == 0: uniform
	}
	return s.String()
}

// ValidAccessKeyID reports whether id has the shape of an access key ID.
func ValidAccessKeyID(id string) bool {
	if len(id) != 20 || (!strings.HasPrefix(id, PrefixLongTerm) && !strings.HasPrefix(id, PrefixTemporary)) {
		return false
	}
	for i := 4; i < len(id); i++ {
		if !strings.ContainsRune(base32Upper, rune(id[i])) {
			return false
		}
	}
	return true
}

// StableID returns a deterministic IAM unique ID (AROA roles, AIDA users) for
// an entity's ARN, so that every replica names an entity alike.
func StableID(prefix, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	enc := base32.NewEncoding(base32Upper).WithPadding(base32.NoPadding).EncodeToString(sum[:])
	return prefix + enc[:21-len(prefix)]
}
