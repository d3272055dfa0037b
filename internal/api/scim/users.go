package scim

import (
	"context"
	"net/http"
	"strings"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

// ExternalIDIssuer is the issuer of the external ID that SCIM's externalId
// is in the identity store (identitystore ExternalIds).
const ExternalIDIssuer = "identitystore-scim"

// userIn is a SCIM User as a client sends it (POST, PUT, and a PATCH's
// result). Attribute names match regardless of case (RFC 7643 section
// 2.1); id, meta, groups and other read-only attributes are ignored, and
// the enterprise extension is accepted but not stored (the identity store
// has no place for it).
type userIn struct {
	Schemas           []string             `json:"schemas"`
	ExternalID        *string              `json:"externalId"`
	UserName          string               `json:"userName"`
	DisplayName       string               `json:"displayName"`
	Active            *flexBool            `json:"active"`
	Name              *org.UserNameDef     `json:"name"`
	NickName          string               `json:"nickName"`
	ProfileURL        string               `json:"profileUrl"`
	Title             string               `json:"title"`
	UserType          string               `json:"userType"`
	PreferredLanguage string               `json:"preferredLanguage"`
	Locale            string               `json:"locale"`
	Timezone          string               `json:"timezone"`
	Emails            []org.EmailDef       `json:"emails"`
	Addresses         []org.AddressDef     `json:"addresses"`
	PhoneNumbers      []org.PhoneNumberDef `json:"phoneNumbers"`
}

// flexBool is a boolean that Microsoft Entra ID may send as the string
// "True" or "False".
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.ToLower(strings.Trim(string(data), `"`)) {
	case "true":
		*b = true
	case "false":
		*b = false
	default:
		return invalidValue("active must be true or false, not %s.", data)
	}
	return nil
}

// apply writes the SCIM user onto a directory user (PUT semantics: every
// attribute is replaced; what is absent is removed), but for its ID,
// memberships and authenticators. active false disables the user
// (UserStatus DISABLED: no sign-in, no new credentials), true enables it,
// absent keeps its status.
func (in *userIn) apply(ic *org.IdentityCenterDef, u *org.SSOUserDef) error {
	if in.UserName == "" {
		return invalidValue("userName is required.")
	}
	if !strings.EqualFold(u.UserName, in.UserName) || u.UserName != in.UserName {
		if u.UserName == "" {
			u.UserName = in.UserName
		} else if err := ic.RenameUser(u, in.UserName); err != nil {
			return editErr(err)
		}
	}
	status := u.UserStatus // kept when active is absent
	if in.Active != nil {
		status = map[bool]string{true: "", false: org.UserDisabled}[bool(*in.Active)]
	}
	ext := slicesWithout(u.ExternalIDs, ExternalIDIssuer)
	if in.ExternalID != nil && *in.ExternalID != "" {
		ext = append(ext, org.ExternalIDDef{Issuer: ExternalIDIssuer, ID: *in.ExternalID})
	}
	u.DisplayName = in.DisplayName
	u.UserAttributes = org.UserAttributes{Name: in.Name, NickName: in.NickName, ProfileURL: in.ProfileURL, Emails: in.Emails,
		Addresses: in.Addresses, PhoneNumbers: in.PhoneNumbers, UserType: in.UserType, Title: in.Title,
		PreferredLanguage: in.PreferredLanguage, Locale: in.Locale, Timezone: in.Timezone, ExternalIDs: ext, UserStatus: status}
	if u.Name != nil && *u.Name == (org.UserNameDef{}) {
		u.Name = nil
	}
	return nil
}

func slicesWithout(ids []org.ExternalIDDef, issuer string) []org.ExternalIDDef {
	var out []org.ExternalIDDef
	for _, e := range ids {
		if e.Issuer != issuer {
			out = append(out, e)
		}
	}
	return out
}

// externalID is an entity's SCIM externalId.
func externalID(ids []org.ExternalIDDef) string {
	for _, e := range ids {
		if e.Issuer == ExternalIDIssuer {
			return e.ID
		}
	}
	return ""
}

// userOut is a directory user as a SCIM User.
func (rq *request) userOut(u *org.SSOUser) map[string]any {
	return rq.userView(u.ID, u.UserName, u.DisplayName, u.Attributes)
}

