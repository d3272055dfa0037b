package condition

import (
	"net/netip"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/securecart/warden/internal/arn"
)

// Context holds a request's context keys, each with one value or, for
// multivalued keys, several. Key names are case-insensitive. Build it once
// per request with NewContext; copies of a Context share its keys.
//
// Lookups are on the hot path of every condition: keys are kept lower-cased
// with a 64-bit hash in a small slice, and a compiled condition carries the
// hash of its key, so that a lookup compares integers before strings instead
// of hashing into a map.
type Context struct {
	d *contextData
}

type contextData struct {
	entries []*entry
	// slots is an open-addressing table over entries: slot hash&mask holds
	// the index+1 of an entry (0: empty), probing linearly.
	slots []int32
}

func (d *contextData) insert(e *entry) {
	d.entries = append(d.entries, e)
	if len(d.entries)*2 > len(d.slots) {
		d.rehash()
		return
	}
	d.place(len(d.entries) - 1)
}

func (d *contextData) rehash() {
	n := 16
	for n < len(d.entries)*4 {
		n *= 2
	}
	d.slots = make([]int32, n)
	for i := range d.entries {
		d.place(i)
	}
}

func (d *contextData) place(i int) {
	mask := uint64(len(d.slots) - 1)
	for j := d.entries[i].hash & mask; ; j = (j + 1) & mask {
		if d.slots[j] == 0 {
			d.slots[j] = int32(i + 1)
			return
		}
	}
}

type entry struct {
	hash uint64
	key  string // lower-cased
	vals []string

	// The values parsed for the operator families that need it, on first
	// use: a request's values are parsed once however many conditions read
	// them. Concurrent evaluations of one request may both parse; either
	// result is stored, and they are equal.
	nums  atomic.Pointer[[]parsedNum]
	dates atomic.Pointer[[]parsedDate]
	ips   atomic.Pointer[[]parsedIP]
	arns  atomic.Pointer[[]arn.Value]
}

type parsedNum struct {
	d  decimal
	ok bool
}

type parsedDate struct {
	t  int64
	ok bool
}

type parsedIP struct {
	a  netip.Addr
	ok bool
}

func (e *entry) numbers() []parsedNum {
	if p := e.nums.Load(); p != nil {
		return *p
	}
	out := make([]parsedNum, len(e.vals))
	for i, v := range e.vals {
		d, err := parseDecimal(v)
		out[i] = parsedNum{d, err == nil}
	}
	e.nums.Store(&out)
	return out
}

func (e *entry) timestamps() []parsedDate {
	if p := e.dates.Load(); p != nil {
		return *p
	}
	out := make([]parsedDate, len(e.vals))
	for i, v := range e.vals {
		t, ok := parseDate(v)
		out[i] = parsedDate{t, ok}
	}
	e.dates.Store(&out)
	return out
}

func (e *entry) addrs() []parsedIP {
	if p := e.ips.Load(); p != nil {
		return *p
	}
	out := make([]parsedIP, len(e.vals))
	for i, v := range e.vals {
		a, err := netip.ParseAddr(v)
		out[i] = parsedIP{a.Unmap(), err == nil}
	}
	e.ips.Store(&out)
	return out
}

func (e *entry) arnValues() []arn.Value {
	if p := e.arns.Load(); p != nil {
		return *p
	}
	out := make([]arn.Value, len(e.vals))
	for i, v := range e.vals {
		out[i] = arn.SplitValue(v)
	}
	e.arns.Store(&out)
	return out
}

// Clone returns a copy of c that Set and SetDefault change apart from c. The
// entries (a key, its values and their parsed forms) are shared: neither
// context changes one in place, Set replaces it.
func (c Context) Clone() Context {
	if c.d == nil {
		return NewContext(nil)
	}
	d := &contextData{entries: make([]*entry, len(c.d.entries), len(c.d.entries)+8), slots: make([]int32, len(c.d.slots))}
	copy(d.entries, c.d.entries)
	copy(d.slots, c.d.slots)
	return Context{d: d}
}

// NewContext returns a Context with the keys of m. When two keys of m differ
// only in case, their values are merged.
func NewContext(m map[string][]string) Context {
	c := Context{d: &contextData{entries: make([]*entry, 0, len(m)+8)}}
	c.d.rehash()
	for k, v := range m {
		lk := lowerKey(k)
		if i := c.index(lk, keyHash(lk)); i >= 0 {
			c.d.entries[i].vals = append(c.d.entries[i].vals, v...)
			continue
		}
		c.d.insert(&entry{hash: keyHash(lk), key: lk, vals: v})
	}
	return c
}

