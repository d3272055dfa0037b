package audit

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/policy"
)

// EventVersion is the CloudTrail record format version Warden writes.
const EventVersion = "1.11"

// Record is a CloudTrail record
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
type Record struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        UserIdentity    `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   any             `json:"requestParameters"`
	ResponseElements    any             `json:"responseElements"`
	AdditionalEventData any             `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID,omitempty"` // none in a service event a service makes by itself
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           []Resource      `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	ServiceEventDetails any             `json:"serviceEventDetails,omitempty"`
	SharedEventID       string          `json:"sharedEventID,omitempty"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          json.RawMessage `json:"tlsDetails,omitempty"`
}

// UserIdentity is a record's userIdentity element.
type UserIdentity struct {
	// Type is "" in a service event, which a service makes by itself
	// (InvokedBy).
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	// IdentityProvider is the provider of a WebIdentityUser or SAMLUser.
	IdentityProvider string          `json:"identityProvider,omitempty"`
	SessionContext   *SessionContext `json:"sessionContext,omitempty"`
	OnBehalfOf       *OnBehalfOf     `json:"onBehalfOf,omitempty"`
	// CredentialID is an IdentityCenterUser's credential (its sign-in).
	CredentialID string `json:"credentialId,omitempty"`
	// InvokedBy is the service that made the request
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html);
	// in a service event it made by itself, beside the account alone
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/non-api-aws-service-events.html).
	InvokedBy string `json:"invokedBy,omitempty"`
}

// OnBehalfOf is the Identity Center user a request was made for
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
type OnBehalfOf struct {
	UserID           string `json:"userId"`
	IdentityStoreARN string `json:"identityStoreArn"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer  *SessionIssuer    `json:"sessionIssuer,omitempty"`
	Attributes     SessionAttributes `json:"attributes"`
	SourceIdentity string            `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role or user that issued a session.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttributes are the session's creation date and MFA.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// Resource is a record's resource.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
}

// isoTime is t in UTC as 2006-01-02T15:04:05Z, written without parsing
// that layout (time.Format does, each call) for the years 0 to 9999.
func isoTime(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	h, mi, s := t.Clock()
	b := [20]byte{'0' + byte(y/1000), '0' + byte(y/100%10), '0' + byte(y/10%10), '0' + byte(y%10), '-',
		'0' + byte(mo/10), '0' + byte(mo%10), '-', '0' + byte(d/10), '0' + byte(d%10), 'T',
		'0' + byte(h/10), '0' + byte(h%10), ':', '0' + byte(mi/10), '0' + byte(mi%10), ':', '0' + byte(s/10), '0' + byte(s%10), 'Z'}
	return string(b[:])
}

// parseISOTime is time.Parse("2006-01-02T15:04:05Z", s), isoTime's
// format, without time.Parse's general layout walk (it was 0.9% of serve's
// CPU under GetCallerIdentity, on the committer that every caller waits
// for).
func parseISOTime(s string) (time.Time, error) {
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		n := func(i, j int) int {
			v := 0
			for ; i < j; i++ {
				c := s[i] - '0'
				if c > 9 {
					return -1
				}
				v = v*10 + int(c)
			}
			return v
		}
		y, mo, d, h, mi, sec := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
		if y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59 {
			t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
			if t.Day() == d { // not normalized from a day the month lacks
				return t, nil
			}
		}
	}
	return time.Parse("2006-01-02T15:04:05Z", s)
}

// NewEventID returns a random UUID.
func NewEventID() string { return call.NewUUID() }

