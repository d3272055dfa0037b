package server

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// AdminProfile is the profile of the bootstrap credentials file.
const AdminProfile = "warden-admin"

// Bootstrap seeds a new store with the org read from orgFS/orgPath and
// creates the management account's administrator key: a long-term access key
// of the management account's root user, exempt from SCPs as the management
// account is in AWS. It returns the key's ID and secret only when it created
// them (a new store); an existing store keeps its own state and keys.
func Bootstrap(ctx context.Context, st store.Store, master *creds.Sealer, orgFS fs.FS, orgPath string, now time.Time) (keyID, secret string, err error) {
	doc, err := state.FromFiles(orgFS, orgPath)
	if err != nil {
		return "", "", err
	}
	m := state.New(st, func() time.Time { return now })
	seeded, err := m.Seed(ctx, doc)
	if err != nil || !seeded {
		return "", "", err
	}
	o, err := m.Org(ctx)
	if err != nil {
		return "", "", err
	}
	acct := o.Management.ID
	keyID = creds.NewAccessKeyID(creds.PrefixLongTerm, acct)
	secret = creds.NewSecret()
	k := store.AccessKey{ID: keyID, Owner: "arn:aws:iam::" + acct + ":root", Account: acct,
		SealedSecret: master.Seal([]byte(secret), []byte("access-key:"+keyID)), Status: "Active", Created: now}
	if err := st.PutAccessKey(ctx, k); err != nil {
		return "", "", err
	}
	return keyID, secret, nil
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
