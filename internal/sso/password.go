package sso

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's Password Storage Cheat Sheet's first
// configuration (19 MiB, 2 passes, 1 lane), which RFC 9106's security
// analysis covers; hashes record their parameters, so raising them later
// keeps old hashes valid.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// ErrWeakPassword is a new password that breaks Identity Center's password
// requirements.
var ErrWeakPassword = errors.New("the password must be 8 to 64 characters long and contain an uppercase letter, a lowercase letter, a number and a non-alphanumeric character")

// HashPassword hashes a password with argon2id and a random salt, in the PHC
// string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches a hash HashPassword made,
// comparing in constant time. A malformed hash never matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPasswordStrength applies IAM Identity Center's password requirements
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/password-requirements.html):
// 8 to 64 characters, with an uppercase letter, a lowercase letter, a number
// and a non-alphanumeric character.
func CheckPasswordStrength(password string) error {
	n := len([]rune(password))
	var upper, lower, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	if n < 8 || n > 64 || !upper || !lower || !digit || !other {
		return ErrWeakPassword
	}
	return nil
}

// NewInitialPassword returns a random one-time password that meets the
// requirements: 20 characters from crypto/rand.
func NewInitialPassword() string {
	const (
		uppers  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lowers  = "abcdefghijkmnopqrstuvwxyz"
		digits  = "23456789"
		symbols = "!#%+-=@^_~"
	)
	all := uppers + lowers + digits + symbols
	for {
		b := make([]byte, 20)
		for i := range b {
			b[i] = all[randIndex(len(all))]
		}
		if pw := string(b); CheckPasswordStrength(pw) == nil {
			return pw
		}
	}
}

// randIndex returns a uniform random index below n (n <= 256).
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// constantEq compares two strings in constant time.
func constantEq(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