// Records builds the CloudTrail records of an event: one in the caller's
// account, and one more in each other account the call touched (a
// cross-account AssumeRole is recorded in both, with a shared event ID).
func Records(e *call.Event) []*Record {
	c := e.Call
	// The record and the slice that holds it, in one allocation.
	one := &struct {
		r   Record
		out [1]*Record
	}{}
	r := &one.r
	*r = Record{
		EventVersion: EventVersion, EventTime: isoTime(c.Now), EventSource: e.EventSource, EventName: c.Action,
		AWSRegion: c.Region, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent,
		ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage,
		RequestParameters: Scrub(c.RequestParameters), ResponseElements: Scrub(c.ResponseElements),
		AdditionalEventData: Scrub(c.AdditionalEventData),
		RequestID:           c.RequestID, EventID: NewEventID(), ReadOnly: readOnly(c),
		EventType: "AwsApiCall", ManagementEvent: true, EventCategory: "Management",
	}
	if r.AWSRegion == "" {
		r.AWSRegion = "us-east-1"
	}
	if c.EventType != "" {
		r.EventType, r.ServiceEventDetails = c.EventType, Scrub(c.ServiceEventDetails)
	}
	if c.InvokedBy != "" {
		// A service event a service makes by itself answers no request
		// (AWS service events, the example of an automatic key rotation:
		// no requestID).
		r.RequestID = ""
	}
	if e.ErrorCode != "" {
		r.ResponseElements = nil
	}
	for _, res := range c.Resources {
		r.Resources = append(r.Resources, Resource{ARN: res.ARN, AccountID: res.Account, Type: res.Type})
	}
	r.UserIdentity, r.RecipientAccountID = callerIdentity(c)
	if r.RecipientAccountID == "" {
		r.RecipientAccountID = e.RecipientAccount
	}
	one.out[0] = r
	out := one.out[:] // an append copies
	if len(c.ExtraRecipients) > 0 {
		shared := NewEventID()
		r.SharedEventID = shared
		for _, acct := range c.ExtraRecipients {
			if acct == r.RecipientAccountID {
				continue
			}
			cp := *r
			cp.EventID, cp.RecipientAccountID = NewEventID(), acct
			out = append(out, &cp)
		}
	}
	return out
}

func readOnly(c *call.Call) bool {
	if c.ReadOnly {
		return true
	}
	for _, p := range []string{"Get", "List", "Describe", "Lookup", "Simulate", "Decode"} {
		if strings.HasPrefix(c.Action, p) {
			return true
		}
	}
	return false
}

