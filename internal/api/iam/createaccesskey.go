package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

type createAccessKeyResult struct {
	AccessKey AccessKey `xml:"AccessKey"`
}

// CreateAccessKey creates a long-term access key (AKIA...) for an IAM user,
// or, without UserName, for the caller: its own user, or its account's root
// user. The secret is returned once and stored sealed. A user has at most
// two keys (LimitExceeded). The caller needs iam:CreateAccessKey on the user;
// the SecureCart guardrails deny it outside the management account.
func (s *Service) CreateAccessKey(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	if t.name != "" {
		c.RequestParameters = map[string]string{"userName": t.name}
	}
	if err := s.Authz.Authorize(ctx, c, "iam:CreateAccessKey", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	keys, err := s.Store.AccessKeys(ctx, t.owner())
	if err != nil {
		return nil, err
	}
	if len(keys) >= maxKeysPerUser {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
	}
	acct := c.Identity.Account
	var id, secret string
	for attempt := 0; ; attempt++ {
		id, secret = creds.NewAccessKeyID(creds.PrefixLongTerm, acct), creds.NewSecret()
		k := store.AccessKey{ID: id, Owner: t.owner(), Account: acct, Status: "Active", Created: c.Now.UTC(),
			SealedSecret: s.Master.Seal([]byte(secret), []byte("access-key:"+id))}
		err = s.Store.PutAccessKey(ctx, k)
		if err == nil {
			break
		}
		if attempt < 3 && isExists(err) {
			continue // an ID collision: draw another
		}
		return nil, err
	}
	res := createAccessKeyResult{AccessKey: AccessKey{UserName: t.name, AccessKeyID: id, Status: "Active",
		SecretAccessKey: secret, CreateDate: isoTime(c.Now)}}
	c.ResponseElements = call.Fields{"accessKey": res.AccessKey}
	c.Resources = []api.Resource{{ARN: t.arn, Type: "AWS::IAM::User", Account: acct}, {ARN: id, Type: "AWS::IAM::AccessKey", Account: acct}}
	return res, nil
}
