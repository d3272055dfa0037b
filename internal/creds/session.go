package creds

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Session is what a session token carries: everything the server needs to
// authenticate and authorize the temporary credential's requests.
type Session struct {
	AccessKeyID string    `json:"k"`
	Secret      string    `json:"s"`
	Kind        string    `json:"t"` // "assumed-role", "federated-user" or "session" (GetSessionToken)
	Principal   string    `json:"p"` // the ARN requests are made as
	Account     string    `json:"a"`
	UserID      string    `json:"u"` // aws:userid: ROLEID:session, or the user's ID
	RoleARN     string    `json:"r,omitempty"`
	Issued      time.Time `json:"i"`
	Expires     time.Time `json:"e"`
	// Policy is the inline session policy; PolicyARNs the managed ones.
	Policy         string            `json:"sp,omitempty"`
	PolicyARNs     []string          `json:"sa,omitempty"`
	Tags           map[string]string `json:"tg,omitempty"`
	TransitiveKeys []string          `json:"tt,omitempty"`
	SourceIdentity string            `json:"si,omitempty"`
	MFA            bool              `json:"m,omitempty"`
	MFATime        time.Time         `json:"mt,omitzero"`
	// Chained is set for a role session created with another role session's
	// credentials (role chaining: at most one hour).
	Chained bool `json:"c,omitempty"`
	// SourceKeyID is the access key that created the session.
	SourceKeyID string `json:"sk,omitempty"`
	// OnBehalfOf is the Identity Center user a GetRoleCredentials session
	// acts for.
	OnBehalfOf *OnBehalfOf `json:"ob,omitempty"`
	// Federation are the condition keys of the federation that made the
	// session (the saml: keys of AssumeRoleWithSAML), in the context of
	// every request it makes, as AWS gives them to the role's policies
	// (${saml:namequalifier}/${saml:sub}). Role chaining does not pass them on.
	Federation map[string][]string `json:"fk,omitempty"`
	// Grant is the time-boxed access grant (internal/access) the session
	// descends from: a GetRoleCredentials session of a permission set the
	// person holds through it, and the role sessions chained from one. Its
	// requests are refused once the grant has ended.
	Grant string `json:"g,omitempty"`
	// SignIn is the Identity Center sign-in (access portal session or
	// device authorization) a GetRoleCredentials session was issued to,
	// and the role sessions chained from one: its requests are refused
	// once an administrator revokes that sign-in or all of the person's
	// (sso.SignInRevoked).
	SignIn *SignInRef `json:"sg,omitempty"`
}

// SignInRef names an Identity Center sign-in: the person and the sign-in's
// ID (sso.SignIn).
type SignInRef struct {
	UserID string `json:"u"`
	ID     string `json:"i"`
}

// OnBehalfOf names an Identity Center user, as CloudTrail's
// userIdentity.onBehalfOf does.
type OnBehalfOf struct {
	UserID           string `json:"u"`
	UserName         string `json:"n,omitempty"`
	IdentityStoreARN string `json:"s"`
}

const tokenPrefix = "WDN1"

// PurposeSessionToken is the store purpose of session-token keys.
const PurposeSessionToken = "session-token"

var (
	// ErrBadToken is a token that is malformed, altered, or sealed under a
	// key this deployment does not have.
	ErrBadToken = errors.New("creds: the security token included in the request is invalid")
)

// Keyring holds the server keys that seal session tokens, loaded from the
// store and unsealed with the master key.
type Keyring struct {
	st      store.Store
	master  *Sealer
	purpose string

	mu      sync.RWMutex
	keys    map[string]*Sealer
	current string

	// opened are the sessions of the tokens opened lately: a workload
	// makes its calls with the same token for up to its session's
	// duration, and opening one (base64, AES-GCM, JSON) cost more than the
	// rest of the signature's check. An entry answers only while its key
	// is still the keyring's (the same *Sealer: a reload makes new ones,
	// and the token is opened again). At most openedMax entries: when
	// full, the cache starts over.
	opened atomic.Pointer[sync.Map] // token → *openedSession
	nOpen  atomic.Int64
}

// openedMax bounds the sessions Open keeps.
const openedMax = 8192

type openedSession struct {
	id     string // the key's
	sealer *Sealer
	sess   Session
}

