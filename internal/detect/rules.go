package detect

import (
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/securecart/warden/internal/audit"
)

// detectRoot: Policy:IAMUser/RootCredentialUsage, "the root credentials of
// the listed AWS account are being used to make requests to AWS services".
func rootWhen(_ *Detector, r *audit.Record) bool {
	return r.UserIdentity.Type == "Root" && r.EventType != "AwsServiceEvent"
}

func detectRoot(d *Detector, r *audit.Record, at time.Time) {
	acct := callerAccount(r)
	d.raise(RootCredentialUsage, acct, acct, r, at,
		fmt.Sprintf("The root user of account %s invoked %s from %s.", acct, r.EventName, r.SourceIPAddress))
}

// trailChanges are the calls that stop a trail's logging.
var trailChanges = map[string]bool{"StopLogging": true, "DeleteTrail": true, "UpdateTrail": true}

// detectTrailStop: Stealth:IAMUser/CloudTrailLoggingDisabled for "a
// successful deletion or update of a trail"; a failed attempt is
// DefenseEvasion:IAMUser/AnomalousBehavior (StopLogging is the example API
// of that type; its unsuccessful calls are listed with their error).
func trailStopWhen(_ *Detector, r *audit.Record) bool {
	return r.EventSource == "cloudtrail.amazonaws.com" && trailChanges[r.EventName]
}

func detectTrailStop(d *Detector, r *audit.Record, at time.Time) {
	trail := param(r, "name")
	if trail == "" {
		trail = "(unnamed)"
	}
	acct := callerAccount(r)
	if r.ErrorCode == "" {
		d.raise(CloudTrailLoggingDisabled, r.RecipientAccountID, actor(r)+"\x00"+trail, r, at,
			fmt.Sprintf("%s called %s on the trail %s: the trail may no longer record activity.", actor(r), r.EventName, trail))
		return
	}
	d.raise(DefenseEvasion, acct, actor(r), r, at,
		fmt.Sprintf("%s tried %s on the trail %s and was refused (%s): an attempt to stop the trail.", actor(r), r.EventName, trail, r.ErrorCode))
}

// detectDenied: Discovery:IAMUser/AnomalousBehavior when one principal
// receives Config.DeniedCount access-denied errors within
// Config.DeniedWindow.
func deniedWhen(_ *Detector, r *audit.Record) bool { return denied(r) }

func detectDenied(d *Detector, r *audit.Record, at time.Time) {
	who := actor(r)
	if who == "" || r.UserIdentity.Type == "AWSAccount" && r.UserIdentity.AccountID == "ANONYMOUS_PRINCIPAL" {
		return
	}
	recent := append(d.denied[who], at)
	keep := recent[:0]
	for _, t := range recent {
		if at.Sub(t) < d.cfg.DeniedWindow {
			keep = append(keep, t)
		}
	}
	d.denied[who] = keep
	if len(keep) < d.cfg.DeniedCount {
		return
	}
	d.raise(Discovery, callerAccount(r), who, r, at,
		fmt.Sprintf("%s was denied %d requests within %v, the latest %s (%s): probing of its permissions.",
			who, len(keep), d.cfg.DeniedWindow, r.EventName, r.ErrorCode))
}

// detectAssumeRole: InitialAccess:IAMUser/AnomalousBehavior for a
// successful AssumeRole from an unusual account or source network.
func assumeRoleWhen(_ *Detector, r *audit.Record) bool {
	return r.EventSource == "sts.amazonaws.com" && r.EventName == "AssumeRole" && r.ErrorCode == ""
}

func detectAssumeRole(d *Detector, r *audit.Record, at time.Time) {
	role := param(r, "roleArn")
	if role == "" {
		return
	}
	roleAcct := accountOfARN(role)
	caller, who := callerAccount(r), actor(r)
	usual := func(seen map[string]time.Time, key string) bool {
		t, ok := seen[key]
		return ok && at.Sub(t) < d.cfg.Baseline
	}
	if d.assumeAccounts[role] == nil {
		d.assumeAccounts[role] = map[string]time.Time{}
	}
	outside := caller != roleAcct && (d.inOrg == nil || !d.inOrg(caller))
	if outside && !usual(d.assumeAccounts[role], caller) {
		d.raise(InitialAccess, roleAcct, role+"\x00account\x00"+caller, r, at,
			fmt.Sprintf("%s, of account %s outside the organization, assumed %s: no call from that account assumed the role in the last %v.",
				who, caller, role, d.cfg.Baseline))
	}
	d.assumeAccounts[role][caller] = at

	net := network(r.SourceIPAddress)
	keep := recentHistory(d.history[who], at, d.cfg.Baseline)
	if d.sources[who] == nil {
		d.sources[who] = map[string]time.Time{}
	}
	if net != "" && len(keep) >= d.cfg.MinHistory && !usual(d.sources[who], net) {
		d.raise(InitialAccess, roleAcct, role+"\x00source\x00"+who+"\x00"+net, r, at,
			fmt.Sprintf("%s assumed %s from %s, a network (%s) it did not call from in its %d AssumeRole calls of the last %v.",
				who, role, r.SourceIPAddress, net, len(keep), d.cfg.Baseline))
	}
	if net != "" {
		d.sources[who][net] = at
	}
	d.history[who] = insertSorted(keep, at)
}

// recentHistory is hist (in order of time) without the times at least
// baseline before at. They are a prefix: cutting it costs what it removes,
// so a principal's AssumeRole calls cost constant time each, where a scan of
// its whole history made every call's detection cost grow with the calls
// before it (warden serve under AssumeRole load slowed by half within
// seconds).
func recentHistory(hist []time.Time, at time.Time, baseline time.Duration) []time.Time {
	i := 0
	for i < len(hist) && at.Sub(hist[i]) >= baseline {
		i++
	}
	return hist[i:]
}

