// Package access is time-boxed access to permission sets (docs/access.md):
// a person of Identity Center requests a permission set in an account for a
// time and a reason, under a policy of the organization
// (identityCenter.temporaryAccess); a member of the policy's approver
// groups other than the requester approves it, with a current MFA code when
// the policy asks; the account assignment then exists until the grant
// expires or is revoked, when it is removed and the sessions the grant
// produced are refused at once.
//
// The rules it keeps:
//
//   - A request names a permission set and an account that a policy covers,
//     by a member of one of its requester groups, for at least a second and
//     at most the policy's maxDuration, with a reason. A person who already
//     holds the permission set in the account, or who has a pending or
//     active request for it, cannot request it again.
//   - Approval: by a member of one of the policy's approver groups, never by
//     the requester (self-approval is forbidden whatever the groups), with a
//     fresh second factor of the approver unless the policy sets
//     approvalRequiresMfa: false: a TOTP code of their authenticator
//     (accepted once), one of their unused recovery codes (used up by
//     the approval), or an assertion of one of their security keys or
//     passkeys answering a challenge bound to them, the request and the
//     action (WebAuthnChallenge; sso's step-up: stored, single-use,
//     short-lived). Wrong codes and assertions count toward the sign-in
//     MFA rate limits. A request is decided once: approving or denying a
//     decided request is refused.
//   - The grant runs from its approval for the requested duration. Its
//     sessions (GetRoleCredentials, and the role sessions chained from
//     them) carry the grant's ID and expire with it; when it ends, every
//     request they make is refused: ExpiredToken at expiry, AccessDenied
//     after a revocation (Check), on every replica at once, since the
//     grant's state is read from the store.
//   - Expiry: every replica's sweep (Sweeper) ends the grants whose time has
//     come within SweepInterval, and pending requests that were not decided
//     within PendingTTL.
//   - Ending a grant writes its state first (so its sessions are refused
//     from then on), then removes the account assignment, then the index
//     entry; a sweep finishes an ending that was interrupted.
//
// State lives in the records store: the requests in NSRequests by ID, and
// the pending and active ones indexed in NSIndex by user, account and
// permission set (which also makes a duplicate request fail atomically).
package access

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// The record namespaces.
const (
	NSRequests = "access/requests"
	NSIndex    = "access/open"
)

// EventSource is the trail's eventSource of time-boxed access events.
const EventSource = "access.warden.local"

// SweepInterval is how often a replica looks for grants to end: a grant's
// assignment is removed at most this late (plus the time to write it).
const SweepInterval = time.Second

// PendingTTL is how long a request waits for a decision before it lapses.
const PendingTTL = 24 * time.Hour

// MaxReason is the longest reason or comment, in characters.
const MaxReason = 1000

// The states of a request.
const (
	Pending   = "PENDING"
	Active    = "ACTIVE"
	Denied    = "DENIED"
	Expired   = "EXPIRED"
	Revoked   = "REVOKED"
	Cancelled = "CANCELLED"
	Failed    = "FAILED"
)

