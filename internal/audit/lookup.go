package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Filter selects records, as CloudTrail's LookupEvents does: one lookup
// attribute, a time range, and the records newest first.
type Filter struct {
	Attribute string // EventName, Username, ResourceName, ResourceType, EventSource, AccessKeyId, ReadOnly, EventId; "" for all
	Value     string
	Start     time.Time // zero: no lower bound
	End       time.Time // included, as in LookupEvents; zero: no upper bound
	Account   string    // only records of this recipient account ("" for all)
	// People names Identity Center's users by ID (the identity store's
	// user names): the Username of a record that names its person by
	// onBehalfOf.userId alone (UsernameOf).
	People map[string]string
}

// Match reports whether a record matches the filter's attribute.
func (f *Filter) Match(r *Record, acct string) bool {
	if f.Account != "" && acct != f.Account {
		return false
	}
	v := f.Value
	switch f.Attribute {
	case "":
		return true
	case "EventName":
		return r.EventName == v
	case "EventId":
		return r.EventID == v
	case "EventSource":
		return r.EventSource == v
	case "ReadOnly":
		return (v == "true") == r.ReadOnly
	case "AccessKeyId":
		return r.UserIdentity.AccessKeyID == v
	case "Username":
		return UsernameOf(r, f.People) == v
	case "ResourceName":
		for _, res := range r.Resources {
			if res.ARN == v || strings.HasSuffix(res.ARN, "/"+v) || strings.HasSuffix(res.ARN, ":"+v) {
				return true
			}
		}
	case "ResourceType":
		for _, res := range r.Resources {
			if res.Type == v {
				return true
			}
		}
	}
	return false
}

// Username is the user name CloudTrail's lookup shows (LookupEvents'
// Event.Username, "a user name or role name of the requester"): the
// user's, the session's name for a role session, "root" for the root user;
// for an Identity Center user's event (Unknown or IdentityCenterUser with
// onBehalfOf; a role session's onBehalfOf keeps its session name), whose userIdentity has
// no userName since July 14, 2025, the additionalEventData.UserName
// Identity Center writes instead (its user name, or
// HIDDEN_DUE_TO_SECURITY_REASONS; AWS Security Blog, "Modifications to AWS
// CloudTrail event data of IAM Identity Center"; IAM Identity Center User
// Guide, Username in sign-in CloudTrail events), "" when it writes none.
func Username(r *Record) string { return UsernameOf(r, nil) }

// UsernameOf is Username, with the Identity Center user an event names by
// onBehalfOf.userId alone (the portal's calls, CreateToken, sign-in steps
// after the first: IdentityCenterUser records, which carry no user name
// since July 14, 2025) named by people (user ID to user name, the identity
// store's): the person's user name, as Identity Center's sign-in events
// give it in additionalEventData.UserName (IAM Identity Center User Guide,
// "Username in sign-in CloudTrail events"), for the events that carry
// none. A failed sign-in step that names no user keeps its
// additionalEventData.UserName (HIDDEN_DUE_TO_SECURITY_REASONS).
func UsernameOf(r *Record, people map[string]string) string {
	u := &r.UserIdentity
	switch u.Type {
	case "Root":
		return "root"
	case "IAMUser":
		return u.UserName
	}
	if u.OnBehalfOf != nil && (u.Type == "Unknown" || u.Type == "IdentityCenterUser") {
		if u.UserName != "" {
			return u.UserName // Warden's own services name the person
		}
		if name := additionalUserName(r.AdditionalEventData); name != "" {
			return name // the name when the event was recorded
		}
		if name := people[u.OnBehalfOf.UserID]; name != "" && u.OnBehalfOf.UserID != "" {
			return name
		}
		return ""
	}
	if u.Type == "Unknown" && u.ARN == "" && r.EventSource == "signin.amazonaws.com" {
		// A failed sign-in step naming no one (no onBehalfOf).
		return additionalUserName(r.AdditionalEventData)
	}
	if u.Type == "Unknown" && u.ARN == "" && u.UserName != "" {
		// An operator's change on the store, by the name given.
		return u.UserName
	}
	if i := strings.LastIndexByte(u.ARN, '/'); i >= 0 {
		return u.ARN[i+1:]
	}
	return ""
}

// Found is a matching record with its sequence number.
type Found struct {
	Seq    int64
	Record Record
	Raw    []byte
}

// Lookup returns up to max records matching f, newest first, starting before
// record beforeSeq when it is not 0 (pagination), and the sequence number to
// continue from (0 when there are no more).
func Lookup(ctx context.Context, st store.Store, f Filter, beforeSeq int64, max int) ([]Found, int64, error) {
	return LookupWithin(ctx, st, f, beforeSeq, max, 0)
}

