package organizations

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// page is the MaxResults and NextToken of a List operation. A token is
// opaque to clients: the offset of the next item, bound to the operation and
// its parameters, so that a token of one listing is refused by another.
type page struct {
	start, size int
	bind        string
}

const tokenVersion = "w1"

// paging checks MaxResults (1 to 20) and NextToken. bind names what is
// listed (the operation and its parameters).
func paging(maxResults *int32, nextToken *string, bind ...string) (page, error) {
	p := page{size: defaultPageSize, bind: binding(bind)}
	if maxResults != nil {
		switch n := int(*maxResults); {
		case n < 1:
			return page{}, invalidInput("MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed: MaxResults is at least 1.")
		case n > maxResultsLimit:
			return page{}, invalidInput("MAX_VALUE_EXCEEDED", "You provided a numeric parameter that has a larger value than allowed: MaxResults is at most %d.", maxResultsLimit)
		default:
			p.size = n
		}
	}
	if nextToken == nil || *nextToken == "" {
		return p, nil
	}
	bad := invalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
	raw, err := base64.RawURLEncoding.DecodeString(*nextToken)
	if err != nil {
		return page{}, bad
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != tokenVersion || parts[1] != p.bind {
		return page{}, bad
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 1 {
		return page{}, bad
	}
	p.start = n
	return p, nil
}

func binding(parts []string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// cut returns the page's window of n items and the token of the next page
// (nil at the end). A start beyond the end (the list shrank) is an empty
// last page.
func (p page) cut(n int) (lo, hi int, next *string) {
	lo = min(p.start, n)
	hi = min(lo+p.size, n)
	if hi < n {
		t := base64.RawURLEncoding.EncodeToString([]byte(tokenVersion + ":" + p.bind + ":" + strconv.Itoa(hi)))
		next = &t
	}
	return lo, hi, next
}

// pageOf returns the page's items of a list.
func pageOf[T any](p page, items []T) ([]T, *string) {
	lo, hi, next := p.cut(len(items))
	out := make([]T, 0, hi-lo)
	return append(out, items[lo:hi]...), next
}
