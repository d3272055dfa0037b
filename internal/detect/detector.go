package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/audit"
)

// Finding is one detection: a finding type, in an account, about one
// actor, aggregating every record that showed it.
type Finding struct {
	Kind    Kind
	Account string // the account the finding is in (GuardDuty's)
	Region  string
	// Principal is the actor's ARN (the session's for temporary
	// credentials); PrincipalType its userIdentity type.
	Principal     string
	PrincipalType string
	AccessKeyID   string
	// key tells apart findings of one kind in one account.
	key string
	// Description says what happened, with the latest record's details.
	Description string
	First, Last time.Time
	Count       int
	// API is the latest record's eventSource and eventName; SourceIP and
	// UserAgent its caller's.
	API, SourceIP, UserAgent string
	// EventIDs are the latest records' eventIDs (at most 10).
	EventIDs []string
	// Archived is set by Findings when the activity has not recurred for
	// Config.ArchiveAfter, since ArchivedAt.
	Archived   bool
	ArchivedAt time.Time
}

// ID is the finding's stable ID (32 hex digits, as GuardDuty's).
func (f *Finding) ID() string {
	sum := sha256.Sum256([]byte(f.Kind.Name + "\x00" + f.Account + "\x00" + f.key))
	return hex.EncodeToString(sum[:16])
}

// Detector reads records in order and keeps the findings they show. It is
// not safe for concurrent use.
type Detector struct {
	cfg Config
	// inOrg tells whether an account is one of the organization's; nil
	// takes every account as outside but the role's own.
	inOrg    func(account string) bool
	findings map[string]*Finding
	latest   time.Time

	denied map[string][]time.Time // principal -> recent access-denied times
	// assume: role -> caller account -> last seen; sources: principal ->
	// network -> last seen; history: principal -> AssumeRole times.
	assumeAccounts map[string]map[string]time.Time
	sources        map[string]map[string]time.Time
	history        map[string][]time.Time
	// revoked: the issuer (role or user ARN, or account/name) -> sessions
	// issued before this time are revoked.
	revoked map[string]time.Time
	key     []byte // revokedIssuer's issuerKey, reused

	reader *storedReader // ReadStored's
}

// New returns a detector. inOrg (may be nil) tells the organization's
// accounts.
func New(cfg Config, inOrg func(account string) bool) *Detector {
	return &Detector{cfg: cfg, inOrg: inOrg, findings: map[string]*Finding{}, denied: map[string][]time.Time{},
		assumeAccounts: map[string]map[string]time.Time{}, sources: map[string]map[string]time.Time{},
		history: map[string][]time.Time{}, revoked: map[string]time.Time{}}
}

// Revoke records that sessions of an issuer (a role's or a user's ARN)
// issued before t are revoked: what an AWSRevokeOlderSessions policy
// already in the organization says, before the trail shows it being put.
func (d *Detector) Revoke(issuer string, t time.Time) {
	if t.After(d.revoked[issuerKey(issuer)]) {
		d.revoked[issuerKey(issuer)] = t
	}
}

// Observe reads one record.
func (d *Detector) Observe(r *audit.Record) {
	at, ok := d.time(r)
	if ok {
		d.observe(r, at)
	}
}

// time is the record's eventTime, noted as the latest read when it is
// later; false (and nothing noted) when it is not a time: the record is
// then ignored.
func (d *Detector) time(r *audit.Record) (time.Time, bool) {
	at, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil {
		return time.Time{}, false
	}
	if at.After(d.latest) {
		d.latest = at
	}
	return at, true
}

// observe runs the rules that act on r (rule.when) on it.
func (d *Detector) observe(r *audit.Record, at time.Time) {
	for i := range rules {
		if rl := &rules[i]; rl.when(d, r) {
			rl.do(d, r, at)
		}
	}
}

// acts reports whether a rule acts on r: when it does not, observe
// changes nothing, and ReadStored reads r no further than its time.
func (d *Detector) acts(r *audit.Record) bool {
	for i := range rules {
		if rules[i].when(d, r) {
			return true
		}
	}
	return false
}

