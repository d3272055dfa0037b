package diff

import "strings"

// accountOf is the account of a principal's ARN, or "123456789012".
func accountOf(p string) string {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && len(parts[4]) == 12 {
		return parts[4]
	}
	return "123456789012"
}
