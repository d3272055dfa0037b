package org

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The identity store attributes of Identity Center users and groups beyond
// their names, as botocore's identitystore (2020-06-15) shapes them: User's
// Name, NickName, ProfileUrl, Emails, Addresses, PhoneNumbers, UserType,
// Title, PreferredLanguage, Locale, Timezone and ExternalIds, and Group's
// ExternalIds. The org format writes them in lower camel case (AWS's
// attribute paths: name.givenName, emails, ...); the APIs in AWS's
// PascalCase. The rules (CheckUserAttributes, CheckExternalIDs):
//
//   - every string is SensitiveStringType: 1 to 1024 letters, marks,
//     symbols, digits, punctuation and spaces (tab, newline, carriage
//     return, space, no-break space, ideographic space);
//   - Emails, Addresses and PhoneNumbers hold at most one entry each;
//   - ExternalIds hold 1 to 10 entries: Issuer 1 to 100 characters that do
//     not begin with "arn:" or "aws:" (any case), Id 1 to 256; an issuer
//     and id pair names one user (or group) only;
//   - an email address (Emails[].Value, GetUserId's emails.value) names one
//     user only, ignoring case.

// UserAttributes are a user's identity store attributes besides UserName
// and DisplayName.
type UserAttributes struct {
	Name              *UserNameDef     `json:"name,omitempty"`
	NickName          string           `json:"nickName,omitempty"`
	ProfileURL        string           `json:"profileUrl,omitempty"`
	Emails            []EmailDef       `json:"emails,omitempty"`
	Addresses         []AddressDef     `json:"addresses,omitempty"`
	PhoneNumbers      []PhoneNumberDef `json:"phoneNumbers,omitempty"`
	UserType          string           `json:"userType,omitempty"`
	Title             string           `json:"title,omitempty"`
	PreferredLanguage string           `json:"preferredLanguage,omitempty"`
	Locale            string           `json:"locale,omitempty"`
	Timezone          string           `json:"timezone,omitempty"`
	// UserStatus is ENABLED (also when "") or DISABLED: a disabled user
	// cannot sign in, and its sessions end (identitystore UserStatus; SCIM
	// active).
	UserStatus  string          `json:"userStatus,omitempty"`
	ExternalIDs []ExternalIDDef `json:"externalIds,omitempty"`
}

