package org

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Identity store IDs of Identity Center's users and groups. At AWS an ID is
// given when the entity is created and never changes, whatever the entity
// is renamed to (UpdateUser may change userName, UpdateGroup displayName).
// The org format stores it (users[].id, groups[].id); an entity without one
// has the ID derived from the identity store and its name (a name-based
// UUID, version 8), the same on every replica and across restarts, which is
// what org files written before IDs were stored rely on. Renaming an entity
// without an ID first pins its derived ID, so that it keeps it; an entity
// created through the API gets a random ID (UUID version 4), never reused.

// reSSOID is the identity store's ResourceId pattern.
var reSSOID = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)

// CheckSSOID checks an identity store user or group ID.
func CheckSSOID(id string) error {
	if !reSSOID.MatchString(id) {
		return fmt.Errorf("%w: identity store ID %q: want a UUID (8-4-4-4-12 hex digits), optionally after 10 hex digits and a dash", ErrInvalidValue, id)
	}
	return nil
}

// DerivedSSOUserID is the ID of a user without a stored one.
func DerivedSSOUserID(storeID, userName string) string { return ssoNameID(storeID, "user", userName) }

// DerivedSSOGroupID is the ID of a group without a stored one.
func DerivedSSOGroupID(storeID, displayName string) string {
	return ssoNameID(storeID, "group", displayName)
}

// ssoNameID is a name-based UUID (version 8) of an identity store entity.
func ssoNameID(storeID, kind, name string) string {
	sum := sha256.Sum256([]byte("identitystore/" + storeID + "/" + kind + "/" + name))
	return uuidString(sum[:16], 0x80)
}

// NewSSOID is a random identity store ID (UUID version 4).
func NewSSOID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return uuidString(b, 0x40)
}

func uuidString(b []byte, version byte) string {
	b[6] = b[6]&0x0f | version
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// UserID is a directory user's ID: its stored one, or derived from its name.
func (ic *IdentityCenterDef) UserID(u *SSOUserDef) string {
	if u.ID != "" {
		return u.ID
	}
	return DerivedSSOUserID(ic.IdentityStoreID, u.UserName)
}

// GroupID is a directory group's ID, as UserID.
func (ic *IdentityCenterDef) GroupID(g *SSOGroupDef) string {
	if g.ID != "" {
		return g.ID
	}
	return DerivedSSOGroupID(ic.IdentityStoreID, g.Name)
}

// UserByID finds a directory user by ID (case-insensitive hex).
func (ic *IdentityCenterDef) UserByID(id string) *SSOUserDef {
	for _, u := range ic.Users {
		if strings.EqualFold(ic.UserID(u), id) {
			return u
		}
	}
	return nil
}

// GroupByID finds a directory group by ID.
func (ic *IdentityCenterDef) GroupByID(id string) *SSOGroupDef {
	for _, g := range ic.Groups {
		if strings.EqualFold(ic.GroupID(g), id) {
			return g
		}
	}
	return nil
}

// RenameUser changes a user's UserName (AWS's UpdateUser of userName): the
// name must be valid and unused (ignoring case) by any other user; the
// user keeps its ID, memberships and assignments.
func (ic *IdentityCenterDef) RenameUser(u *SSOUserDef, name string) error {
	if name == u.UserName {
		return nil
	}
	if err := CheckSSOUserName(name); err != nil {
		return err
	}
	if other := ic.User(name); other != nil && other != u {
		return fmt.Errorf("%w: a user named %s already exists", ErrDuplicate, other.UserName)
	}
	u.ID = ic.UserID(u)
	for _, a := range ic.Assignments {
		if a.User == u.UserName {
			a.User = name
		}
	}
	u.UserName = name
	return nil
}

// RenameGroup changes a group's DisplayName (AWS's UpdateGroup of
// displayName), as RenameUser.
func (ic *IdentityCenterDef) RenameGroup(g *SSOGroupDef, name string) error {
	if name == g.Name {
		return nil
	}
	if err := CheckSSOGroupName(name); err != nil {
		return err
	}
	if other := ic.Group(name); other != nil && other != g {
		return fmt.Errorf("%w: a group named %s already exists", ErrDuplicate, other.Name)
	}
	g.ID = ic.GroupID(g)
	for _, a := range ic.Assignments {
		if a.Group == g.Name {
			a.Group = name
		}
	}
	for _, u := range ic.Users {
		if i := slices.Index(u.Groups, g.Name); i >= 0 {
			u.Groups[i] = name
		}
	}
	for _, p := range ic.TemporaryAccess {
		for _, l := range [][]string{p.RequesterGroups, p.ApproverGroups} {
			if i := slices.Index(l, g.Name); i >= 0 {
				l[i] = name
			}
		}
	}
	g.Name = name
	return nil
}

// checkIDFree refuses a stored ID another user or group already has.
func (ic *IdentityCenterDef) checkIDFree(id string) error {
	if id == "" {
		return nil
	}
	if err := CheckSSOID(id); err != nil {
		return err
	}
	if ic.UserByID(id) != nil || ic.GroupByID(id) != nil {
		return fmt.Errorf("%w: the identity store ID %s is in use", ErrDuplicate, id)
	}
	return nil
}
