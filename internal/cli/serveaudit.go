package cli

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/securecart/warden/internal/audit"
)

// trailFlags are serve's flags for the audit trail's digests and anchor.
type trailFlags struct {
	digestInterval       time.Duration
	anchorFile, webhook  string
	syslog, noAnchorFile bool
}

func (f *trailFlags) add(fl *pflag.FlagSet) {
	fl.DurationVar(&f.digestInterval, "audit-digest-interval", time.Hour, "write a signed audit digest at least this often, also when no call arrives (down to 1s), so that a trail cut back shows as an overdue digest")
	fl.StringVar(&f.anchorFile, "audit-anchor", "", "file the newest digest's hash and time are written to after each digest (default: DATA.audit-anchor.json, beside the data directory)")
	fl.BoolVar(&f.noAnchorFile, "no-audit-anchor", false, "do not write the anchor file")
	fl.StringVar(&f.webhook, "audit-anchor-webhook", "", "also POST each new anchor (JSON) to this URL")
	fl.BoolVar(&f.syslog, "audit-anchor-syslog", false, "also write each new anchor as a line to the local syslog (facility auth)")
}

// options checks the flags and returns the trail's digest options with a
// started anchor publisher (nil when there is nowhere to publish).
func (f *trailFlags) options(dataDir string, log *slog.Logger) (audit.Options, *audit.Publisher, error) {
	if f.digestInterval < time.Second {
		return audit.Options{}, nil, fmt.Errorf("--audit-digest-interval %v: want 1s or more", f.digestInterval)
	}
	opt := audit.Options{DigestInterval: f.digestInterval, SealWithin: min(time.Minute, f.digestInterval)}
	p := &audit.Publisher{File: f.anchorFile, Webhook: f.webhook, Syslog: f.syslog, Logger: log}
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