// Request is a request and, once approved, the grant.
type Request struct {
	ID              string    `json:"requestId"`
	Policy          string    `json:"policy"`
	UserID          string    `json:"userId"`
	UserName        string    `json:"userName"`
	AccountID       string    `json:"accountId"`
	AccountName     string    `json:"accountName"`
	PermissionSet   string    `json:"permissionSet"`
	DurationSeconds int64     `json:"durationSeconds"`
	Reason          string    `json:"reason"`
	Status          string    `json:"status"`
	RequestedAt     time.Time `json:"requestedAt"`
	// The decision: who (user ID and name, or "operator:NAME"), when, why,
	// and whether the approver gave an MFA code.
	DecidedBy     string    `json:"decidedBy,omitempty"`
	DecidedByName string    `json:"decidedByName,omitempty"`
	DecidedAt     time.Time `json:"decidedAt,omitzero"`
	Comment       string    `json:"comment,omitempty"`
	ApproverMFA   bool      `json:"approverMfa,omitempty"`
	// ApproverMFAMethod is the factor the approver gave: MFATOTP,
	// MFARecoveryCode or MFAWebAuthn.
	ApproverMFAMethod string `json:"approverMfaMethod,omitempty"`
	// The grant: it runs from the approval to ExpiresAt.
	StartsAt  time.Time `json:"startsAt,omitzero"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// The end: when, by whom (for a revocation) and why.
	EndedAt     time.Time `json:"endedAt,omitzero"`
	EndedBy     string    `json:"endedBy,omitempty"`
	EndedByName string    `json:"endedByName,omitempty"`
	EndReason   string    `json:"endReason,omitempty"`
	// AssignmentRemoved is set once an ended grant's assignment is gone.
	AssignmentRemoved bool `json:"assignmentRemoved,omitempty"`

	version int64
}

// Open reports whether the request is pending or its grant active.
func (r *Request) Open() bool { return r.Status == Pending || r.Status == Active }

func (r *Request) indexKey() string { return IndexKey(r.UserID, r.AccountID, r.PermissionSet) }

// IndexKey is the index key of a person's open request for a permission
// set in an account.
func IndexKey(userID, accountID, permissionSet string) string {
	return userID + "/" + accountID + "/" + permissionSet
}

// Actor is who acts: an Identity Center user (through the API or the
// portal), or an operator working on the store directly (warden access
// with --store), who may list and revoke.
type Actor struct {
	User     *sso.User
	Operator string // the operator's name, when User is nil
	// MFACode is the approver's second factor, for approvals: a current
	// TOTP code (six digits) or one of their recovery codes.
	MFACode string
	// WebAuthn is, instead of MFACode, the approver's assertion of a
	// security key or passkey (PublicKeyCredential JSON) answering a
	// challenge WebAuthnChallenge issued for the request and the action;
	// Site is where the browser collected it (the relying party).
	WebAuthn string
	Site     sso.Site
	// Addr is the caller's address (MFA rate limits).
	Addr string
}

func (a Actor) id() (id, name string) {
	if a.User != nil {
		return a.User.ID, a.User.UserName
	}
	return "operator:" + a.Operator, a.Operator
}

// Error is a refusal, with the code the API answers.
type Error struct {
	Code    string // ValidationException, AccessDeniedException, ConflictException, ResourceNotFoundException
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// The error codes.
const (
	CodeValidation = "ValidationException"
	CodeDenied     = "AccessDeniedException"
	CodeConflict   = "ConflictException"
	CodeNotFound   = "ResourceNotFoundException"
)

// Manager runs requests and grants over the store and the org state.
type Manager struct {
	Store store.Store
	State *state.Manager
	// Auth checks approvers' MFA codes.
	Auth  *sso.Authenticator
	Clock func() time.Time
	// Audit records the steps no API call carries (expiry, and the
	// operator's revocations); nil keeps no trail.
	Audit call.Auditor
}

func (m *Manager) now() time.Time { return m.Clock().UTC().Truncate(time.Second) }

// Get returns a request by ID.
func (m *Manager) Get(ctx context.Context, id string) (*Request, error) {
	rec, err := m.Store.Record(ctx, NSRequests, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(CodeNotFound, "access request %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	var r Request
	if err := json.Unmarshal(rec.Doc, &r); err != nil {
		return nil, fmt.Errorf("access request %s: %w", id, err)
	}
	r.version = rec.Version
	return &r, nil
}

// NewRequest is what a person asks for.
type NewRequest struct {
	Account       string // account name or ID
	PermissionSet string
	Duration      time.Duration
	Reason        string
}

// ParseDuration reads a request's duration: ISO 8601 (PT4H, PT30M) or Go's
// form (4h, 30m, 90s).
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("malformed duration %q: want PT4H, PT30M or 4h, 30m", s)
	if strings.HasPrefix(s, "PT") {
		m := reISODuration.FindStringSubmatch(s)
		if m == nil || s == "PT" {
			return 0, bad
		}
		var total time.Duration
		for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
			if m[i+1] == "" {
				continue
			}
			n, err := strconv.ParseInt(m[i+1], 10, 64)
			if err != nil || n > 1_000_000 {
				return 0, bad
			}
			total += time.Duration(n) * unit
		}
		return total, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

var reISODuration = regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$`)

