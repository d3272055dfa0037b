package cli

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/securecart/warden/internal/server"
)

// safetyFlags are serve's flags about the checks that keep a user from
// hurting themselves.
type safetyFlags struct {
	allowOpenPermissions bool
}

func (f *safetyFlags) add(fl *pflag.FlagSet) {
	fl.BoolVar(&f.allowOpenPermissions, "allow-open-permissions", false,
		"start even when the master key, credentials or passwords file can be read by other users, or the data directory, database or trail files changed by them (logs an error instead of refusing)")
}

// checkSecretFiles refuses (or with --allow-open-permissions warns) when a
// file holding a secret can be read or written by users other than its
// owner: the master key (unless it comes from WARDEN_MASTER_KEY) and the
// administrator's credentials and initial passwords in the data directory;
// and, for the SQLite store, when other users can change the data
// directory, the database or the audit trail's directory and segment files:
// whoever changes the database holds every account (its policies and keys)
// and whoever can replace a file in the directory can replace the master
// key or the credentials.
func (f *safetyFlags) checkSecretFiles(sf serveFlags, log *slog.Logger) error {
	var paths []string
	if os.Getenv("WARDEN_MASTER_KEY") == "" {
		p := sf.masterKeyFile
		if p == "" {
			p = filepath.Join(sf.data, "master.key")
		}
		paths = append(paths, p)
	}
	paths = append(paths, filepath.Join(sf.data, "credentials"), filepath.Join(sf.data, server.PasswordsFile))
	var open, writable []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			continue // not there (yet): written 0600 when it is created
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			open = append(open, fmt.Sprintf("%s (mode %04o)", p, perm))
		}
	}
	if sf.database == "" {
		store := []string{sf.data, filepath.Join(sf.data, "warden.db"), filepath.Join(sf.data, "warden.db-wal"), filepath.Join(sf.data, "warden.db-shm"),
			filepath.Join(sf.data, "trail")}
		segs, _ := filepath.Glob(filepath.Join(sf.data, "trail", "*"))
		for _, p := range append(store, segs...) {
			fi, err := os.Stat(p)
			if err != nil {
				continue // created without write access for others
			}
			if perm := fi.Mode().Perm(); perm&0o022 != 0 {
				writable = append(writable, fmt.Sprintf("%s (mode %04o)", p, perm))
			}
		}
	}
	if len(open) == 0 && len(writable) == 0 {
		return nil
	}
	var msgs []string
	if len(open) > 0 {
		msgs = append(msgs, fmt.Sprintf("other users can read or change %s: they hold secrets that give control of every account; run chmod 600 on them", strings.Join(open, ", ")))
	}
	if len(writable) > 0 {
		msgs = append(msgs, fmt.Sprintf("other users can change %s: the store, its audit trail and the files beside them, which give control of every account; run chmod go-w on them", strings.Join(writable, ", ")))
	}
	msg := strings.Join(msgs, "; ")
	if !f.allowOpenPermissions {
		return fmt.Errorf("%s (or start with --allow-open-permissions)", msg)
	}
	log.Error("WARNING: " + msg)
	return nil
}

// warnPlainListener warns when serve listens beyond this machine without
// TLS: signed requests stay unforgeable, but the credentials and session
// tokens that STS returns, and the secrets IAM hands out, would cross the
// network in clear.
func warnPlainListener(log *slog.Logger, addr net.Addr, tls bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if tls || !ok || tcp.IP.IsLoopback() {
		return
	}
	log.Warn("WARNING: listening on a non-loopback address without TLS: credentials that STS and IAM return travel in clear; use --tls-cert and --tls-key, or listen on 127.0.0.1",
		"listen", addr.String())
}
