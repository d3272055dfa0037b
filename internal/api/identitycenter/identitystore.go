package identitycenter

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

// The identity store: users, groups and memberships of Identity Center's
// directory, by their IDs (org.SSOUser.ID, org.SSOGroup.ID: stored, or
// derived from the first name; a rename keeps them).

// MembershipID is the ID of a user's membership of a group.
func MembershipID(storeID, groupID, userID string) string {
	h := hashID(32, "identitystore", storeID, "membership", groupID, userID)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// storeCaller begins an identitystore call on the store the input names.
func (s *Service) storeCaller(ctx context.Context, c *api.Call, storeID string) (*caller, error) {
	cl, err := s.begin(ctx, c, "identitystore", func(o *org.Org) string {
		acct := ""
		if o.Management != nil {
			acct = o.Management.ID
		}
		id := ""
		if o.IdentityCenter != nil {
			id = o.IdentityCenter.IdentityStoreID
		}
		return "arn:aws:identitystore::" + acct + ":identitystore/" + id
	})
	if err != nil {
		return nil, err
	}
	if storeID == "" {
		return nil, validation("1 validation error detected: Value null at 'identityStoreId' failed to satisfy constraint: Member must not be null")
	}
	if storeID != cl.ic.IdentityStoreID {
		return nil, notFound("IDENTITY_STORE", storeID)
	}
	return cl, nil
}

func (cl *caller) userByID(id string) *org.SSOUser {
	for _, u := range cl.ic.Users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (cl *caller) groupByID(id string) *org.SSOGroup {
	for _, g := range cl.ic.Groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

type memberID struct {
	UserID string `json:"UserId"`
}

type membership struct {
	IdentityStoreID string   `json:"IdentityStoreId"`
	MembershipID    string   `json:"MembershipId"`
	GroupID         string   `json:"GroupId"`
	MemberID        memberID `json:"MemberId"`
}

func (cl *caller) membership(g *org.SSOGroup, u *org.SSOUser) membership {
	st := cl.ic.IdentityStoreID
	gid, uid := g.ID, u.ID
	return membership{IdentityStoreID: st, MembershipID: MembershipID(st, gid, uid), GroupID: gid, MemberID: memberID{UserID: uid}}
}

type storeInput struct {
	IdentityStoreID string  `json:"IdentityStoreId"`
	UserID          string  `json:"UserId"`
	GroupID         string  `json:"GroupId"`
	MembershipID    string  `json:"MembershipId"`
	UserName        *string `json:"UserName"`
	DisplayName     *string `json:"DisplayName"`
	Description     *string `json:"Description"`
	MemberID        *struct {
		UserID string `json:"UserId"`
	} `json:"MemberId"`
	GroupIDs            []string `json:"GroupIds"`
	MaxResults          *int     `json:"MaxResults"`
	NextToken           string   `json:"NextToken"`
	Filters             []struct{ AttributePath, AttributeValue string }
	AlternateIdentifier *struct {
		UniqueAttribute *struct {
			AttributePath  string
			AttributeValue any
		}
		ExternalID *struct{ Issuer, Id string } `json:"ExternalId"`
	}
	Operations []attributeOp
	// attrs are CreateUser's attributes beyond UserName and DisplayName.
	attrs org.UserAttributes
}

func (s *Service) input(ctx context.Context, c *api.Call) (storeInput, *caller, error) {
	var in storeInput
	if err := decode(c, &in); err != nil {
		return in, nil, err
	}
	if c.Action == "CreateUser" {
		a, err := userAttributes(c.Body)
		if err != nil {
			return in, nil, err
		}
		in.attrs = a
	}
	c.RequestParameters = call.Fields{"identityStoreId": in.IdentityStoreID}
	cl, err := s.storeCaller(ctx, c, in.IdentityStoreID)
	return in, cl, err
}

// page cuts items into pages of MaxResults (1 to 100, default 100).
func page[T any](in storeInput, items []T) ([]T, string, error) {
	max := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return nil, "", validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100", *in.MaxResults)
		}
		max = *in.MaxResults
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", validation("The NextToken is invalid.")
		}
		start = n
	}
	end := min(len(items), start+max)
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// filter reads the one filter the list operations accept.
func filter(in storeInput, path string) (*string, error) {
	switch len(in.Filters) {
	case 0:
		return nil, nil
	case 1:
		if in.Filters[0].AttributePath != path {
			return nil, validation("Invalid filter attribute path %q: want %s.", in.Filters[0].AttributePath, path)
		}
		return &in.Filters[0].AttributeValue, nil
	}
	return nil, validation("1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 1")
}

// listed answers a list operation: one page of items under key, and the
// next token when there are more.
func listed[T any](in storeInput, key string, items []T) (any, error) {
	list, next, err := page(in, items)
	if err != nil {
		return nil, err
	}
	return call.Fields{key: nonNil(list), "NextToken": omitEmpty(next)}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func omitEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// alternate reads GetUserId's and GetGroupId's AlternateIdentifier: a
// unique attribute (its path, among paths, and its string value), or an
// external ID.
func alternate(in storeInput, paths ...string) (path, value string, ext *org.ExternalIDDef, err error) {
	ai := in.AlternateIdentifier
	switch {
	case ai == nil || (ai.UniqueAttribute == nil && ai.ExternalID == nil):
		return "", "", nil, validation("1 validation error detected: Value null at 'alternateIdentifier' failed to satisfy constraint: Member must not be null")
	case ai.UniqueAttribute != nil && ai.ExternalID != nil:
		return "", "", nil, validation("AlternateIdentifier is a union: give ExternalId or UniqueAttribute, not both.")
	case ai.ExternalID != nil:
		x := org.ExternalIDDef{Issuer: ai.ExternalID.Issuer, ID: ai.ExternalID.Id}
		if err := org.CheckExternalIDs([]org.ExternalIDDef{x}); err != nil {
			return "", "", nil, validation("AlternateIdentifier.ExternalId: %s", strings.TrimPrefix(err.Error(), org.ErrInvalidValue.Error()+": externalIds."))
		}
		return "", "", &x, nil
	}
	for _, p := range paths {
		if strings.EqualFold(ai.UniqueAttribute.AttributePath, p) {
			path = p
		}
	}
	if path == "" {
		return "", "", nil, validation("Invalid attribute path %q: the unique attributes are %s.", ai.UniqueAttribute.AttributePath, strings.Join(paths, " and "))
	}
	v, ok := ai.UniqueAttribute.AttributeValue.(string)
	if !ok || v == "" {
		return "", "", nil, validation("The attribute value of %s must be a non-empty string.", path)
	}
	return path, v, nil, nil
}

func (cl *caller) memberOf(u *org.SSOUser, g *org.SSOGroup) bool {
	return slices.Contains(u.Groups, g)
}

// memberIDs reads the group and the member of a membership call.
func (cl *caller) groupAndMember(in storeInput) (*org.SSOGroup, *org.SSOUser, error) {
	g := cl.groupByID(in.GroupID)
	if g == nil {
		return nil, nil, notFound("GROUP", in.GroupID)
	}
	if in.MemberID == nil || in.MemberID.UserID == "" {
		return nil, nil, validation("1 validation error detected: Value null at 'memberId' failed to satisfy constraint: Member must not be null")
	}
	u := cl.userByID(in.MemberID.UserID)
	if u == nil {
		return nil, nil, notFound("USER", in.MemberID.UserID)
	}
	return g, u, nil
}

// CreateGroupMembership makes a user a member of a group.
func (s *Service) CreateGroupMembership(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.input(ctx, c)
	if err != nil {
		return nil, err
	}
	g, u, err := cl.groupAndMember(in)
	if err != nil {
		return nil, err
	}
	err = cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error {
		return editErr(ic.AddMember(u.UserName, g.Name))
	})
	if err != nil {
		return nil, err
	}
	m := cl.membership(g, u)
	c.ResponseElements = call.Fields{"membershipId": m.MembershipID, "identityStoreId": m.IdentityStoreID}
	return map[string]string{"MembershipId": m.MembershipID, "IdentityStoreId": m.IdentityStoreID}, nil
}

// membershipByID finds a membership.
func (cl *caller) membershipByID(id string) (*org.SSOGroup, *org.SSOUser) {
	for _, u := range cl.ic.Users {
		for _, g := range u.Groups {
			if cl.membership(g, u).MembershipID == id {
				return g, u
			}
		}
	}
	return nil, nil
}

// DescribeGroupMembership returns a membership.
func (s *Service) DescribeGroupMembership(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.input(ctx, c)
	if err != nil {
		return nil, err
	}
	g, u := cl.membershipByID(in.MembershipID)
	if g == nil {
		return nil, notFound("GROUP_MEMBERSHIP", in.MembershipID)
	}
	return cl.membership(g, u), nil
}

// DeleteGroupMembership ends a membership.
func (s *Service) DeleteGroupMembership(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.input(ctx, c)
	if err != nil {
		return nil, err
	}
	g, u := cl.membershipByID(in.MembershipID)
	if g == nil {
		return nil, notFound("GROUP_MEMBERSHIP", in.MembershipID)
	}
	return nil, cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error {
		if !ic.RemoveMember(u.UserName, g.Name) {
			return notFound("GROUP_MEMBERSHIP", in.MembershipID)
		}
		return nil
	})
}

