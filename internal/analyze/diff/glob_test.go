package diff

import "testing"

func TestMayMeet(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"*", "arn:aws:s3:::b", true},
		{"arn:*:*:*:111122223333:*", "arn:aws:iam::111122223333:role/R", true},
		{"arn:*:*:*:111122223333:*", "arn:aws:iam::444455556666:role/R", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::*", true},
		{"arn:aws:s3:::b", "arn:aws:s3:::c", false},
		{"arn:aws:iam::1:role/*/R", "arn:aws:iam::1:role/a*", true},
		{"arn:aws:iam::1:role/*/R", "arn:aws:iam::1:role/R", false},
		{"arn:aws:iam::1:role/a?c", "arn:aws:iam::1:role/*b*", true},
		{"arn:aws:iam::1:role/a?c", "arn:aws:iam::1:role/*d*", true},
		{"arn:aws:iam::1:role/a?c", "arn:aws:iam::1:role/*dd*", false},
		{"arn:*:*:*::*", "arn:aws:s3:::b/*", true},
		{"arn:*:*:*::*", "arn:aws:iam::1:root", false},
	} {
		if got := mayMeet(c.a, c.b); got != c.want {
			t.Errorf("mayMeet(%q, %q) = %v", c.a, c.b, got)
		}
		if got := mayMeet(c.b, c.a); got != c.want {
			t.Errorf("mayMeet(%q, %q) = %v", c.b, c.a, got)
		}
	}
}