// NewKeyring loads the keys of a purpose, creating the first one when there
// is none.
func NewKeyring(ctx context.Context, st store.Store, master *Sealer, purpose string, now time.Time) (*Keyring, error) {
	k := &Keyring{st: st, master: master, purpose: purpose, keys: map[string]*Sealer{}}
	if err := k.reload(ctx); err != nil {
		return nil, err
	}
	if k.current == "" {
		if err := k.Rotate(ctx, now); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func (k *Keyring) reload(ctx context.Context) error {
	list, err := k.st.ServerKeys(ctx, k.purpose)
	if err != nil {
		return err
	}
	keys := map[string]*Sealer{}
	current := ""
	sort.SliceStable(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
	for _, sk := range list {
		raw, err := k.master.Open(sk.Sealed, []byte("server-key:"+sk.ID))
		if err != nil {
			return fmt.Errorf("server key %s: %w (is this the deployment's master key?)", sk.ID, err)
		}
		s, err := NewSealer(raw)
		if err != nil {
			return err
		}
		keys[sk.ID] = s
		if current == "" && sk.Retired.IsZero() {
			current = sk.ID
		}
	}
	k.mu.Lock()
	k.keys, k.current = keys, current
	k.mu.Unlock()
	return nil
}

// Rotate makes a new key current; the previous keys keep opening the tokens
// they issued.
func (k *Keyring) Rotate(ctx context.Context, now time.Time) error {
	id := "k" + strings.ToLower(randomFrom(base32Upper, 12))
	raw := NewKey()
	if err := k.st.PutServerKey(ctx, store.ServerKey{ID: id, Purpose: k.purpose, Sealed: k.master.Seal(raw, []byte("server-key:"+id)), Created: now}); err != nil {
		return err
	}
	k.mu.RLock()
	old := k.current
	k.mu.RUnlock()
	if old != "" {
		if err := k.st.RetireServerKey(ctx, old, now); err != nil {
			return err
		}
	}
	return k.reload(ctx)
}

// Issue seals a session into a token.
func (k *Keyring) Issue(s *Session) (string, error) {
	k.mu.RLock()
	id, sealer := k.current, k.keys[k.current]
	k.mu.RUnlock()
	if sealer == nil {
		return "", errors.New("creds: no current session-token key")
	}
	body, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	sealed := sealer.Seal(body, []byte(tokenPrefix+id))
	buf := make([]byte, 0, 1+len(id)+len(sealed))
	buf = append(buf, byte(len(id)))
	buf = append(buf, id...)
	buf = append(buf, sealed...)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open authenticates a token and returns its session. A token sealed by a
// key this replica has not seen yet (another replica rotated) makes it reload
// the keys once.
//
// The session's maps and slices are shared with other calls that open
// the same token: callers read them and do not modify them (the slices
// are capped at their length, so that an append copies).
func (k *Keyring) Open(ctx context.Context, token string) (*Session, error) {
	cache := k.opened.Load()
	if cache != nil {
		if v, ok := cache.Load(token); ok {
			o := v.(*openedSession)
			k.mu.RLock()
			current := k.keys[o.id] == o.sealer
			k.mu.RUnlock()
			if current {
				s := o.sess
				return &s, nil
			}
		}
	}
	s, id, sealer, err := k.open(ctx, token)
	if err != nil {
		return nil, err
	}
	if cache == nil || k.nOpen.Load() >= openedMax {
		cache = new(sync.Map)
		k.opened.Store(cache)
		k.nOpen.Store(0)
	}
	o := &openedSession{id: id, sealer: sealer, sess: *s}
	o.sess.PolicyARNs = slices.Clip(o.sess.PolicyARNs)
	o.sess.TransitiveKeys = slices.Clip(o.sess.TransitiveKeys)
	for key, vals := range o.sess.Federation {
		o.sess.Federation[key] = slices.Clip(vals)
	}
	if _, loaded := cache.LoadOrStore(token, o); !loaded {
		k.nOpen.Add(1)
	}
	cp := o.sess
	return &cp, nil
}

// open authenticates a token and returns its session and the key (ID and
// sealer) that opened it.
func (k *Keyring) open(ctx context.Context, token string) (*Session, string, *Sealer, error) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return nil, "", nil, ErrBadToken
	}
	buf, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(buf) < 2 || int(buf[0])+1 > len(buf) {
		return nil, "", nil, ErrBadToken
	}
	id := string(buf[1 : 1+int(buf[0])])
	sealed := buf[1+int(buf[0]):]
	k.mu.RLock()
	sealer := k.keys[id]
	k.mu.RUnlock()
	if sealer == nil {
		if err := k.reload(ctx); err != nil {
			return nil, "", nil, err
		}
		k.mu.RLock()
		sealer = k.keys[id]
		k.mu.RUnlock()
		if sealer == nil {
			return nil, "", nil, ErrBadToken
		}
	}
	body, err := sealer.Open(sealed, []byte(tokenPrefix+id))
	if err != nil {
		return nil, "", nil, ErrBadToken
	}
	var s Session
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, "", nil, ErrBadToken
	}
	return &s, id, sealer, nil
}

// CurrentKeyID returns the ID of the key that issues new tokens.
func (k *Keyring) CurrentKeyID() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}

// SealBlob seals arbitrary data under the current key, in the same token
// format as session tokens but bound to another use by its prefix (for
// example the encoded authorization messages of AccessDenied errors).
func (k *Keyring) SealBlob(use string, data []byte) (string, error) {
	k.mu.RLock()
	id, sealer := k.current, k.keys[k.current]
	k.mu.RUnlock()
	if sealer == nil {
		return "", errors.New("creds: no current key")
	}
	sealed := sealer.Seal(data, []byte(use+id))
	buf := append([]byte{byte(len(id))}, id...)
	buf = append(buf, sealed...)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// OpenBlob opens what SealBlob sealed for the same use.
func (k *Keyring) OpenBlob(ctx context.Context, use, blob string) ([]byte, error) {
	buf, err := base64.RawURLEncoding.DecodeString(blob)
	if err != nil || len(buf) < 2 || int(buf[0])+1 > len(buf) {
		return nil, ErrBadToken
	}
	id := string(buf[1 : 1+int(buf[0])])
	k.mu.RLock()
	sealer := k.keys[id]
	k.mu.RUnlock()
	if sealer == nil {
		if err := k.reload(ctx); err != nil {
			return nil, err
		}
		k.mu.RLock()
		sealer = k.keys[id]
		k.mu.RUnlock()
		if sealer == nil {
			return nil, ErrBadToken
		}
	}
	out, err := sealer.Open(buf[1+int(buf[0]):], []byte(use+id))
	if err != nil {
		return nil, ErrBadToken
	}
	return out, nil
}
