package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

type createOUInput struct {
	ParentID *string `json:"ParentId"`
	Name     *string `json:"Name"`
	Tags     []Tag   `json:"Tags"`
}

type createOUResult struct {
	OrganizationalUnit OrganizationalUnit `json:"OrganizationalUnit"`
}

// CreateOrganizationalUnit creates an OU in a root or OU, at most five
// levels deep, with FullAWSAccess attached while SCPs are enabled. OU names
// are unique within their parent in AWS; Warden's organization format names
// OUs and accounts uniquely across the organization, so it refuses any name
// already in use.
func (s *Service) CreateOrganizationalUnit(ctx context.Context, c *api.Call) (any, error) {
	var in createOUInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("parentId", in.ParentID, "name", in.Name)
	parent, err := parentID("ParentId", in.ParentID)
	if err != nil {
		return nil, err
	}
	name, err := required("Name", in.Name, nil)
	if err != nil {
		return nil, err
	}
	if err := length("Name", name, 1, maxNameOU); err != nil {
		return nil, err
	}
	if err := storable("Name", name); err != nil {
		return nil, err
	}
	if err := noTags("OUs", in.Tags); err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.containerARN(parent)}, nil, false); err != nil {
		return nil, err
	}
	var id string
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		p, ok := v.container(parent)
		if !ok {
			return parentNotFound(parent)
		}
		if depth(p)+1 > org.MaxOUDepth {
			return constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep: OUs nest at most %d levels under the root.", org.MaxOUDepth)
		}
		if len(v.o.OUs) >= maxOUs {
			return constraint("OU_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of OUs that you can have in an organization (%d).", maxOUs)
		}
		if err := nameFree(v, p, name); err != nil {
			return err
		}
		for id == "" || idTaken(v, id) {
			id = newOUID(v.o.RootID)
		}
		parentName := org.RootName
		if p != v.o.Root {
			parentName = p.Name
		}
		d.Org.OUs = append(d.Org.OUs, &org.OUDef{Name: name, ID: id, Parent: parentName})
		ensureFullAWSAccess(d.Org, v, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ou := OrganizationalUnit{ID: id, Arn: a.ouARN(id), Name: name}
	c.ResponseElements = struct {
		OU OrganizationalUnit `json:"organizationalUnit"`
	}{ou}
	c.Resources = []api.Resource{{ARN: ou.Arn, Type: "AWS::Organizations::OrganizationalUnit", Account: a.mgmt()}}
	return createOUResult{OrganizationalUnit: ou}, nil
}

// nameFree checks that a new OU's name is free: not a sibling's (AWS's
// rule), nor, in Warden, any OU's or account's, nor the root's.
func nameFree(v view, parent *org.OU, name string) error {
	for _, ch := range parent.Children {
		if ch.Name == name {
			return awsproto.Errorf("DuplicateOrganizationalUnitException", "An OU with the same name already exists: %s.", name)
		}
	}
	if name == "*" {
		return invalidInput("INVALID_PATTERN", "An OU cannot be named *: Warden's organization format reads it as every account.")
	}
	if _, taken := v.o.OUByName(name); taken {
		return awsproto.Errorf("DuplicateOrganizationalUnitException", "An OU named %s already exists in the organization: Warden's organization format names OUs uniquely across the organization.", name)
	}
	if _, taken := v.o.AccountByName(name); taken {
		return awsproto.Errorf("DuplicateOrganizationalUnitException", "An account is named %s: Warden's organization format names OUs and accounts uniquely across the organization.", name)
	}
	return nil
}

// idTaken reports whether an OU ID is in use.
func idTaken(v view, id string) bool {
	_, ok := v.container(id)
	return ok
}
