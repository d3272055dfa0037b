package access

import (
	"context"
	"log/slog"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

// Run sweeps every SweepInterval until ctx ends (a service's Background
// task, on every replica): grants whose time came end, and each ending is
// recorded in the trail as ExpireAccessGrant.
func (m *Manager) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(SweepInterval)
	defer t.Stop()
	for {
		ended, err := m.Sweep(ctx)
		if err != nil && ctx.Err() == nil && log != nil {
			log.Warn("temporary access: sweep", "err", err)
		}
		for _, r := range ended {
			if err := m.Record(ctx, "ExpireAccessGrant", r, "", nil); err != nil && log != nil {
				log.Warn("temporary access: recording an expiry", "request", r.ID, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Record writes one step that no API call carries to the trail: an expiry
// (by Warden) or an operator's revocation (by warden access on the store).
func (m *Manager) Record(ctx context.Context, action string, r *Request, operator string, params call.Fields) error {
	if m.Audit == nil {
		return nil
	}
	o, err := m.State.Org(ctx)
	if err != nil {
		return err
	}
	c := &call.Call{Service: "access", Action: action, Now: m.Clock().UTC(), RequestID: newID()[3:],
		SourceIP: EventSource, UserAgent: EventSource, RequestParameters: params,
		ResponseElements: call.Fields{"accessRequest": r}}
	if operator != "" {
		c.SourceIP, c.UserAgent, c.Operator = "127.0.0.1", "warden access (operator "+operator+")", operator
	} else {
		// Warden's own step (an expiry): a service event of the access
		// service, by no caller, with no request nor response, the step in
		// serviceEventDetails (AWS service events,
		// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/non-api-aws-service-events.html).
		c.InvokedBy, c.EventType = EventSource, "AwsServiceEvent"
		c.ServiceEventDetails = call.Fields{"requestId": r.ID, "accessRequest": r}
		c.RequestParameters, c.ResponseElements = nil, nil
	}
	if c.RequestParameters == nil && c.InvokedBy == "" {
		c.RequestParameters = call.Fields{"requestId": r.ID}
	}
	c.Resources = Resources(o, r)
	acct := ""
	if o.Management != nil {
		acct = o.Management.ID
	}
	c.RecipientAccount = acct
	return m.Audit.Record(ctx, &call.Event{Call: c, EventSource: EventSource, RecipientAccount: acct})
}

// Resources are the trail's resources of a request: the permission set's
// role in the account.
func Resources(o *org.Org, r *Request) []call.Resource {
	if o.IdentityCenter == nil {
		return nil
	}
	for _, ps := range o.IdentityCenter.PermissionSets {
		if ps.Name == r.PermissionSet {
			return []call.Resource{{ARN: "arn:aws:iam::" + r.AccountID + ":role" + org.SSORolePath + ps.RoleName, Type: "AWS::IAM::Role", Account: r.AccountID}}
		}
	}
	return nil
}