// insertSorted adds t to hist, keeping it in order of time (records arrive
// almost in order: the place is found from the end).
func insertSorted(hist []time.Time, t time.Time) []time.Time {
	i := len(hist)
	for i > 0 && hist[i-1].After(t) {
		i--
	}
	return slices.Insert(hist, i, t)
}

// network is an address's network as Warden compares sources: IPv4 /24,
// IPv6 /48; "" for what is not an address (an AWS service's name).
func network(ip string) string {
	a := net.ParseIP(ip)
	switch {
	case a == nil:
		return ""
	case a.To4() != nil:
		return (&net.IPNet{IP: a.To4().Mask(net.CIDRMask(24, 32)), Mask: net.CIDRMask(24, 32)}).String()
	}
	return (&net.IPNet{IP: a.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}

func accountOfARN(arn string) string {
	var parts [6]string
	n := 0
	start := 0
	for i := 0; i < len(arn) && n < 5; i++ {
		if arn[i] == ':' {
			parts[n] = arn[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return ""
	}
	return parts[4]
}

// RevokePolicyName is the inline policy IAM puts to revoke a role's
// sessions.
const RevokePolicyName = "AWSRevokeOlderSessions"

// RevokedBefore reads an AWSRevokeOlderSessions policy: the time before
// which sessions are denied (DateLessThan aws:TokenIssueTime on a Deny of
// every action), false for any other document.
func RevokedBefore(doc string) (time.Time, bool) {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return time.Time{}, false
	}
	var stmts []struct {
		Effect    string
		Condition map[string]map[string]any
	}
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one struct {
			Effect    string
			Condition map[string]map[string]any
		}
		if json.Unmarshal(p.Statement, &one) != nil {
			return time.Time{}, false
		}
		stmts = append(stmts, one)
	}
	var latest time.Time
	for _, s := range stmts {
		if s.Effect != "Deny" {
			continue
		}
		for op, keys := range s.Condition {
			if op != "DateLessThan" {
				continue
			}
			for k, v := range keys {
				if k != "aws:TokenIssueTime" && k != "aws:tokenissuetime" {
					continue
				}
				str, _ := v.(string)
				if list, ok := v.([]any); ok && len(list) == 1 {
					str, _ = list[0].(string)
				}
				if t, err := time.Parse(time.RFC3339, str); err == nil && t.After(latest) {
					latest = t
				}
			}
		}
	}
	return latest, !latest.IsZero()
}

// detectRevocation reads a successful PutRolePolicy or PutUserPolicy of
// AWSRevokeOlderSessions: the role's or user's sessions issued before its
// time are revoked from then on.
func revocationWhen(_ *Detector, r *audit.Record) bool {
	return r.EventSource == "iam.amazonaws.com" && r.ErrorCode == "" && param(r, "policyName") == RevokePolicyName
}

func detectRevocation(d *Detector, r *audit.Record, at time.Time) {
	var kind, name string
	switch r.EventName {
	case "PutRolePolicy":
		kind, name = "role", param(r, "roleName")
	case "PutUserPolicy":
		kind, name = "user", param(r, "userName")
	default:
		return
	}
	if t, ok := RevokedBefore(param(r, "policyDocument")); ok && name != "" {
		d.Revoke("arn:aws:iam::"+r.RecipientAccountID+":"+kind+"/"+name, t)
	}
}

// detectRevokedUse: UnauthorizedAccess:IAMUser/RevokedSessionUsage for a
// call with temporary credentials issued before their issuer's sessions
// were revoked, whether or not the deny stopped it.
func revokedUseWhen(d *Detector, r *audit.Record) bool {
	_, _, ok := d.revokedIssuer(r)
	return ok
}

// revokedIssuer is the issuer of the session that made r and the time
// before which its sessions are revoked; false when r was not made with a
// session issued before that time. It allocates nothing.
func (d *Detector) revokedIssuer(r *audit.Record) (string, time.Time, bool) {
	sc := r.UserIdentity.SessionContext
	if len(d.revoked) == 0 || sc == nil || sc.Attributes.CreationDate == "" {
		return "", time.Time{}, false
	}
	issuer := ""
	switch {
	case sc.SessionIssuer != nil && sc.SessionIssuer.ARN != "":
		issuer = sc.SessionIssuer.ARN
	case r.UserIdentity.Type == "IAMUser":
		issuer = r.UserIdentity.ARN
	default:
		return "", time.Time{}, false
	}
	d.key = appendIssuerKey(d.key[:0], issuer)
	before, ok := d.revoked[string(d.key)]
	if !ok {
		return "", time.Time{}, false
	}
	issued, err := time.Parse(time.RFC3339, sc.Attributes.CreationDate)
	if err != nil || !issued.Before(before) {
		return "", time.Time{}, false
	}
	return issuer, before, true
}

func detectRevokedUse(d *Detector, r *audit.Record, at time.Time) {
	sc := r.UserIdentity.SessionContext
	issuer, before, _ := d.revokedIssuer(r)
	outcome := "it succeeded"
	if r.ErrorCode != "" {
		outcome = "it was refused (" + r.ErrorCode + ")"
	}
	d.raise(RevokedSessionUsage, callerAccount(r), actor(r)+"\x00"+sc.Attributes.CreationDate, r, at,
		fmt.Sprintf("%s, a session of %s issued at %s, called %s after the sessions issued before %s were revoked; %s.",
			actor(r), issuer, sc.Attributes.CreationDate, r.EventName, before.UTC().Format(time.RFC3339), outcome))
}