// userView is a SCIM User of its parts.
func (rq *request) userView(id, userName, displayName string, a org.UserAttributes) map[string]any {
	out := map[string]any{"schemas": []string{UserSchema}, "id": id, "userName": userName, "active": !a.Disabled(),
		"meta": map[string]any{"resourceType": "User", "location": rq.h.Base + "/Users/" + id}}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("externalId", externalID(a.ExternalIDs))
	set("displayName", displayName)
	set("nickName", a.NickName)
	set("profileUrl", a.ProfileURL)
	set("title", a.Title)
	set("userType", a.UserType)
	set("preferredLanguage", a.PreferredLanguage)
	set("locale", a.Locale)
	set("timezone", a.Timezone)
	if a.Name != nil {
		out["name"] = asMap(a.Name)
	}
	if len(a.Emails) > 0 {
		out["emails"] = asAny(a.Emails)
	}
	if len(a.Addresses) > 0 {
		out["addresses"] = asAny(a.Addresses)
	}
	if len(a.PhoneNumbers) > 0 {
		out["phoneNumbers"] = asAny(a.PhoneNumbers)
	}
	return out
}

func (rq *request) userByID(id string) *org.SSOUser {
	for _, u := range rq.o.IdentityCenter.Users {
		if strings.EqualFold(u.ID, id) {
			return u
		}
	}
	return nil
}

// users serves /Users and /Users/{id}.
func (rq *request) users(ctx context.Context, id string) (any, error) {
	switch rq.r.Method {
	case http.MethodGet:
		if id == "" {
			return rq.list(userAttrs, rq.userEntries())
		}
		rq.c.ReadOnly = true
		u := rq.userByID(id)
		if u == nil {
			return nil, notFound("User", id)
		}
		return rq.userOut(u), nil
	case http.MethodPost:
		var in userIn
		if err := rq.decodeBody(&in); err != nil {
			return nil, err
		}
		newID := org.NewSSOID()
		err := rq.mutate(ctx, func(ic *org.IdentityCenterDef) error {
			u := &org.SSOUserDef{ID: newID}
			if err := in.apply(ic, u); err != nil {
				return err
			}
			return ic.AddUser(u)
		})
		if err != nil {
			return nil, err
		}
		rq.status = http.StatusCreated
		rq.c.ResponseElements = call.Fields{"id": newID}
		return rq.userOut(rq.userByID(newID)), nil
	case http.MethodPut, http.MethodPatch:
		u := rq.userByID(id)
		if u == nil {
			return nil, notFound("User", id)
		}
		var in userIn
		if rq.r.Method == http.MethodPut {
			if err := rq.decodeBody(&in); err != nil {
				return nil, err
			}
		}
		err := rq.mutate(ctx, func(ic *org.IdentityCenterDef) error {
			cur := ic.UserByID(id)
			if cur == nil {
				return notFound("User", id)
			}
			if rq.r.Method == http.MethodPatch {
				// The patch applies to the user as stored now (the state
				// may have changed since it was read).
				var err error
				if in, err = rq.patchUser(rq.userView(ic.UserID(cur), cur.UserName, cur.DisplayName, cur.UserAttributes)); err != nil {
					return err
				}
			}
			if err := in.apply(ic, cur); err != nil {
				return err
			}
			return ic.CheckUser(cur)
		})
		if err != nil {
			return nil, err
		}
		return rq.userOut(rq.userByID(id)), nil
	case http.MethodDelete:
		u := rq.userByID(id)
		if u == nil {
			return nil, notFound("User", id)
		}
		rq.status = http.StatusNoContent
		return nil, rq.mutate(ctx, func(ic *org.IdentityCenterDef) error {
			cur := ic.UserByID(id)
			if cur == nil || !ic.RemoveUser(cur.UserName) {
				return notFound("User", id)
			}
			return nil
		})
	}
	return nil, errf(http.StatusMethodNotAllowed, "", "%s is not supported on /Users.", rq.r.Method)
}

// userEntries are the users for listing and filtering.
func (rq *request) userEntries() []entry {
	var out []entry
	for _, u := range rq.o.IdentityCenter.Users {
		out = append(out, entry{out: func() map[string]any { return rq.userOut(u) }, value: func(attr string) []string {
			switch attr {
			case "id":
				return []string{u.ID}
			case "username":
				return []string{u.UserName}
			case "externalid":
				return []string{externalID(u.Attributes.ExternalIDs)}
			case "displayname":
				return []string{u.DisplayName}
			case "emails.value", "emails":
				var v []string
				for _, e := range u.Attributes.Emails {
					v = append(v, e.Value)
				}
				return v
			}
			return nil
		}})
	}
	return out
}
