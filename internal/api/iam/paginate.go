package iam

import (
	"encoding/base64"
	"sort"

	"github.com/securecart/warden/internal/api"
)

// pageInfo is what every paginated IAM reply ends with.
type pageInfo struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// maxItems reads MaxItems: 1 to 1,000, 100 by default.
func maxItems(c *api.Call) (int, error) {
	n, perr := c.Params.Int("MaxItems", defaultMaxItems)
	if perr != nil {
		return 0, perr
	}
	if n < 1 {
		return 0, validationf("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
	}
	if n > maxMaxItems {
		return 0, validationf("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to %d", n, maxMaxItems)
	}
	return n, nil
}

// paginate sorts items by key and returns the page after the Marker (an
// opaque token: the last key of the previous page), at most MaxItems long.
func paginate[T any](c *api.Call, items []T, key func(T) string) ([]T, pageInfo, error) {
	limit, err := maxItems(c)
	if err != nil {
		return nil, pageInfo{}, err
	}
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	start := 0
	if c.Params.Has("Marker") {
		m := c.Params.Get("Marker")
		after, derr := base64.RawURLEncoding.DecodeString(m)
		if m == "" || len(m) > 320 || derr != nil {
			return nil, pageInfo{}, validationf("Invalid Marker: %q was not returned by this operation", m)
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > string(after) })
	}
	end := min(start+limit, len(items))
	out := items[start:end]
	info := pageInfo{}
	if end < len(items) {
		info.IsTruncated = true
		info.Marker = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return out, info, nil
}
