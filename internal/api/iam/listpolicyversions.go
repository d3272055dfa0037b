package iam

import (
	"context"
	"fmt"

	"github.com/securecart/warden/internal/api"
)

type listPolicyVersionsResult struct {
	Versions []PolicyVersion `xml:"Versions>member"`
	pageInfo
}

// ListPolicyVersions lists the versions of a managed policy, newest first,
// without their documents. The caller needs iam:ListPolicyVersions on the
// policy.
func (s *Service) ListPolicyVersions(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, _, arn, p, err := s.targetPolicy(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"policyArn": arn}
	if err := s.authorizePolicy(ctx, c, "iam:ListPolicyVersions", arn); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, policyNotFound(arn)
	}
	list := make([]PolicyVersion, 0, len(p.Versions))
	for _, v := range p.Versions {
		list = append(list, PolicyVersion{VersionID: v.ID, IsDefaultVersion: v.Default, CreateDate: isoTime(v.Created)})
	}
	page, info, err := paginate(c, list, func(v PolicyVersion) string { return fmt.Sprintf("%012d", 1<<30-versionNumber(v.VersionID)) })
	if err != nil {
		return nil, err
	}
	return listPolicyVersionsResult{Versions: page, pageInfo: info}, nil
}