// orgUser finds the acting person in the org's directory.
func orgUser(ic *org.IdentityCenter, id string) *org.SSOUser {
	for _, u := range ic.Users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (m *Manager) identityCenter(ctx context.Context) (*org.Org, *org.IdentityCenter, error) {
	o, err := m.State.Fresh(ctx)
	if err != nil {
		return nil, nil, err
	}
	if o.IdentityCenter == nil {
		return nil, nil, errorf(CodeValidation, "the organization has no Identity Center instance")
	}
	return o, o.IdentityCenter, nil
}

// Policies returns the policies a person may request under, with the
// accounts each covers (for the portal's request form).
func (m *Manager) Policies(ctx context.Context, userID string) ([]*org.TemporaryAccess, error) {
	_, ic, err := m.identityCenter(ctx)
	if err != nil {
		return nil, err
	}
	u := orgUser(ic, userID)
	var out []*org.TemporaryAccess
	for _, p := range ic.TemporaryAccess {
		if u != nil && u.InAny(p.RequesterGroups) {
			out = append(out, p)
		}
	}
	return out, nil
}

// holds reports whether a user holds a permission set in an account
// through an assignment to the user or to one of the user's groups.
func holds(ic *org.IdentityCenter, u *org.SSOUser, ps *org.PermissionSet, acct *org.Account) bool {
	for _, a := range ic.Assignments {
		if a.PermissionSet != ps || !slices.Contains(a.Accounts, acct) {
			continue
		}
		if a.User == u || (a.Group != nil && slices.Contains(u.Groups, a.Group)) {
			return true
		}
	}
	return false
}

// Create records a person's request.
func (m *Manager) Create(ctx context.Context, who Actor, in NewRequest) (*Request, error) {
	if who.User == nil {
		return nil, errorf(CodeDenied, "only a person signed in to Identity Center may request access")
	}
	o, ic, err := m.identityCenter(ctx)
	if err != nil {
		return nil, err
	}
	u := orgUser(ic, who.User.ID)
	if u == nil {
		return nil, errorf(CodeDenied, "the user %s is not in the identity store", who.User.UserName)
	}
	acct, ok := o.AccountByID(in.Account)
	if !ok {
		acct, ok = o.AccountByName(in.Account)
	}
	if !ok {
		return nil, errorf(CodeValidation, "account %q is not in the organization", in.Account)
	}
	reason := strings.TrimSpace(in.Reason)
	switch {
	case reason == "":
		return nil, errorf(CodeValidation, "reason is required: say why you need the access")
	case len([]rune(reason)) > MaxReason:
		return nil, errorf(CodeValidation, "reason is longer than %d characters", MaxReason)
	case in.Duration < time.Second || in.Duration%time.Second != 0:
		return nil, errorf(CodeValidation, "duration %s must be a whole number of seconds, at least one", in.Duration)
	}
	var fit, best *org.TemporaryAccess
	for _, p := range ic.TemporaryAccess {
		if p.PermissionSet == nil || p.PermissionSet.Name != in.PermissionSet || !p.Covers(acct.ID) || !u.InAny(p.RequesterGroups) {
			continue
		}
		if best == nil || p.MaxDuration > best.MaxDuration {
			best = p
		}
		if fit == nil && in.Duration <= p.MaxDuration {
			fit = p
		}
	}
	switch {
	case best == nil:
		return nil, errorf(CodeDenied, "no temporary access policy lets %s request %s in %s (%s)", u.UserName, in.PermissionSet, acct.Name, acct.ID)
	case fit == nil:
		return nil, errorf(CodeValidation, "duration %s is longer than the policy %s allows (%s)", in.Duration, best.Name, best.MaxDuration)
	}
	if holds(ic, u, fit.PermissionSet, acct) {
		return nil, errorf(CodeConflict, "%s already holds %s in %s", u.UserName, in.PermissionSet, acct.Name)
	}
	now := m.now()
	r := &Request{ID: newID(), Policy: fit.Name, UserID: u.ID, UserName: u.UserName, AccountID: acct.ID, AccountName: acct.Name,
		PermissionSet: fit.PermissionSet.Name, DurationSeconds: int64(in.Duration / time.Second), Reason: reason, Status: Pending, RequestedAt: now}
	doc, _ := json.Marshal(r)
	idx, _ := json.Marshal(map[string]string{"requestId": r.ID})
	vs, err := m.Store.ApplyRecords(ctx, []store.RecordOp{
		{Namespace: NSIndex, Key: r.indexKey(), Doc: idx, Expect: 0, At: now},
		{Namespace: NSRequests, Key: r.ID, Doc: doc, Expect: 0, At: now},
	})
	if errors.Is(err, store.ErrConflict) {
		open := "an open request"
		if prev, perr := m.openFor(ctx, r.indexKey()); perr == nil && prev != nil {
			open = fmt.Sprintf("request %s (%s)", prev.ID, strings.ToLower(prev.Status))
		}
		return nil, errorf(CodeConflict, "%s already has %s for %s in %s", u.UserName, open, r.PermissionSet, acct.Name)
	}
	if err != nil {
		return nil, err
	}
	r.version = vs[1]
	return r, nil
}

// openFor returns the open request an index key names, or nil.
func (m *Manager) openFor(ctx context.Context, key string) (*Request, error) {
	rec, err := m.Store.Record(ctx, NSIndex, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ix struct {
		ID string `json:"requestId"`
	}
	if err := json.Unmarshal(rec.Doc, &ix); err != nil {
		return nil, err
	}
	return m.Get(ctx, ix.ID)
}

// ActiveGrant returns the person's active grant of a permission set in an
// account, or nil: GetRoleCredentials ties the sessions it issues to it.
func (m *Manager) ActiveGrant(ctx context.Context, userID, accountID, permissionSet string) (*Request, error) {
	r, err := m.openFor(ctx, IndexKey(userID, accountID, permissionSet))
	if err != nil || r == nil || r.Status != Active || !m.Clock().Before(r.ExpiresAt) {
		return nil, err
	}
	return r, nil
}

// Bind returns what ties a session about to be issued for a person's
// permission set in an account (sso.IssueRoleCredentials' limit) to the
// active grant the person holds it through, if any: the session carries
// the grant's ID and ends no later than the grant.
func (m *Manager) Bind(ctx context.Context, userID, accountID, permissionSet string) func(*creds.Session) error {
	return func(s *creds.Session) error {
		g, err := m.ActiveGrant(ctx, userID, accountID, permissionSet)
		if err != nil || g == nil {
			return err
		}
		s.Grant = g.ID
		if g.ExpiresAt.Before(s.Expires) {
			s.Expires = g.ExpiresAt
		}
		return nil
	}
}

// policy finds a request's policy in the current org and checks that it
// still covers the request.
func policyOf(ic *org.IdentityCenter, r *Request) (*org.TemporaryAccess, error) {
	for _, p := range ic.TemporaryAccess {
		if p.Name == r.Policy {
			if p.PermissionSet == nil || p.PermissionSet.Name != r.PermissionSet || !p.Covers(r.AccountID) {
				return nil, errorf(CodeConflict, "the policy %s no longer covers %s in %s", p.Name, r.PermissionSet, r.AccountName)
			}
			return p, nil
		}
	}
	return nil, errorf(CodeConflict, "the policy %s of request %s no longer exists", r.Policy, r.ID)
}

// decided refuses a second decision.
func decided(r *Request) error {
	switch r.Status {
	case Pending:
		return nil
	case Active:
		return errorf(CodeConflict, "access request %s is already approved (by %s at %s)", r.ID, r.DecidedByName, r.DecidedAt.Format(time.RFC3339))
	case Denied:
		return errorf(CodeConflict, "access request %s is already denied (by %s at %s)", r.ID, r.DecidedByName, r.DecidedAt.Format(time.RFC3339))
	}
	return errorf(CodeConflict, "access request %s is already %s (at %s)", r.ID, strings.ToLower(r.Status), r.EndedAt.Format(time.RFC3339))
}

// approver checks that who may decide r under its policy.
func (m *Manager) approver(ctx context.Context, who Actor, r *Request) (*org.IdentityCenter, *org.TemporaryAccess, error) {
	if who.User == nil {
		return nil, nil, errorf(CodeDenied, "only an approver signed in to Identity Center may decide access requests")
	}
	_, ic, err := m.identityCenter(ctx)
	if err != nil {
		return nil, nil, err
	}
	if who.User.ID == r.UserID {
		return nil, nil, errorf(CodeDenied, "%s may not decide their own access request %s: self-approval is forbidden", who.User.UserName, r.ID)
	}
	p, err := policyOf(ic, r)
	if err != nil {
		return nil, nil, err
	}
	u := orgUser(ic, who.User.ID)
	if u == nil || !u.InAny(p.ApproverGroups) {
		return nil, nil, errorf(CodeDenied, "%s is not in an approver group of the policy %s (%s)", who.User.UserName, p.Name, groupList(p.ApproverGroups))
	}
	return ic, p, nil
}

func groupList(gs []*org.SSOGroup) string {
	var names []string
	for _, g := range gs {
		names = append(names, g.Name)
	}
	return strings.Join(names, ", ")
}

// toDecide reads a pending request that who may decide, with its policy.
func (m *Manager) toDecide(ctx context.Context, who Actor, id, comment string) (*Request, *org.TemporaryAccess, error) {
	r, err := m.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := decided(r); err != nil {
		return nil, nil, err
	}
	if err := checkComment(comment); err != nil {
		return nil, nil, err
	}
	_, p, err := m.approver(ctx, who, r)
	return r, p, err
}

// The second factors an approval accepts.
const (
	MFATOTP         = "totp"
	MFARecoveryCode = "recovery-code"
	MFAWebAuthn     = "webauthn" // a security key or passkey
)

// The actions a WebAuthn challenge may be issued for.
const (
	ActionApprove = "approve"
	ActionDeny    = "deny"
)

// stepUpPurpose binds a WebAuthn challenge to a request and an action.
func stepUpPurpose(id, action string) string { return "access:" + action + ":" + id }

// Challenge is a WebAuthn challenge issued to an approver for one action
// on one request.
type Challenge struct {
	RequestID string    `json:"requestId"`
	Action    string    `json:"action"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Options are the PublicKeyCredentialRequestOptions, JSON
	// {"publicKey": {...}} (binary members base64url), for
	// navigator.credentials.get.
	Options json.RawMessage `json:"credentialRequestOptions"`
}

// WebAuthnChallenge issues a challenge for an assertion of one of the
// approver's security keys or passkeys, bound to the approver, the request
// and the action (ActionApprove or ActionDeny), single-use and valid for
// sso.StepUpTTL, stored so that any replica verifies the answer. Only an
// approver who may decide the pending request gets one.
func (m *Manager) WebAuthnChallenge(ctx context.Context, who Actor, id, action string) (*Challenge, error) {
	if action != ActionApprove && action != ActionDeny {
		return nil, errorf(CodeValidation, "action %q: want %s or %s", action, ActionApprove, ActionDeny)
	}
	if _, _, err := m.toDecide(ctx, who, id, ""); err != nil {
		return nil, err
	}
	c, err := m.Auth.BeginWebAuthnStepUp(ctx, who.Site, *who.User, stepUpPurpose(id, action))
	switch {
	case errors.Is(err, sso.ErrNoWebAuthn):
		return nil, errorf(CodeValidation, "%s has no security key or passkey registered: approve with a code of your authenticator or a recovery code", who.User.UserName)
	case errors.Is(err, sso.ErrWebAuthnUnavailable), errors.Is(err, sso.ErrTooManyStepUps):
		return nil, errorf(CodeValidation, "%v", err)
	case err != nil:
		return nil, err
	}
	return &Challenge{RequestID: id, Action: action, ExpiresAt: c.Expires, Options: json.RawMessage(c.Options)}, nil
}

// secondFactor checks the approver's second factor for an action on a
// request: a WebAuthn assertion, a TOTP code or a recovery code. It
// returns the factor's name.
func (m *Manager) secondFactor(ctx context.Context, who Actor, id, action string) (string, error) {
	var err error
	method := MFAWebAuthn
	switch {
	case who.WebAuthn != "" && strings.TrimSpace(who.MFACode) != "":
		return "", errorf(CodeValidation, "give either an MFA code or a security key's answer, not both")
	case who.WebAuthn != "":
		_, err = m.Auth.FinishWebAuthnStepUp(ctx, who.Site, *who.User, stepUpPurpose(id, action), who.WebAuthn, who.Addr)
	default:
		method = MFAMethod(who.MFACode)
		if method == MFATOTP {
			err = m.Auth.TOTP(ctx, *who.User, strings.TrimSpace(who.MFACode), who.Addr)
		} else {
			_, err = m.Auth.UseRecoveryCode(ctx, *who.User, who.MFACode, who.Addr)
		}
	}
	if errors.Is(err, sso.ErrBadCredentials) || errors.Is(err, sso.ErrThrottled) || errors.Is(err, sso.ErrWebAuthnUnavailable) {
		return "", errorf(CodeDenied, "MFA failed: %v", err)
	}
	return method, err
}

// MFAMethod tells which factor an approval code is by its shape: six
// digits are a TOTP code; anything else is taken as a recovery code
// (sixteen symbols, so never six digits).
func MFAMethod(code string) string {
	code = strings.TrimSpace(code)
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		return MFATOTP
	}
	return MFARecoveryCode
}

// Approve approves a pending request: the assignment is made and the
// grant runs from now for the requested duration.
func (m *Manager) Approve(ctx context.Context, who Actor, id, comment string) (*Request, error) {
	r, p, err := m.toDecide(ctx, who, id, comment)
	if err != nil {
		return nil, err
	}
	if d := time.Duration(r.DurationSeconds) * time.Second; d > p.MaxDuration {
		return nil, errorf(CodeConflict, "duration %s is longer than the policy %s now allows (%s)", d, p.Name, p.MaxDuration)
	}
	method := ""
	if p.ApprovalRequiresMFA {
		if strings.TrimSpace(who.MFACode) == "" && who.WebAuthn == "" {
			return nil, errorf(CodeDenied, "the policy %s requires MFA to approve: give a current code of your authenticator, one of your recovery codes, or your security key's or passkey's answer", p.Name)
		}
		if method, err = m.secondFactor(ctx, who, id, ActionApprove); err != nil {
			return nil, err
		}
	}
	now := m.now()
	r.Status, r.DecidedBy, r.DecidedByName, r.DecidedAt, r.Comment, r.ApproverMFA = Active, who.User.ID, who.User.UserName, now, comment, p.ApprovalRequiresMFA
	r.ApproverMFAMethod = method
	r.StartsAt, r.ExpiresAt = now, now.Add(time.Duration(r.DurationSeconds)*time.Second)
	if err := m.put(ctx, r, now); err != nil {
		return nil, err
	}
	_, err = m.State.Mutate(ctx, func(d *state.Doc) error {
		if _, err := d.Org.Assign(r.PermissionSet, org.UserPrincipal(r.UserName), r.AccountName); err != nil {
			return err
		}
		d.Org.ProvisionLatest(r.PermissionSet, r.AccountName)
		return nil
	})
	if err != nil {
		// The grant cannot be given: say so in its state and free the
		// index.
		r.Status, r.EndedAt, r.EndReason = Failed, now, "the assignment could not be made: "+err.Error()
		if perr := m.put(ctx, r, now); perr == nil {
			m.Store.DeleteRecord(ctx, NSIndex, r.indexKey(), store.AnyVersion, now)
		}
		return nil, fmt.Errorf("approving %s: %w", r.ID, err)
	}
	return r, nil
}

func checkComment(c string) error {
	if len([]rune(c)) > MaxReason {
		return errorf(CodeValidation, "comment is longer than %d characters", MaxReason)
	}
	return nil
}

// put writes r at the version it was read, refusing a concurrent change
// with the state it now has.
func (m *Manager) put(ctx context.Context, r *Request, now time.Time) error {
	doc, _ := json.Marshal(r)
	v, err := m.Store.PutRecord(ctx, NSRequests, r.ID, doc, r.version, now)
	if errors.Is(err, store.ErrConflict) {
		cur, gerr := m.Get(ctx, r.ID)
		if gerr != nil {
			return gerr
		}
		if derr := decided(cur); derr != nil {
			return derr
		}
		return errorf(CodeConflict, "access request %s changed meanwhile: try again", r.ID)
	}
	if err != nil {
		return err
	}
	r.version = v
	return nil
}

// Deny denies a pending request. A denial needs no second factor; a
// security key's answer given with it (to a challenge issued for the
// denial) must be right, and is recorded.
func (m *Manager) Deny(ctx context.Context, who Actor, id, comment string) (*Request, error) {
	r, _, err := m.toDecide(ctx, who, id, comment)
	if err != nil {
		return nil, err
	}
	method := ""
	if who.WebAuthn != "" {
		who.MFACode = ""
		if method, err = m.secondFactor(ctx, who, id, ActionDeny); err != nil {
			return nil, err
		}
	}
	now := m.now()
	r.Status, r.DecidedBy, r.DecidedByName, r.DecidedAt, r.Comment, r.EndedAt = Denied, who.User.ID, who.User.UserName, now, comment, now
	r.ApproverMFA, r.ApproverMFAMethod = method != "", method
	if err := m.put(ctx, r, now); err != nil {
		return nil, err
	}
	m.Store.DeleteRecord(ctx, NSIndex, r.indexKey(), store.AnyVersion, now)
	return r, nil
}

// Revoke ends an active grant before its time (by an approver of its
// policy, the person it was granted to, or an operator), or withdraws a
// pending request (by its requester or an operator).
func (m *Manager) Revoke(ctx context.Context, who Actor, id, reason string) (*Request, error) {
	r, err := m.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkComment(reason); err != nil {
		return nil, err
	}
	if !r.Open() {
		return nil, decided(r)
	}
	if who.User != nil && who.User.ID != r.UserID {
		if r.Status == Pending {
			return nil, errorf(CodeDenied, "only %s may withdraw their pending request %s; approvers deny it", r.UserName, r.ID)
		}
		if _, _, err := m.approver(ctx, who, r); err != nil {
			return nil, err
		}
	}
	status := Revoked
	if r.Status == Pending {
		status = Cancelled
	} else if !m.Clock().Before(r.ExpiresAt) {
		return nil, errorf(CodeConflict, "access grant %s already expired at %s", r.ID, r.ExpiresAt.Format(time.RFC3339))
	}
	byID, byName := who.id()
	return r, m.end(ctx, r, status, byID, byName, reason)
}

// end ends an open request: its state first (its sessions are refused from
// then on), then the assignment, then the index entry.
func (m *Manager) end(ctx context.Context, r *Request, status, byID, byName, reason string) error {
	now := m.now()
	wasActive := r.Status == Active
	r.Status, r.EndedAt, r.EndedBy, r.EndedByName, r.EndReason = status, now, byID, byName, reason
	if err := m.put(ctx, r, now); err != nil {
		return err
	}
	if !wasActive {
		r.AssignmentRemoved = true
	}
	return m.finish(ctx, r)
}

// finish removes an ended grant's assignment and its index entry.
func (m *Manager) finish(ctx context.Context, r *Request) error {
	now := m.now()
	if !r.AssignmentRemoved {
		_, err := m.State.Mutate(ctx, func(d *state.Doc) error {
			d.Org.Unassign(r.PermissionSet, org.UserPrincipal(r.UserName), r.AccountName)
			return nil
		})
		if err != nil {
			return fmt.Errorf("removing the assignment of %s: %w", r.ID, err)
		}
		if err := m.markRemoved(ctx, r, now); err != nil {
			return err
		}
	}
	err := m.Store.DeleteRecord(ctx, NSIndex, r.indexKey(), store.AnyVersion, now)
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	return err
}

// markRemoved records that an ended request's assignment is gone. Another
// replica's sweep may finish the same request at the same moment (it sees
// the ended state as soon as it is stored), so a version conflict here is
// not a second decision: the status is final, and the conflict is settled
// by re-reading the record and, unless the other replica already recorded
// the removal, writing it again.
func (m *Manager) markRemoved(ctx context.Context, r *Request, now time.Time) error {
	for range 5 {
		r.AssignmentRemoved = true
		doc, _ := json.Marshal(r)
		v, err := m.Store.PutRecord(ctx, NSRequests, r.ID, doc, r.version, now)
		if err == nil {
			r.version = v
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		cur, err := m.Get(ctx, r.ID)
		if err != nil {
			return err
		}
		*r = *cur
		if r.AssignmentRemoved {
			return nil
		}
	}
	return errorf(CodeConflict, "access request %s changed meanwhile: try again", r.ID)
}

// Filter selects requests for List.
type Filter struct {
	// UserID: the person's own requests; Approver: those the person may
	// decide or revoke; neither: all (operators).
	UserID   string
	Approver string
	Status   string // "" for any
}

// List returns the requests the filter selects, newest first.
func (m *Manager) List(ctx context.Context, f Filter) ([]*Request, error) {
	recs, err := store.AllRecords(ctx, m.Store, NSRequests, "")
	if err != nil {
		return nil, err
	}
	var ic *org.IdentityCenter
	var approver *org.SSOUser
	if f.Approver != "" {
		if _, ic, err = m.identityCenter(ctx); err != nil {
			return nil, err
		}
		approver = orgUser(ic, f.Approver)
	}
	var out []*Request
	for _, rec := range recs {
		var r Request
		if err := json.Unmarshal(rec.Doc, &r); err != nil {
			return nil, fmt.Errorf("access request %s: %w", rec.Key, err)
		}
		r.version = rec.Version
		if f.Status != "" && r.Status != f.Status {
			continue
		}
		if f.UserID != "" && r.UserID != f.UserID {
			continue
		}
		if f.Approver != "" {
			if approver == nil || r.UserID == f.Approver {
				continue
			}
			p, err := policyOf(ic, &r)
			if err != nil || !approver.InAny(p.ApproverGroups) {
				continue
			}
		}
		out = append(out, &r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RequestedAt.After(out[j].RequestedAt) })
	return out, nil
}

// Sweep ends the grants whose time has come and the pending requests that
// lapsed, and finishes endings that were interrupted. It returns the
// requests it ended.
func (m *Manager) Sweep(ctx context.Context) ([]*Request, error) {
	recs, err := store.AllRecords(ctx, m.Store, NSIndex, "")
	if err != nil {
		return nil, err
	}
	now := m.Clock()
	var ended []*Request
	var errs []error
	for _, rec := range recs {
		r, err := m.openFor(ctx, rec.Key)
		if err != nil || r == nil {
			if err != nil {
				errs = append(errs, err)
			}
			continue
		}
		switch {
		case !r.Open():
			err = m.finish(ctx, r)
		case r.Status == Active && !now.Before(r.ExpiresAt):
			if err = m.end(ctx, r, Expired, "", "", "the grant's time ended"); err == nil {
				ended = append(ended, r)
			}
		case r.Status == Pending && !now.Before(r.RequestedAt.Add(PendingTTL)):
			if err = m.end(ctx, r, Expired, "", "", "no decision within "+PendingTTL.String()); err == nil {
				ended = append(ended, r)
			}
		}
		var ae *Error
		if errors.As(err, &ae) && ae.Code == CodeConflict {
			err = nil // another replica ended it
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return ended, errors.Join(errs...)
}

// ErrGrantEnded is the error Check returns for a revoked grant's session.
var ErrGrantEnded = errors.New("access: the grant has ended")

// Check tells whether a session of a grant may still make requests: nil
// while the grant is active and unexpired; an error saying why not
// otherwise (expired: errors.Is ErrExpired).
func (m *Manager) Check(ctx context.Context, grantID string, now time.Time) error {
	r, err := m.Get(ctx, grantID)
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return fmt.Errorf("%w: grant %s does not exist", ErrGrantEnded, grantID)
		}
		return err
	}
	switch {
	case r.Status == Active && now.Before(r.ExpiresAt):
		return nil
	case r.Status == Active || r.Status == Expired:
		return fmt.Errorf("%w: %w", ErrExpired, ErrGrantEnded)
	}
	return fmt.Errorf("%w: access grant %s was %s at %s", ErrGrantEnded, r.ID, strings.ToLower(r.Status), r.EndedAt.Format(time.RFC3339))
}

// ErrExpired marks a grant that ended at its time.
var ErrExpired = errors.New("access: the grant expired")

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return "ar-" + hex.EncodeToString(b[:])
}

// NewManager builds the manager a server's parts share: the store, the org
// state, the master key (approvers' TOTP seeds), the clock, the trail and
// the server's public URL (the WebAuthn relying party's origin; "" for a
// loopback request's own host).
func NewManager(st store.Store, sm *state.Manager, master *creds.Sealer, clock func() time.Time, audit call.Auditor, publicURL string) *Manager {
	return &Manager{Store: st, State: sm, Clock: clock, Audit: audit,
		Auth: &sso.Authenticator{Store: st, Dir: sso.OrgDirectory{Orgs: sm}, Master: master, Clock: clock, Orgs: sm, PublicURL: publicURL}}
}
