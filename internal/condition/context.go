package condition

import "strings"

// Context holds a request's context keys, lower-cased, each with one value or,
// for multivalued keys, several. Build it once per request with NewContext.
type Context map[string][]string

// NewContext returns a Context with the keys of m lower-cased. When two keys of
// m differ only in case, their values are merged.
func NewContext(m map[string][]string) Context {
	c := make(Context, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		c[lk] = append(c[lk], v...)
	}
	return c
}

// Get returns the values of a key given in lower case.
func (c Context) Get(lowerKey string) ([]string, bool) {
	v, ok := c[lowerKey]
	return v, ok
}

// Set sets a key, replacing its values.
func (c Context) Set(key string, values ...string) {
	c[strings.ToLower(key)] = values
}

// SetDefault sets a key only when the context does not have it.
func (c Context) SetDefault(key string, values ...string) {
	lk := strings.ToLower(key)
	if _, ok := c[lk]; !ok {
		c[lk] = values
	}
}