// callerIdentity describes the caller as CloudTrail does
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html),
// and returns the account the record belongs to ("" when the call names
// none: the trail's owner then):
//   - an authenticated caller by its type (Root, IAMUser, AssumedRole,
//     FederatedUser);
//   - a federation call by the identity its token or assertion states,
//     verified or not (WebIdentityUser, SAMLUser), with identityProvider and,
//     once verified, the subject as userName and as principalId
//     provider:audience:subject (a web identity) or namequalifier:subject (a
//     SAML user, whose identityProvider is then the NameQualifier);
//   - a signed call that failed authentication by the key's owner when the
//     key is known, else as Unknown with the access key it named;
//   - an Identity Center user of the portal API (a call with an SSO access
//     token) as IdentityCenterUser: the instance's account, onBehalfOf and
//     the token's credentialId, as CloudTrail's userIdentity element
//     documents it (the type's example there and in the sign-in events of
//     IAM Identity Center's user guide);
//     and of the sso-oidc CreateToken that issues a person's tokens; a
//     successful sign-in step of a user the identity store knows, and a
//     signed-in person's management of MFA devices, likewise (credentialId
//     only when there is one). AWS's Security Blog, "Modifications to AWS
//     CloudTrail event data of IAM Identity Center"
//     (https://aws.amazon.com/blogs/security/modifications-to-aws-cloudtrail-event-data-of-iam-identity-center/):
//     IdentityCenterUser for access portal events, the OIDC CreateToken
//     event, sign-in events "limited to successful authentications" and
//     MFA management; "for unauthenticated users, the userIdentity type
//     will remain Unknown";
//   - another call made for an Identity Center user (a failed sign-in
//     step) as Unknown with onBehalfOf when the user is known, in
//     Identity Center's events in the instance's account and without
//     principalId and userName (the portal puts the user name in
//     additionalEventData.UserName), in Warden's own services with them;
//   - any other unauthenticated call to Identity Center (sso-oauth's
//     RegisterClient, StartDeviceAuthorization, a refused CreateToken) as
//     Unknown in the instance's account;
//   - a service event, which a service makes by itself (Access Analyzer's
//     findings, Warden's expiry of a temporary access grant), by no type:
//     the account and invokedBy, the service (AWS service events,
//     https://docs.aws.amazon.com/awscloudtrail/latest/userguide/non-api-aws-service-events.html);
//   - an operator's change on the store (warden access revoke --store) as
//     Unknown in the account, with the operator's name as userName;
//   - another unsigned call as the anonymous principal (AWSAccount,
//     ANONYMOUS_PRINCIPAL), as CloudTrail records anonymous requests.
func callerIdentity(c *call.Call) (UserIdentity, string) {
	switch {
	case c.Identity != nil:
		return identity(c.Identity)
	case c.InvokedBy != "":
		// A service event: the service acted by itself, in the account
		// (AWS service events, the example of an automatic key rotation).
		return UserIdentity{AccountID: c.RecipientAccount, InvokedBy: c.InvokedBy}, c.RecipientAccount
	case c.Operator != "":
		// An operator on the store, with no AWS identity: Unknown, "an
		// identity type that CloudTrail cannot determine"
		// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html),
		// in the account, by the name the operator gave, so that a lookup
		// by user name finds it.
		return UserIdentity{Type: "Unknown", AccountID: c.RecipientAccount, UserName: c.Operator}, c.RecipientAccount
	case c.Person != nil && (c.CredentialID != "" || c.SignedIn):
		// An authenticated Identity Center user: the portal API with an
		// SSO token, CreateToken, a successful sign-in step.
		p := c.Person
		return UserIdentity{Type: "IdentityCenterUser", AccountID: c.RecipientAccount,
			OnBehalfOf: &OnBehalfOf{UserID: p.UserID, IdentityStoreARN: p.IdentityStoreARN}, CredentialID: c.CredentialID}, c.RecipientAccount
	case c.Person != nil:
		p := c.Person
		u := UserIdentity{Type: "Unknown"}
		if p.UserID != "" {
			u.OnBehalfOf = &OnBehalfOf{UserID: p.UserID, IdentityStoreARN: p.IdentityStoreARN}
		}
		if identityCenterService(c.Service) {
			// Identity Center's own events: the instance's account, no
			// principalId nor userName, which it stopped writing on July
			// 14, 2025; the event's additionalEventData.UserName names the
			// user (AWS Security Blog, "Modifications to AWS CloudTrail
			// event data of IAM Identity Center"), and a user the sign-in
			// did not establish (a refused password) no onBehalfOf (IAM
			// Identity Center User Guide, "Example events for IAM Identity
			// Center sign-in scenarios": failed sign-in due to incorrect
			// password).
			u.AccountID = c.RecipientAccount
		} else {
			// Warden's own services (access.warden.local) name the person.
			if u.OnBehalfOf == nil {
				u.OnBehalfOf = &OnBehalfOf{IdentityStoreARN: p.IdentityStoreARN}
			}
			u.PrincipalID, u.UserName = p.UserID, p.UserName
		}
		return u, ""
	case c.Identity == nil && c.Federated == nil && c.Claimed == nil && identityCenterService(c.Service):
		// An unauthenticated call to Identity Center (the OIDC service's
		// RegisterClient and StartDeviceAuthorization, a refused
		// CreateToken, the portal API without a valid token): Unknown in
		// the instance's account ("for unauthenticated users, the
		// userIdentity type will remain Unknown", the post above).
		return UserIdentity{Type: "Unknown", AccountID: c.RecipientAccount}, c.RecipientAccount
	case c.Federated != nil:
		f := c.Federated
		u := UserIdentity{Type: f.Type, IdentityProvider: f.Provider, UserName: f.Subject}
		switch {
		case f.Subject != "" && f.Type == "SAMLUser":
			// A SAML user: the NameQualifier (the provider) and the subject.
			u.PrincipalID = f.Provider + ":" + f.Subject
		case f.Subject != "":
			u.PrincipalID = f.Provider + ":" + f.Audience + ":" + f.Subject
		}
		return u, f.Account
	case c.Claimed != nil && c.Claimed.ARN != "":
		return identity(c.Claimed)
	case c.Claimed != nil:
		return UserIdentity{Type: "Unknown", AccessKeyID: c.Claimed.AccessKeyID}, ""
	}
	return UserIdentity{Type: "AWSAccount", AccountID: "ANONYMOUS_PRINCIPAL"}, ""
}