// GetGroupMembershipId finds the membership of a user in a group.
func (s *Service) GetGroupMembershipId(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.input(ctx, c)
	if err != nil {
		return nil, err
	}
	g, u, err := cl.groupAndMember(in)
	if err != nil {
		return nil, err
	}
	if !cl.memberOf(u, g) {
		return nil, notFound("GROUP_MEMBERSHIP", in.GroupID+"/"+in.MemberID.UserID)
	}
	m := cl.membership(g, u)
	return map[string]string{"MembershipId": m.MembershipID, "IdentityStoreId": m.IdentityStoreID}, nil
}

// ListGroupMemberships lists a group's memberships.
func (s *Service) ListGroupMemberships(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.input(ctx, c)
	if err != nil {
		return nil, err
	}
	g := cl.groupByID(in.GroupID)
	if g == nil {
		return nil, notFound("GROUP", in.GroupID)
	}
	var out []membership
	for _, u := range cl.ic.Users {
		if cl.memberOf(u, g) {
			out = append(out, cl.membership(g, u))
		}
	}
	return listed(in, "GroupMemberships", out)
}

// ListGroupMembershipsForMember lists a user's memberships.
func (s *Service) ListGroupMembershipsForMember(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.input(ctx, c)
	if err != nil {
		return nil, err
	}
	if in.MemberID == nil {
		return nil, validation("1 validation error detected: Value null at 'memberId' failed to satisfy constraint: Member must not be null")
	}
	u := cl.userByID(in.MemberID.UserID)
	if u == nil {
		return nil, notFound("USER", in.MemberID.UserID)
	}
	var out []membership
	for _, g := range u.Groups {
		out = append(out, cl.membership(g, u))
	}
	return listed(in, "GroupMemberships", out)
}

// IsMemberInGroups tells, for each group, whether the user is a member.
func (s *Service) IsMemberInGroups(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.input(ctx, c)
	if err != nil {
		return nil, err
	}
	if in.MemberID == nil || len(in.GroupIDs) == 0 || len(in.GroupIDs) > 100 {
		return nil, validation("MemberId and 1 to 100 GroupIds are required.")
	}
	u := cl.userByID(in.MemberID.UserID)
	if u == nil {
		return nil, notFound("USER", in.MemberID.UserID)
	}
	type result struct {
		GroupID          string   `json:"GroupId"`
		MemberID         memberID `json:"MemberId"`
		MembershipExists bool     `json:"MembershipExists"`
	}
	var out []result
	for _, gid := range in.GroupIDs {
		g := cl.groupByID(gid)
		if g == nil {
			return nil, notFound("GROUP", gid)
		}
		out = append(out, result{GroupID: gid, MemberID: memberID{UserID: in.MemberID.UserID}, MembershipExists: cl.memberOf(u, g)})
	}
	return call.Fields{"Results": out}, nil
}
