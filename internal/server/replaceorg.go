package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// errPlanOnly stops a state change that was only computed.
var errPlanOnly = errors.New("server: plan only")

// ReplaceOrg compares the org files orgFS/orgPath with the organization an
// existing store holds and, when apply is true, replaces the store's with
// theirs. It returns what changes, as state.Diff lists it (nothing: the
// store already holds that organization), and whether the files are the
// ones the store was seeded (or last replaced) with, in which case the
// differences are the changes made through the APIs since.
//
// What the files cannot say is kept: the bootstrap user warden-admin as the
// store has it (or its absence, once retired), access keys, sessions, MFA
// devices and the audit trail, creation dates, and the versions of every
// customer managed policy whose document stays the same (a policy whose
// document changes starts again from the files' document). The management
// account's ID cannot change: the keys and the trail belong to it.
func ReplaceOrg(ctx context.Context, st store.Store, orgFS fs.FS, orgPath string, now time.Time, apply bool) (changes []string, source bool, err error) {
	next, err := state.FromFiles(orgFS, orgPath)
	if err != nil {
		return nil, false, err
	}
	if _, err := state.Build(next); err != nil {
		return nil, false, err
	}
	digest := state.SourceDigest(next)
	m := state.New(st, func() time.Time { return now })
	_, err = m.Mutate(ctx, func(d *state.Doc) error {
		source = d.Meta.Source == digest
		n := &state.Doc{Org: next.Org.Clone(), Meta: d.Meta}
		n.Meta.Source = digest
		oldMgmt, newMgmt := d.Org.Account(d.Org.Management()), n.Org.Account(n.Org.Management())
		if oldMgmt == nil || newMgmt == nil {
			return fmt.Errorf("%s: no management account", orgPath)
		}
		if oldMgmt.ID != newMgmt.ID {
			return fmt.Errorf("%s: the management account is %s (%s); the store's is %s (%s), to which its keys, sessions and audit trail belong: serve these files from a new data directory or database",
				orgPath, newMgmt.ID, newMgmt.Name, oldMgmt.ID, oldMgmt.Name)
		}
		if u := d.Org.User(oldMgmt.Name, AdminUser); u != nil && n.Org.User(newMgmt.Name, AdminUser) == nil {
			kept := *u
			kept.Account = newMgmt.Name
			n.Org.Users = append(n.Org.Users, &kept)
		}
		if err := state.CheckFilePolicies(orgFS, orgPath, state.ResourcePolicies(d.Org), next); err != nil {
			return err
		}
		changes = state.Diff(d.Org, n.Org)
		switch {
		case len(changes) == 0 && !source:
			// Other files that describe the same organization: they are
			// the source from now on.
			d.Meta.Source = digest
			return nil
		case !apply || len(changes) == 0:
			return errPlanOnly
		}
		for arn := range n.Meta.PolicyVersions {
			parts := strings.SplitN(arn, ":", 6)
			if len(parts) < 6 {
				delete(n.Meta.PolicyVersions, arn)
				continue
			}
			before, after := d.Org.ManagedByARN(parts[4], arn), n.Org.ManagedByARN(parts[4], arn)
			if before == nil || after == nil || !bytes.Equal(before.Document, after.Document) || !sameVersions(before, after) {
				delete(n.Meta.PolicyVersions, arn)
			}
		}
		*d = *n
		return nil
	})
	if err != nil && !errors.Is(err, errPlanOnly) {
		return nil, false, err
	}
	return changes, source, nil
}

// sameVersions reports whether two definitions of a managed policy have the
// same other versions (the org format's versions), as written.
func sameVersions(a, b *org.PolicyDef) bool {
	if len(a.Versions) != len(b.Versions) {
		return false
	}
	for i, v := range a.Versions {
		if v.ID != b.Versions[i].ID || !bytes.Equal(v.Document, b.Versions[i].Document) {
			return false
		}
	}
	return true
}
