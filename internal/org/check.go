package org

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/securecart/warden/internal/policy"
)

// The rules one value of the org must follow, in one place: the loader
// reports them with positions, the editor (Spec) refuses them, and the APIs
// word them as AWS does.

// Errors of the editor, wrapped with what is wrong.
var (
	ErrDuplicate    = errors.New("already exists")
	ErrUnknown      = errors.New("not found")
	ErrInvalidValue = errors.New("invalid value")
)

// Limits of names and paths (IAM and IAM Identity Center quotas,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
// https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html).
const (
	MaxRoleName          = 64
	MaxUserName          = 64
	MaxGroupName         = 128
	MaxPolicyName        = 128
	MaxPathLength        = 512
	MaxPermissionSetName = 32
	MaxSSOUserName       = 128
	MaxSSOGroupName      = 1024
	MaxRelayState        = 240

	// MinSessionDuration and MaxSessionDuration bound a role's
	// maxSessionDuration and a permission set's session duration, in
	// seconds (1 to 12 hours); DefaultSessionDuration is what applies when
	// none is given.
	MinSessionDuration     = 3600
	MaxSessionDuration     = 43200
	DefaultSessionDuration = 3600
)

var (
	reSSOUserName  = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	reSSOGroupName = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r  　]+$`)
	reEnvName      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	reRelayState   = regexp.MustCompile(`^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+\[\] (){}]+$`)
)

// The checks a large organization makes for each of its tens of thousands
// of names, paths and account IDs are loops over the bytes rather than
// regular expressions (a regexp's match was 3 % of a who-can on 1,000
// accounts); TestNameChecksMatchExpressions holds them to the expressions
// they replace.

// IsIAMName reports whether name is an IAM name (role, user, group, policy,
// permission set) of at most max characters: letters, digits and +=,.@_-
// (ASCII), at least one.
func IsIAMName(name string, max int) bool {
	if name == "" || len(name) > max {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_', c == '+', c == '=', c == ',', c == '.', c == '@', c == '-':
		default:
			return false
		}
	}
	return true
}

// IsIAMPath reports whether p is an IAM path: / or /a/path/, of printable
// ASCII, at most 512 characters.
func IsIAMPath(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) < 3 || len(p) > MaxPathLength || p[0] != '/' || p[len(p)-1] != '/' {
		return false
	}
	for i := 1; i < len(p)-1; i++ {
		if p[i] < 0x21 || p[i] > 0x7e {
			return false
		}
	}
	return true
}

// IsAccountID reports whether id is an account ID: 12 digits.
func IsAccountID(id string) bool { return policy.IsAccountID(id) }

// IsEmail reports whether s is an account's email address as the format
// takes it: name@domain.tld, 6 to 64 characters.
func IsEmail(s string) bool { return len(s) >= 6 && len(s) <= 64 && reEmail.MatchString(s) }

// CheckSSOUserName checks an Identity Center user's UserName (identitystore
// CreateUser: 1 to 128 letters, marks, symbols, digits and punctuation;
// Administrator and AWSAdministrators are reserved, per the Identity Store
// API Reference, CreateUser).
func CheckSSOUserName(name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxSSOUserName || !reSSOUserName.MatchString(name) {
		return fmt.Errorf("%w: user name %q: want 1 to %d letters, digits, symbols and punctuation, without spaces", ErrInvalidValue, name, MaxSSOUserName)
	}
	return reservedSSOName("user", name)
}

// CheckSSOGroupName checks an Identity Center group's DisplayName
// (identitystore CreateGroup: 1 to 1024 characters; the reserved names of
// users are reserved for groups too).
func CheckSSOGroupName(name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxSSOGroupName || !reSSOGroupName.MatchString(name) {
		return fmt.Errorf("%w: group name %q: want 1 to %d letters, digits, symbols, punctuation and spaces", ErrInvalidValue, name, MaxSSOGroupName)
	}
	return reservedSSOName("group", name)
}

func reservedSSOName(what, name string) error {
	if strings.EqualFold(name, "Administrator") || strings.EqualFold(name, "AWSAdministrators") {
		return fmt.Errorf("%w: %s name %q is reserved by IAM Identity Center", ErrInvalidValue, what, name)
	}
	return nil
}

// SessionDuration parses a permission set's session duration (ISO 8601,
// PT1H to PT12H; "" is PT1H) into seconds.
func SessionDuration(s string) (int, error) {
	if s == "" {
		return DefaultSessionDuration, nil
	}
	secs, err := sessionSeconds(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalidValue, err)
	}
	return secs, nil
}

// MaxAccessDuration is the longest a temporary access grant may last, in
// seconds: as long as the longest permission set session.
const MaxAccessDuration = MaxSessionDuration

// CheckAccessPolicyName checks a temporary access policy's name.
func CheckAccessPolicyName(name string) error {
	if !IsIAMName(name, 64) {
		return fmt.Errorf("%w: temporary access policy name %q: want 1 to 64 letters, digits and +=,.@_-", ErrInvalidValue, name)
	}
	return nil
}

// sessionSeconds parses a permission set's session duration and checks
// its range.
func sessionSeconds(s string) (int, error) {
	return durationIn(s, MinSessionDuration, MaxSessionDuration, "PT1H to PT12H")
}

// durationIn parses an ISO 8601 duration and checks that it lies in
// [lo, hi] seconds (want says so in words).
func durationIn(s string, lo, hi int, want string) (int, error) {
	secs, err := parseSessionDuration(s)
	if err != nil {
		return 0, err
	}
	if secs < lo || secs > hi {
		return 0, fmt.Errorf("sessionDuration %s is out of range: want %s", s, want)
	}
	return secs, nil
}

// Bounds of Identity Center's session duration (identityCenter.sessionDuration),
// in seconds: AWS allows 15 minutes to 90 days.
const (
	MinICSessionDuration = 15 * 60
	MaxICSessionDuration = 90 * 24 * 3600
)

// ICSessionDuration parses Identity Center's session duration (ISO 8601,
// PT15M to PT2160H) into seconds.
func ICSessionDuration(s string) (int, error) {
	return durationIn(s, MinICSessionDuration, MaxICSessionDuration, "PT15M to PT2160H (90 days)")
}

// CheckRelayState checks a permission set's relay state: the URL the
// console opens, 1 to 240 characters of sso-admin's pattern.
func CheckRelayState(s string) error {
	if len(s) > MaxRelayState || !reRelayState.MatchString(s) {
		return fmt.Errorf("%w: relay state %q: want 1 to %d URL characters", ErrInvalidValue, s, MaxRelayState)
	}
	return nil
}

// CheckPermissionSet checks what belongs to a permission set alone: its
// name, session duration, relay state and policy references (AWS managed
// policies by ARN, customer managed ones by name).
func CheckPermissionSet(ps *PermissionSetDef) error {
	if !IsIAMName(ps.Name, MaxPermissionSetName) {
		return fmt.Errorf("%w: permission set name %q: want 1 to %d letters, digits and +=,.@_-", ErrInvalidValue, ps.Name, MaxPermissionSetName)
	}
	if _, err := SessionDuration(ps.SessionDuration); err != nil {
		return err
	}
	if ps.RelayState != "" {
		if err := CheckRelayState(ps.RelayState); err != nil {
			return err
		}
	}
	for _, ref := range ps.ManagedPolicies {
		if !isAWSManagedARN(ref) {
			return fmt.Errorf("%w: %q: a permission set's managed policies are AWS managed policies, by ARN", ErrInvalidValue, ref)
		}
	}
	for _, name := range ps.CustomerManagedPolicies {
		if !IsIAMName(name, MaxPolicyName) {
			return fmt.Errorf("%w: %q: customer managed policies are named by name", ErrInvalidValue, name)
		}
	}
	return nil
}

func isAWSManagedARN(s string) bool {
	const prefix = "arn:aws:iam::aws:policy/"
	return len(s) > len(prefix) && s[:len(prefix)] == prefix
}