// A rule is one detection. when tells whether it acts on a record at all:
// it reads the record and the detector, changes neither
// (TestWhenChangesNothing), and is cheap; do acts, on the records when
// admits alone (observe calls it only then, whatever do checks itself). A
// record that no rule's when admits changes nothing but the latest time
// read, which lets ReadStored read most of the trail without copying any
// of it (acts, on the record read as views of the stored bytes) and copy
// only the records a rule acts on; since Observe asks the same when
// before each do, the two readings cannot differ whatever a rule reads.
type rule struct {
	when func(d *Detector, r *audit.Record) bool
	do   func(d *Detector, r *audit.Record, at time.Time)
}

var rules = []rule{
	{rootWhen, detectRoot}, {trailStopWhen, detectTrailStop}, {deniedWhen, detectDenied},
	{assumeRoleWhen, detectAssumeRole}, {revocationWhen, detectRevocation}, {revokedUseWhen, detectRevokedUse},
}

// Findings returns the findings, oldest first, archiving those whose
// activity has not recurred for Config.ArchiveAfter before now (zero: the
// latest record's time).
func (d *Detector) Findings(now time.Time) []Finding {
	if now.IsZero() {
		now = d.latest
	}
	out := make([]Finding, 0, len(d.findings))
	for _, f := range d.findings {
		g := *f
		g.EventIDs = append([]string{}, f.EventIDs...)
		g.Archived = now.Sub(f.Last) >= d.cfg.ArchiveAfter
		if g.Archived {
			g.ArchivedAt = f.Last.Add(d.cfg.ArchiveAfter)
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].First.Equal(out[j].First) {
			return out[i].First.Before(out[j].First)
		}
		return out[i].ID() < out[j].ID()
	})
	return out
}

// raise records one occurrence of a finding.
func (d *Detector) raise(k Kind, account, key string, r *audit.Record, at time.Time, desc string) {
	id := k.Name + "\x00" + account + "\x00" + key
	f := d.findings[id]
	if f == nil {
		f = &Finding{Kind: k, Account: account, key: key, First: at}
		d.findings[id] = f
	}
	f.Count++
	if at.Before(f.First) {
		f.First = at
	}
	if !at.Before(f.Last) {
		f.Last = at
		f.Region, f.Principal, f.PrincipalType, f.AccessKeyID = r.AWSRegion, actor(r), r.UserIdentity.Type, r.UserIdentity.AccessKeyID
		f.API, f.SourceIP, f.UserAgent, f.Description = r.EventSource+" "+r.EventName, r.SourceIPAddress, r.UserAgent, desc
	}
	f.EventIDs = append(f.EventIDs, r.EventID)
	if len(f.EventIDs) > 10 {
		f.EventIDs = f.EventIDs[len(f.EventIDs)-10:]
	}
}

// actor is the record's caller: its ARN, else its account or access key.
func actor(r *audit.Record) string {
	u := r.UserIdentity
	switch {
	case u.ARN != "":
		return u.ARN
	case u.AccessKeyID != "":
		return u.AccessKeyID
	}
	return u.AccountID
}

// callerAccount is the caller's account, else the record's.
func callerAccount(r *audit.Record) string {
	if a := r.UserIdentity.AccountID; len(a) == 12 {
		return a
	}
	return r.RecipientAccountID
}

// param reads a string request parameter.
func param(r *audit.Record, name string) string {
	m, ok := r.RequestParameters.(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

// deniedCodes are the error codes of a request refused for lack of
// permission, across AWS's protocols.
var deniedCodes = map[string]bool{"AccessDenied": true, "AccessDeniedException": true,
	"UnauthorizedOperation": true, "Client.UnauthorizedOperation": true, "UnauthorizedAccess": true}

func denied(r *audit.Record) bool { return deniedCodes[r.ErrorCode] }

// issuerKey names a role or user by account, kind and name, without its
// path: a policy put by RoleName and a session's issuer ARN meet there.
func issuerKey(arn string) string { return string(appendIssuerKey(nil, arn)) }

// appendIssuerKey appends arn's issuerKey to dst.
func appendIssuerKey(dst []byte, arn string) []byte {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return append(dst, arn...)
	}
	acct, res, _ := strings.Cut(rest, ":")
	kind, name, _ := strings.Cut(res, "/")
	dst = append(append(append(dst, acct...), ':'), kind...)
	return append(append(dst, ':'), name[strings.LastIndexByte(name, '/')+1:]...)
}