// lowerKey is strings.ToLower(key). The keys Warden puts in every
// request's context (knownKeys) come from a table, lower-cased without
// allocating: an authorization sets or reads some twenty of them.
func lowerKey(key string) string {
	const max = 64
	if len(key) > max {
		return strings.ToLower(key)
	}
	var buf [max]byte
	upper := false
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(key)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			upper = true
		}
		buf[i] = c
	}
	if !upper {
		return key
	}
	if lk, ok := knownLower[string(buf[:len(key)])]; ok {
		return lk
	}
	return strings.ToLower(key)
}

// knownKeys are the condition keys of AWS's global condition context keys
// page (IAM User Guide, "AWS global condition context keys") and STS's
// that Warden's authorization puts in a request's context.
var knownKeys = []string{
	"aws:AssumedRoot", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
	"aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount", "aws:PrincipalArn",
	"aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalServiceName",
	"aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:Referer", "aws:RequestedRegion", "aws:ResourceAccount",
	"aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
	"aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce",
	"aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp",
	"sts:ExternalId", "sts:RoleSessionName", "sts:SourceIdentity", "sts:TransitiveTagKeys", "identitystore:UserId",
}

// knownLower maps each known key, lower-cased, to itself.
var knownLower = func() map[string]string {
	m := make(map[string]string, len(knownKeys))
	for _, k := range knownKeys {
		lk := strings.ToLower(k)
		m[lk] = lk
	}
	return m
}()

// keyHash is FNV-1a of a lower-cased key.
func keyHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func (c Context) index(lowerKey string, h uint64) int {
	if c.d == nil || len(c.d.slots) == 0 {
		return -1
	}
	d := c.d
	mask := uint64(len(d.slots) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		s := d.slots[j]
		if s == 0 {
			return -1
		}
		if e := d.entries[s-1]; e.hash == h && e.key == lowerKey {
			return int(s - 1)
		}
	}
}

// lookup returns the values of a lower-cased key with its hash.
func (c Context) lookup(lowerKey string, h uint64) ([]string, bool) {
	if i := c.index(lowerKey, h); i >= 0 {
		return c.d.entries[i].vals, true
	}
	return nil, false
}

// entryOf returns the entry of a lower-cased key, or nil.
func (c Context) entryOf(lowerKey string, h uint64) *entry {
	if i := c.index(lowerKey, h); i >= 0 {
		return c.d.entries[i]
	}
	return nil
}

// Get returns the values of a key (any case).
func (c Context) Get(key string) ([]string, bool) {
	lk := lowerKey(key)
	return c.lookup(lk, keyHash(lk))
}

// Set sets a key, replacing its values.
func (c Context) Set(key string, values ...string) {
	lk := lowerKey(key)
	h := keyHash(lk)
	if i := c.index(lk, h); i >= 0 {
		c.d.entries[i] = &entry{hash: h, key: lk, vals: values}
		return
	}
	c.d.insert(&entry{hash: h, key: lk, vals: values})
}

// SetDefault sets a key only when the context does not have it.
func (c Context) SetDefault(key string, values ...string) {
	lk := lowerKey(key)
	h := keyHash(lk)
	if c.index(lk, h) < 0 {
		c.d.insert(&entry{hash: h, key: lk, vals: values})
	}
}

// Len returns the number of keys.
func (c Context) Len() int {
	if c.d == nil {
		return 0
	}
	return len(c.d.entries)
}

// Each calls fn for every key (lower-cased) with its values.
func (c Context) Each(fn func(key string, values []string)) {
	if c.d == nil {
		return
	}
	for _, e := range c.d.entries {
		fn(e.key, e.vals)
	}
}

// Key is a context key name prepared for repeated lookups (see Lookup).
type Key struct {
	lower string
	hash  uint64
}

// NewKey prepares a key name (any case).
func NewKey(name string) Key {
	lk := strings.ToLower(name)
	return Key{lower: lk, hash: keyHash(lk)}
}

// Lookup is Get for a prepared key: it neither allocates nor hashes.
func (c Context) Lookup(k Key) ([]string, bool) {
	return c.lookup(k.lower, k.hash)
}
