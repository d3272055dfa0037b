package server

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// AdminProfile is the profile of the bootstrap credentials file.
const AdminProfile = "warden-admin"

// AdminUser is the IAM user of the management account that holds the
// bootstrap key.
const AdminUser = "warden-admin"

// AdministratorAccess is the AWS managed policy the bootstrap user gets.
const AdministratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess"

// Bootstrap seeds a new store with the org read from orgFS/orgPath and
// creates the management account's administrator key. The key belongs to
// the IAM user warden-admin of the management account (AdminUser), with
// AdministratorAccess, which Bootstrap adds to the org unless the org
// declares that user itself. It is not the root user's key: AWS refuses
// AssumeRole to a root user, and a user of the management account with
// administrator rights is what OrganizationAccountAccessRole's trust (the
// management account) lets in. It is exempt from SCPs, as everything in the
// management account is in AWS.
//
// It returns the key's ID and secret only when it created them (a new
// store); an existing store keeps its own state and keys.
func Bootstrap(ctx context.Context, st store.Store, master *creds.Sealer, orgFS fs.FS, orgPath string, now time.Time) (keyID, secret string, err error) {
	doc, err := state.FromFiles(orgFS, orgPath)
	if err != nil {
		return "", "", err
	}
	doc.Meta.Source = state.SourceDigest(doc)
	owner, err := AddAdminUser(doc, now)
	if err != nil {
		return "", "", err
	}
	if v, err := st.StateVersion(ctx); err != nil {
		return "", "", err
	} else if v == 0 {
		if err := state.CheckFilePolicies(orgFS, orgPath, nil, doc); err != nil {
			return "", "", err
		}
	}
	m := state.New(st, func() time.Time { return now })
	seeded, err := m.Seed(ctx, doc)
	if err != nil || !seeded {
		return "", "", err
	}
	acct := owner.Account.ID
	keyID = creds.NewAccessKeyID(creds.PrefixLongTerm, acct)
	secret = creds.NewSecret()
	k := store.AccessKey{ID: keyID, Owner: owner.ARN, Account: acct,
		SealedSecret: master.Seal([]byte(secret), []byte("access-key:"+keyID)), Status: "Active", Created: now}
	if err := st.PutAccessKey(ctx, k); err != nil {
		return "", "", err
	}
	return keyID, secret, nil
}

// AddAdminUser adds the IAM user warden-admin to the management account of
// doc, with AdministratorAccess and created at now, unless the org declares
// it already, and returns it.
func AddAdminUser(doc *state.Doc, now time.Time) (*org.User, error) {
	o, err := state.Build(doc)
	if err != nil {
		return nil, err
	}
	if o.Management == nil {
		return nil, fmt.Errorf("the organization has no management account to hold the %s user", AdminUser)
	}
	if u, ok := o.User(o.Management.ID, AdminUser); ok {
		return u, nil
	}
	doc.Org.Users = append(doc.Org.Users, &org.UserDef{Name: AdminUser, Account: o.Management.Name, Path: "/",
		Entity: org.Entity{ManagedPolicies: []string{AdministratorAccess}}})
	o, err = state.Build(doc)
	if err != nil {
		return nil, fmt.Errorf("adding the %s user to the management account: %w", AdminUser, err)
	}
	u, ok := o.User(o.Management.ID, AdminUser)
	if !ok {
		return nil, fmt.Errorf("adding the %s user to the management account: it does not load", AdminUser)
	}
	if doc.Meta.Created == nil {
		doc.Meta.Created = map[string]time.Time{}
	}
	doc.Meta.Created[u.ARN] = now.UTC()
	return u, nil
}

// WriteCredentials writes an AWS shared credentials file with mode 0600. It
// refuses to overwrite an existing file.
func WriteCredentials(path, profile, keyID, secret string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", profile, keyID, secret)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// PasswordsFile is the name, in the data directory, of the file of one-time
// passwords of Identity Center users written on the first start.
const PasswordsFile = "identity-center-passwords"

// WriteInitialPasswords gives every Identity Center user of the org without
// a password a one-time password and writes them to path (mode 0600, never
// overwriting a file), sorted by user name. The passwords are never logged;
// each must be changed at the first sign-in. It returns how many it wrote.
func WriteInitialPasswords(ctx context.Context, st store.Store, master *creds.Sealer, path, pageURL string, now func() time.Time) (int, error) {
	m := state.New(st, now)
	auth := &sso.Authenticator{Store: st, Dir: sso.OrgDirectory{Orgs: m}, Master: master, Clock: now}
	pws, err := auth.InitialPasswords(ctx)
	if err != nil || len(pws) == 0 {
		return 0, err
	}
	names := make([]string, 0, len(pws))
	for n := range pws {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "# One-time passwords of the Identity Center users. Each person signs in at\n# %s (warden login opens it), sets a new password and enrolls an\n# authenticator app. Give each person only their own line; delete this file then.\n", pageURL)
	for _, n := range names {
		fmt.Fprintf(&b, "%s\t%s\n", n, pws[n])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return len(names), err
}
