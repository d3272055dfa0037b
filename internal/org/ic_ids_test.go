package org

import (
	"encoding/json"
	"errors"
	"testing"
)

// Identity store IDs are stable (Identity Store API Reference, User.UserId:
// "The identifier for a user in the identity store"; UpdateUser may change
// userName): a file without stored IDs keeps the IDs derived from the
// names; a rename pins them, and the renamed entity keeps its memberships
// and assignments through a save and a reload.
func TestSSOIDsSurviveRenames(t *testing.T) {
	s := testSpec(t)
	ic := s.IdentityCenter
	before := mustLoadSpec(t, s).IdentityCenter
	alice, devs := before.Users[0], before.Groups[0]
	if alice.ID != DerivedSSOUserID(ic.IdentityStoreID, "alice@example.com") || devs.ID != DerivedSSOGroupID(ic.IdentityStoreID, "Developers") {
		t.Fatalf("IDs without stored ones = %s, %s; want those derived from the names", alice.ID, devs.ID)
	}
	// The derivation is the one org files were loaded with before IDs were
	// stored: a fixed value, so that existing stores keep their IDs.
	if got := DerivedSSOUserID("d-9067c3a1b2", "alice@securecart.example"); got != ssoNameID("d-9067c3a1b2", "user", "alice@securecart.example") || got[14] != '8' {
		t.Errorf("derived ID %s: want a version 8 name-based UUID", got)
	}
	assignmentsOf := func(o *Org, id string) int {
		n := 0
		for _, a := range o.IdentityCenter.Assignments {
			if (a.User != nil && a.User.ID == id) || (a.Group != nil && a.Group.ID == id) {
				n++
			}
		}
		return n
	}
	groupAssignments := assignmentsOf(mustLoadSpec(t, s), devs.ID)

	if err := ic.RenameUser(ic.User("alice@example.com"), "sam@EXAMPLE.com"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("renaming alice to sam's name (other case): %v, want ErrDuplicate", err)
	}
	if err := ic.RenameUser(ic.User("alice@example.com"), "has space"); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("renaming alice to an invalid name: %v, want ErrInvalidValue", err)
	}
	if err := ic.RenameGroup(ic.Group("Developers"), "security"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("renaming Developers to Security's name: %v, want ErrDuplicate", err)
	}
	if err := ic.RenameUser(ic.User("alice@example.com"), "alice.w@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := ic.RenameGroup(ic.Group("Developers"), "Engineers"); err != nil {
		t.Fatal(err)
	}
	// A new user of alice's old name gets another ID.
	fresh := &SSOUserDef{ID: NewSSOID(), UserName: "alice@example.com"}
	if err := ic.AddUser(fresh); err != nil {
		t.Fatal(err)
	}
	if err := ic.AddUser(&SSOUserDef{ID: alice.ID, UserName: "carol@example.com"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("AddUser with alice's ID: %v, want ErrDuplicate", err)
	}

	// Saved and loaded again.
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var again Spec
	if err := json.Unmarshal(data, &again); err != nil {
		t.Fatal(err)
	}
	after := mustLoadSpec(t, &again).IdentityCenter
	u := after.Users[0]
	if u.UserName != "alice.w@example.com" || u.ID != alice.ID {
		t.Errorf("alice after the rename = %s %s; want alice.w@example.com %s", u.UserName, u.ID, alice.ID)
	}
	if len(u.Groups) != 1 || u.Groups[0].Name != "Engineers" || u.Groups[0].ID != devs.ID {
		t.Errorf("alice's groups after the renames = %+v; want Engineers with Developers' ID", u.Groups)
	}
	if n := assignmentsOf(mustLoadSpec(t, &again), devs.ID); n != groupAssignments || n == 0 {
		t.Errorf("the renamed group has %d assignments; want its %d", n, groupAssignments)
	}
	if got := after.Users[len(after.Users)-1]; got.UserName != "alice@example.com" || got.ID == alice.ID || got.ID != fresh.ID {
		t.Errorf("the new alice@example.com = %s; want its own ID %s", got.ID, fresh.ID)
	}
}
