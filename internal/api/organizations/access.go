package organizations

import (
	"context"
	"errors"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// access is the caller's standing for one call: the org it reads, and the
// checks every operation makes.
type access struct {
	s *Service
	c *api.Call
	view
}

// begin loads the org and checks that the caller's account is in it.
func (s *Service) begin(ctx context.Context, c *api.Call) (*access, error) {
	if c.Identity == nil {
		return nil, awsproto.Errorf("MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	o, err := s.State.Org(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := o.AccountByID(c.Identity.Account); !ok || o.Management == nil {
		return nil, errNotInUse()
	}
	return &access{s: s, c: c, view: view{o}}, nil
}

// again reloads the org as stored now, for a lookup that missed in the
// cached copy (another replica may have just made the entity), and reports
// whether there is anything new to look in.
func (a *access) again(ctx context.Context) bool {
	o, err := a.s.State.Fresh(ctx)
	if err != nil || o == a.o {
		return false
	}
	a.view = view{o}
	return true
}

// allow authorizes the call's action on each resource with the engine, then
// requires the management account unless anyAccount.
func (a *access) allow(ctx context.Context, resources []string, extra map[string][]string, anyAccount bool) error {
	action := "organizations:" + a.c.Action
	for _, r := range resources {
		if err := a.authorize(ctx, action, r, extra); err != nil {
			return err
		}
	}
	if !anyAccount && a.c.Identity.Account != a.mgmt() {
		return errNotManagement()
	}
	return nil
}

// authorize decides one action on one resource. The engine's AccessDenied is
// Organizations' AccessDeniedException.
func (a *access) authorize(ctx context.Context, action, resource string, extra map[string][]string) error {
	var err error
	if strings.HasPrefix(resource, awsOwnedPrefix) {
		err = a.authorizeAWSOwned(ctx, action, resource, extra)
	} else {
		err = a.s.Authz.Authorize(ctx, a.c, action, resource, extra)
	}
	var ae *awsproto.Error
	if errors.As(err, &ae) && ae.Code == "AccessDenied" {
		return awsproto.Errorf("AccessDeniedException", "%s", ae.Message)
	}
	return err
}

// awsOwnedPrefix starts the ARNs of AWS managed organization policies,
// whose account is "aws".
const awsOwnedPrefix = "arn:aws:organizations::aws:"

// authorizeAWSOwned decides an action on an AWS managed policy. Its ARN's
// account is "aws", which the engine would take for another account whose
// resource policy must allow the call; AWS decides these calls on the
// caller's own policies (and SCPs), as for a resource of its own account.
// api.Authorizer.AuthorizeOwn decides with the resource account set to the
// caller's.
func (a *access) authorizeAWSOwned(ctx context.Context, action, resource string, extra map[string][]string) error {
	return a.s.Authz.AuthorizeOwn(ctx, a.c, action, resource, extra)
}

// policyContext is the organizations:PolicyType key of policy operations.
func policyContext(t string) map[string][]string {
	if t == "" {
		return nil
	}
	return map[string][]string{"organizations:PolicyType": {t}}
}

// mutate changes the stored document. fn sees the document and the org it
// loads into, and must check what it relies on against them: Mutate may run
// it again on a newer document.
func (s *Service) mutate(ctx context.Context, fn func(d *state.Doc, v view) error) (*org.Org, error) {
	return s.State.Mutate(ctx, func(d *state.Doc) error {
		o, err := state.Build(d)
		if err != nil {
			return err
		}
		return fn(d, view{o})
	})
}

// doc returns the stored document, for what the loaded org does not keep
// (policy documents as written, creation times).
func (s *Service) doc(ctx context.Context) (*state.Doc, error) { return s.State.Doc(ctx) }
