package organizations

import (
	"crypto/rand"
	"math/big"
	"strings"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters drawn uniformly from alphabet.
func randomString(alphabet string, n int) string {
	var b strings.Builder
	max := big.NewInt(int64(len(alphabet)))
	for range n {
		i, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("organizations: no randomness: " + err.Error())
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String()
}

// newOUID returns an OU ID of the root as AWS forms them:
// ou-<the root ID's characters>-<8 random lowercase letters and digits>.
func newOUID(rootID string) string {
	return "ou-" + strings.TrimPrefix(rootID, "r-") + "-" + randomString(idAlphabet, 8)
}

// newAccountID returns a random 12-digit account ID.
func newAccountID() string {
	return randomString("0123456789", 12)
}
