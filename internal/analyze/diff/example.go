package diff

import "strings"

// accountOf is the account of a principal's ARN, or "123456789012".
func accountOf(p string) string {
	if a, ok := accountPart(p); ok {
		return a
	}
	return "123456789012"
}

// accountPart is the account of an ARN, when it names one.
func accountPart(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && len(parts[4]) == 12 {
		return parts[4], true
	}
	return "", false
}

// noAccount reports whether an ARN's account part is empty.
func noAccount(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[4] == ""
}
