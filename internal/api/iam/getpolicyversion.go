package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type getPolicyVersionResult struct {
	PolicyVersion PolicyVersion `xml:"PolicyVersion"`
}

// GetPolicyVersion returns a version of a managed policy with its document
// URL-encoded, as AWS returns it. The caller needs iam:GetPolicyVersion on
// the policy.
func (s *Service) GetPolicyVersion(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, _, arn, p, err := s.targetPolicy(ctx, c)
	if err != nil {
		return nil, err
	}
	id, err := versionIDParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"policyArn": arn, "versionId": id}
	if err := s.authorizePolicy(ctx, c, "iam:GetPolicyVersion", arn); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, policyNotFound(arn)
	}
	for _, v := range p.Versions {
		if v.ID == id {
			return getPolicyVersionResult{PolicyVersion: PolicyVersion{Document: urlEncode(v.Text), VersionID: v.ID,
				IsDefaultVersion: v.Default, CreateDate: isoTime(v.Created)}}, nil
		}
	}
	return nil, versionNotFound(arn, id)
}

// versionIDParam reads VersionId: v1, v2, ...
func versionIDParam(c *api.Call) (string, error) {
	id, err := required(c, "VersionId")
	if err != nil {
		return "", err
	}
	if !versionIDRE.MatchString(id) {
		return "", validationf("1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", id)
	}
	return id, nil
}

func versionNotFound(arn, id string) error {
	return noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
}
