package compliance

import "testing"

func TestGlobCovers(t *testing.T) {
	for _, c := range []struct {
		p, q string
		want bool
	}{
		{"*", "arn:aws:kms:*:*:key/*", true},
		{"arn:aws:kms:*", "arn:aws:kms:*:*:key/*", true},
		{"arn:aws:kms:*:*:key/*", "arn:aws:kms:*:*:key/*", true},
		{"arn:aws:kms:us-east-1:*:key/*", "arn:aws:kms:*:*:key/*", false}, // one region is not every key
		{"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:*:*:key/*", false},
		{"arn:aws:kms:*:*:key/abc", "arn:aws:kms:*:*:key/*", false},
		{"kms:*", "kms:decrypt", true},
		{"kms:de*", "kms:decrypt", true},
		{"kms:re*", "kms:decrypt", false},
		{"kms:?ecrypt", "kms:decrypt", true},
		{"kms:?ecrypt", "kms:*", false},
		{"s3:*", "s3:get*", true},
		{"s3:get*", "s3:*", false},
	} {
		if got := globCovers(c.p, c.q); got != c.want {
			t.Errorf("globCovers(%q, %q) = %v, want %v", c.p, c.q, got, c.want)
		}
	}
}
