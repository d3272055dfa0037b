package cli

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/securecart/warden/internal/audit"
)

// trailFlags are serve's flags for the audit trail's digests and anchor.
type trailFlags struct {
	sync                              string
	digestInterval, anchorEvery       time.Duration
	anchorFile, webhook, syslogServer string
	syslog, noAnchorFile              bool
}

func (f *trailFlags) add(fl *pflag.FlagSet) {
	fl.StringVar(&f.sync, "audit-sync", "", `when the SQLite store's audit records reach the disk: a delay such as 10ms (the default: a call is answered once its record is written to the trail's file, which survives Warden being killed; one fdatasync at most that long after covers every record written in between, so a power failure loses at most that span) or "ack" (a call is answered only after the fdatasync of its record: a power failure loses no answered call, and each answer waits for the disk: on a two-core test machine GetCallerIdentity made two thirds of the default's req/s)`)
	fl.DurationVar(&f.digestInterval, "audit-digest-interval", time.Hour, "write a signed audit digest at least this often, also when no call arrives (down to 1s), so that a trail cut back shows as an overdue digest")
	fl.StringVar(&f.anchorFile, "audit-anchor", "", "file the newest digest's hash and time are written to after each digest (default: DATA.audit-anchor.json, beside the data directory)")
	fl.DurationVar(&f.anchorEvery, "audit-anchor-every", time.Second, "send at most one anchor (file, webhook, syslog) this often: the newest digest's, at most this long after it was written (0: every digest's as it comes; under load a digest is written every 1,000 calls)")
	fl.BoolVar(&f.noAnchorFile, "no-audit-anchor", false, "do not write the anchor file")
	fl.StringVar(&f.webhook, "audit-anchor-webhook", "", "also POST each new anchor (JSON) to this URL")
	fl.BoolVar(&f.syslog, "audit-anchor-syslog", false, "also write each new anchor as a line to the local syslog (facility auth)")
	fl.StringVar(&f.syslogServer, "audit-anchor-syslog-server", "", "also write each new anchor as a syslog line to this server instead of the local one: udp://HOST:PORT, tcp://HOST:PORT or unixgram:///PATH")
}

// DefaultAuditSync is --audit-sync's default delay.
const DefaultAuditSync = 10 * time.Millisecond

// syncDelay is --audit-sync's delay (0: "ack"); postgres says whether the
// store is PostgreSQL, whose commit is the sync and which takes no delay.
func (f *trailFlags) syncDelay(postgres bool) (time.Duration, error) {
	switch {
	case f.sync == "" && postgres:
		return 0, nil
	case f.sync == "":
		return DefaultAuditSync, nil
	case postgres:
		return 0, fmt.Errorf("--audit-sync %q: it applies to the SQLite store; with --database each call's record is committed (and synced by PostgreSQL) before the call is answered", f.sync)
	case f.sync == "ack":
		return 0, nil
	}
	d, err := time.ParseDuration(f.sync)
	if err != nil || d <= 0 || d > time.Minute {
		return 0, fmt.Errorf("--audit-sync %q: want \"ack\" or a positive delay up to 1m, such as 10ms", f.sync)
	}
	return d, nil
}

// options checks the flags and returns the trail's digest options with a
// started anchor publisher (nil when there is nowhere to publish).
func (f *trailFlags) options(dataDir string, log *slog.Logger) (audit.Options, *audit.Publisher, error) {
	if f.digestInterval < time.Second {
		return audit.Options{}, nil, fmt.Errorf("--audit-digest-interval %v: want 1s or more", f.digestInterval)
	}
	if f.anchorEvery < 0 {
		return audit.Options{}, nil, fmt.Errorf("--audit-anchor-every %v: want 0 (every digest) or a positive interval", f.anchorEvery)
	}
	opt := audit.Options{DigestInterval: f.digestInterval, SealWithin: min(time.Minute, f.digestInterval)}
	p := &audit.Publisher{File: f.anchorFile, Webhook: f.webhook, Syslog: f.syslog || f.syslogServer != "", MinInterval: f.anchorEvery, Logger: log}
	if f.syslogServer != "" {
		network, addr, ok := strings.Cut(f.syslogServer, "://")
		switch {
		case !ok || addr == "":
			return opt, nil, fmt.Errorf("--audit-anchor-syslog-server %q: want NETWORK://ADDRESS (udp://logs.example.com:514)", f.syslogServer)
		case network != "udp" && network != "tcp" && network != "unix" && network != "unixgram":
			return opt, nil, fmt.Errorf("--audit-anchor-syslog-server %q: the network is udp, tcp, unix or unixgram, not %q", f.syslogServer, network)
		}
		p.SyslogNetwork, p.SyslogAddr = network, addr
	}
	if p.File == "" && !f.noAnchorFile {
		p.File = audit.DefaultAnchorFile(dataDir)
	}
	if f.noAnchorFile {
		p.File = ""
	}
	if p.File == "" && p.Webhook == "" && !p.Syslog {
		return opt, nil, nil
	}
	if err := p.Start(); err != nil {
		return opt, nil, err
	}
	opt.Anchor = p.Publish
	return opt, p, nil
}
