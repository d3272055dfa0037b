package sigv4

import (
	"cmp"
	"slices"
)

// appendCanonicalQuery appends the canonical query string: every pair
// URI-encoded (with "/" encoded), sorted by encoded name then encoded value,
// joined with "&". X-Amz-Signature is left out of a presigned request.
func appendCanonicalQuery(dst []byte, params []queryParam, presigned bool) []byte {
	if len(params) == 0 {
		return dst
	}
	encoded := make([]queryParam, 0, len(params))
	for _, p := range params {
		if presigned && p.key == "X-Amz-Signature" {
			continue
		}
		encoded = append(encoded, queryParam{uriEncode(p.key, false), uriEncode(p.value, false)})
	}
	slices.SortFunc(encoded, func(x, y queryParam) int {
		if c := cmp.Compare(x.key, y.key); c != 0 {
			return c
		}
		return cmp.Compare(x.value, y.value)
	})
	for i, p := range encoded {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}