// identityCenterService reports the services whose events Identity Center
// writes itself: sign-in, the access portal's API, the directory, OIDC.
func identityCenterService(s string) bool {
	switch s {
	case "signin", "sso", "sso-directory", "sso-oauth":
		return true
	}
	return false
}

// identity describes a known caller.
func identity(id *call.Identity) (UserIdentity, string) {
	u := UserIdentity{ARN: id.ARN, AccountID: id.Account, AccessKeyID: id.AccessKeyID, PrincipalID: id.UserID}
	switch id.Kind {
	case policy.CallerRoot:
		u.Type = "Root"
	case policy.CallerUser:
		u.Type = "IAMUser"
		u.UserName = id.ARN[strings.LastIndexByte(id.ARN, '/')+1:]
	case policy.CallerAssumedRole:
		u.Type = "AssumedRole"
	case policy.CallerFederatedUser:
		u.Type = "FederatedUser"
	default:
		u.Type = "Unknown"
	}
	if s := id.Session; s != nil {
		sc := &SessionContext{Attributes: SessionAttributes{CreationDate: isoTime(s.Issued), MFAAuthenticated: boolString(s.MFA)}, SourceIdentity: s.SourceIdentity}
		if s.RoleARN != "" {
			roleID, _, _ := strings.Cut(s.UserID, ":")
			sc.SessionIssuer = &SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: s.RoleARN, AccountID: s.Account,
				UserName: s.RoleARN[strings.LastIndexByte(s.RoleARN, '/')+1:]}
		}
		u.SessionContext = sc
		if ob := s.OnBehalfOf; ob != nil {
			u.OnBehalfOf = &OnBehalfOf{UserID: ob.UserID, IdentityStoreARN: ob.IdentityStoreARN}
		}
	}
	return u, id.Account
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// secretNames are parameter names whose values are never recorded, whatever a
// handler puts in the record.
var secretNames = []string{"secretaccesskey", "sessiontoken", "password", "tokencode", "authenticationcode", "samlassertion", "webidentitytoken", "base32stringseed", "qrcodepng", "privatekey"}

// Scrub returns v without secret values: credentials appear as their access
// key ID only.
func Scrub(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case call.Fields:
		return Scrub(map[string]any(t))
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if isSecret(k) {
				out[k] = "HIDDEN_DUE_TO_SECURITY_REASONS"
				continue
			}
			out[k] = Scrub(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if isSecret(k) {
				out[k] = "HIDDEN_DUE_TO_SECURITY_REASONS"
				continue
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = Scrub(e)
		}
		return out
	// JSON's own values come back from the round trip below unchanged (an
	// integer as the float64 JSON reads it), so they skip it.
	case string:
		if utf8.ValidString(t) {
			return t
		}
	case bool, float64:
		return t
	case int:
		return float64(t)
	case int64:
		return float64(t)
	}
	// Structs: through JSON, then scrub the map.
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m any
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	if _, ok := m.(map[string]any); !ok {
		if _, ok := m.([]any); !ok {
			return m
		}
	}
	return Scrub(m)
}

func isSecret(k string) bool {
	l := strings.ToLower(k)
	for _, s := range secretNames {
		if l == s {
			return true
		}
	}
	return false
}