// UserNameDef is a user's full name (identitystore Name).
type UserNameDef struct {
	Formatted       string `json:"formatted,omitempty"`
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`
}

// EmailDef is one email address of a user (identitystore Email).
type EmailDef struct {
	Value   string `json:"value,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// AddressDef is one postal address of a user (identitystore Address).
type AddressDef struct {
	StreetAddress string `json:"streetAddress,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	Country       string `json:"country,omitempty"`
	Formatted     string `json:"formatted,omitempty"`
	Type          string `json:"type,omitempty"`
	Primary       bool   `json:"primary,omitempty"`
}

// PhoneNumberDef is one phone number of a user (identitystore PhoneNumber).
type PhoneNumberDef struct {
	Value   string `json:"value,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// ExternalIDDef is an identifier an external identity provider issued to a
// user or group (identitystore ExternalId).
type ExternalIDDef struct {
	Issuer string `json:"issuer"`
	ID     string `json:"id"`
}

// Limits of the identity store's attributes (botocore identitystore).
const (
	MaxAttributeValue  = 1024
	MaxExternalIDs     = 10
	MaxExternalIssuer  = 100
	MaxExternalID      = 256
	maxAttributeValues = 1 // Emails, Addresses, PhoneNumbers
)

var (
	reSensitive      = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \x{00a0}\x{3000}]+$`)
	reExternalIDText = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
)

// PrimaryEmail returns the user's primary email address, else its first
// one, else "".
func (a *UserAttributes) PrimaryEmail() string {
	for _, e := range a.Emails {
		if e.Primary {
			return e.Value
		}
	}
	if len(a.Emails) > 0 {
		return a.Emails[0].Value
	}
	return ""
}

// HasEmail reports whether one of the user's email addresses is email,
// ignoring case.
func (a *UserAttributes) HasEmail(email string) bool {
	for _, e := range a.Emails {
		if e.Value != "" && strings.EqualFold(e.Value, email) {
			return true
		}
	}
	return false
}

// HasExternalID reports whether the entity carries the issuer's id.
func HasExternalID(ids []ExternalIDDef, issuer, id string) bool {
	for _, x := range ids {
		if x.Issuer == issuer && x.ID == id {
			return true
		}
	}
	return false
}

// checkSensitive checks one SensitiveStringType value ("" is absent).
func checkSensitive(path, v string) error {
	if v == "" {
		return nil
	}
	if utf8.RuneCountInString(v) > MaxAttributeValue || !reSensitive.MatchString(v) {
		return fmt.Errorf("%w: %s: want 1 to %d letters, digits, symbols, punctuation and spaces", ErrInvalidValue, path, MaxAttributeValue)
	}
	return nil
}

// CheckUserAttributes checks a user's attributes, naming the attribute
// path of the first bad value.
func CheckUserAttributes(a *UserAttributes) error {
	strs := []struct{ path, v string }{
		{"nickName", a.NickName}, {"profileUrl", a.ProfileURL}, {"userType", a.UserType}, {"title", a.Title},
		{"preferredLanguage", a.PreferredLanguage}, {"locale", a.Locale}, {"timezone", a.Timezone},
	}
	if n := a.Name; n != nil {
		strs = append(strs, []struct{ path, v string }{{"name.formatted", n.Formatted}, {"name.familyName", n.FamilyName},
			{"name.givenName", n.GivenName}, {"name.middleName", n.MiddleName}, {"name.honorificPrefix", n.HonorificPrefix},
			{"name.honorificSuffix", n.HonorificSuffix}}...)
	}
	for _, e := range a.Emails {
		strs = append(strs, []struct{ path, v string }{{"emails.value", e.Value}, {"emails.type", e.Type}}...)
	}
	for _, p := range a.PhoneNumbers {
		strs = append(strs, []struct{ path, v string }{{"phoneNumbers.value", p.Value}, {"phoneNumbers.type", p.Type}}...)
	}
	for _, ad := range a.Addresses {
		strs = append(strs, []struct{ path, v string }{{"addresses.streetAddress", ad.StreetAddress}, {"addresses.locality", ad.Locality},
			{"addresses.region", ad.Region}, {"addresses.postalCode", ad.PostalCode}, {"addresses.country", ad.Country},
			{"addresses.formatted", ad.Formatted}, {"addresses.type", ad.Type}}...)
	}
	for _, s := range strs {
		if err := checkSensitive(s.path, s.v); err != nil {
			return err
		}
	}
	if a.UserStatus != "" && a.UserStatus != UserEnabled && a.UserStatus != UserDisabled {
		return fmt.Errorf("%w: userStatus: %q: want ENABLED or DISABLED", ErrInvalidValue, a.UserStatus)
	}
	for _, l := range []struct {
		path string
		n    int
	}{{"emails", len(a.Emails)}, {"addresses", len(a.Addresses)}, {"phoneNumbers", len(a.PhoneNumbers)}} {
		if l.n > maxAttributeValues {
			return fmt.Errorf("%w: %s: at most %d entry, not %d", ErrInvalidValue, l.path, maxAttributeValues, l.n)
		}
	}
	for _, e := range a.Emails {
		if e.Value == "" {
			return fmt.Errorf("%w: emails.value: an email needs its value", ErrInvalidValue)
		}
	}
	for _, p := range a.PhoneNumbers {
		if p.Value == "" {
			return fmt.Errorf("%w: phoneNumbers.value: a phone number needs its value", ErrInvalidValue)
		}
	}
	return CheckExternalIDs(a.ExternalIDs)
}

// CheckExternalIDs checks a user's or group's external IDs.
func CheckExternalIDs(ids []ExternalIDDef) error {
	if len(ids) > MaxExternalIDs {
		return fmt.Errorf("%w: externalIds: at most %d, not %d", ErrInvalidValue, MaxExternalIDs, len(ids))
	}
	for i, x := range ids {
		if n := utf8.RuneCountInString(x.Issuer); n < 1 || n > MaxExternalIssuer || !reExternalIDText.MatchString(x.Issuer) {
			return fmt.Errorf("%w: externalIds.issuer %q: want 1 to %d letters, digits, symbols and punctuation", ErrInvalidValue, x.Issuer, MaxExternalIssuer)
		}
		if l := strings.ToLower(x.Issuer); strings.HasPrefix(l, "arn:") || strings.HasPrefix(l, "aws:") {
			return fmt.Errorf("%w: externalIds.issuer %q: an issuer may not begin with arn: or aws:", ErrInvalidValue, x.Issuer)
		}
		if n := utf8.RuneCountInString(x.ID); n < 1 || n > MaxExternalID || !reExternalIDText.MatchString(x.ID) {
			return fmt.Errorf("%w: externalIds.id %q: want 1 to %d letters, digits, symbols and punctuation", ErrInvalidValue, x.ID, MaxExternalID)
		}
		for _, y := range ids[:i] {
			if y == x {
				return fmt.Errorf("%w: externalIds: %s %s is given twice", ErrInvalidValue, x.Issuer, x.ID)
			}
		}
	}
	return nil
}

// The user statuses (identitystore UserStatus).
const (
	UserEnabled  = "ENABLED"
	UserDisabled = "DISABLED"
)

// Disabled reports whether the user is disabled.
func (a *UserAttributes) Disabled() bool { return a.UserStatus == UserDisabled }