// LookupWithin is Lookup that stops scanning once budget has passed (0: no
// limit), with the records found so far and the sequence number to continue
// from, as CloudTrail's LookupEvents returns a page with fewer events than
// asked for, or none, and a NextToken: a filter that matches few of
// millions of records (a scan of 35 s for 5 million on the 2-core test
// machine) would otherwise outlast the server's write timeout and the
// client's read timeout, and every retry would scan again from the start.
func LookupWithin(ctx context.Context, st store.Store, f Filter, beforeSeq int64, max int, budget time.Duration) ([]Found, int64, error) {
	var deadline time.Time
	if budget > 0 {
		deadline = time.Now().Add(budget)
	}
	start, end := f.Start, f.End
	if start.IsZero() {
		start = time.Unix(0, 0)
	}
	if end.IsZero() {
		end = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC) // within UnixNano's range
	} else {
		end = end.Add(time.Nanosecond) // the store's end is excluded
	}
	needles := f.needles()
	var out []Found
	cursor := beforeSeq
	for len(out) < max {
		batch, err := st.AuditRecordsByTime(ctx, start, end, cursor, 1000)
		if err != nil {
			return nil, 0, err
		}
		for _, row := range batch {
			cursor = row.Seq
			if (f.Account != "" && row.Account != f.Account) || (needles != nil && !containsAny(row.Data, needles)) {
				// It cannot match: not decoded.
				if !deadline.IsZero() && time.Now().After(deadline) {
					return out, row.Seq, nil
				}
				continue
			}
			var r Record
			if err := json.Unmarshal(row.Data, &r); err != nil {
				continue
			}
			if f.Match(&r, row.Account) {
				out = append(out, Found{Seq: row.Seq, Record: r, Raw: row.Data})
				if len(out) == max {
					return out, row.Seq, nil
				}
			}
			if !deadline.IsZero() && time.Now().After(deadline) {
				return out, row.Seq, nil
			}
		}
		if len(batch) < 1000 {
			return out, 0, nil
		}
	}
	return out, cursor, nil
}

// needles are what a record's JSON must contain one of to match the
// filter's attribute, when that can be told from the value alone (nil
// otherwise): a record matches EventName, EventId, EventSource, AccessKeyId
// and ResourceType only when a string in it is the value, so the value in
// quotes is in its bytes; ResourceName only when an ARN in it is the value
// or ends with it, so the value is; Username (UsernameOf) only when a user
// name, an ARN's end or additionalEventData.UserName in it is the value, or
// it is the root user's ("Root") for "root", or it names by ID a person
// People names so. Only for values that JSON writes as they are (letters,
// digits and the punctuation of names, IDs and ARNs, none of which
// Warden's encoder or encoding/json escapes). A lookup matching few of many
// records then decodes only those that contain a needle: a record's
// decoding is most of a lookup's cost (about 10 µs for the record's 800
// bytes, against well under 1 µs to search them).
func (f *Filter) needles() [][]byte {
	v := f.Value
	if !plainJSON(v) {
		return nil
	}
	switch f.Attribute {
	case "EventName", "EventId", "EventSource", "AccessKeyId", "ResourceType":
		return [][]byte{[]byte(`"` + v + `"`)}
	case "ResourceName":
		return [][]byte{[]byte(v)}
	case "Username":
		out := [][]byte{[]byte(v)}
		if v == "root" {
			out = append(out, []byte(`"Root"`))
		}
		for id, name := range f.People {
			if name == v {
				if id == "" || !plainJSON(id) {
					return nil
				}
				out = append(out, []byte(`"`+id+`"`))
			}
		}
		return out
	}
	return nil
}

// plainJSON reports whether JSON writes s as it is: not empty, and only
// letters, digits and the punctuation of names, IDs and ARNs. As Warden's
// encoder and encoding/json write the trail: records written elsewhere
// (AWS's own writes "=" as \u003d in places) would need a smaller set.
func plainJSON(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.:/@+=,*$!~ ", c) >= 0) {
			return false
		}
	}
	return true
}

// containsAny reports whether b contains one of needles.
func containsAny(b []byte, needles [][]byte) bool {
	for _, n := range needles {
		if bytes.Contains(b, n) {
			return true
		}
	}
	return false
}

// additionalUserName is additionalEventData.UserName, "" if none.
func additionalUserName(x any) string {
	var v any
	switch m := x.(type) {
	case map[string]any:
		v = m["UserName"]
	case map[string]string:
		v = m["UserName"]
	}
	s, _ := v.(string)
	return s
}
