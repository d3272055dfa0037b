package condition

import (
	"strings"
	"testing"
)

// lowerKey lower-cases as strings.ToLower does: the known keys in any
// case, other keys, keys already lower-case, non-ASCII and long keys.
func TestLowerKeyAsToLower(t *testing.T) {
	keys := []string{"", "a", "Z", "aws:principaltag/Team", "s3:ExistingObjectTag/Project", "aws:RequestTag/ÄÖÜ",
		"aws:PrincipalTag/İstanbul", "kms:EncryptionContext:aws:pi", strings.Repeat("AbC", 30), strings.Repeat("x", 64) + "Y",
		strings.Repeat("Q", 64), "aws:sourceip", "AWS:SOURCEIP\x00", "\xff\xfeAWS"}
	for _, k := range knownKeys {
		keys = append(keys, k, strings.ToUpper(k), strings.ToLower(k), k+"X", "X"+k)
	}
	for _, k := range keys {
		if got, want := lowerKey(k), strings.ToLower(k); got != want {
			t.Errorf("lowerKey(%q) = %q, strings.ToLower: %q", k, got, want)
		}
	}
	// A known key is lower-cased without allocating.
	if n := testing.AllocsPerRun(100, func() { lowerKey("aws:PrincipalOrgPaths") }); n != 0 {
		t.Errorf("lowerKey of a known key: %v allocations", n)
	}
}

// A context built and set with keys in any case answers them in any case.
func TestContextKeysAnyCase(t *testing.T) {
	c := NewContext(map[string][]string{"aws:SourceIp": {"10.0.0.1"}, "AWS:USERAGENT": {"cli"}})
	c.SetDefault("aws:PrincipalArn", "arn:aws:iam::111122223333:user/a")
	c.SetDefault("AWS:PRINCIPALARN", "ignored: the key is set")
	c.Set("Aws:PrincipalTag/Team", "payments")
	for key, want := range map[string]string{"aws:sourceip": "10.0.0.1", "aws:UserAgent": "cli",
		"AWS:PrincipalARN": "arn:aws:iam::111122223333:user/a", "aws:principaltag/team": "payments"} {
		if got, ok := c.Get(key); !ok || len(got) != 1 || got[0] != want {
			t.Errorf("Get(%q) = %v %v, want %q", key, got, ok, want)
		}
	}
}
