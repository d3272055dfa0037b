package iam

import (
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// createParams are what CreateRole and CreatePolicy begin with: a name, a
// path, a document and a description, and the trail's requestParameters of
// them.
type createParams struct {
	name, path, doc, desc string
	req                   call.Fields
}

// readCreate reads the name nameParam (at most max characters), Path, the
// document docParam (checked as a policy of type t) and Description.
func readCreate(c *api.Call, nameParam string, max int, docParam string, t policy.Type) (createParams, error) {
	var cp createParams
	var err error
	if cp.name, err = requiredName(c, nameParam, max); err != nil {
		return cp, err
	}
	if cp.path, err = optionalPath(c); err != nil {
		return cp, err
	}
	cp.doc = c.Params.Get(docParam)
	if err := checkDocument(lowerFirst(docParam), cp.doc, t); err != nil {
		return cp, err
	}
	desc, hasDesc, err := description(c)
	if err != nil {
		return cp, err
	}
	cp.desc = desc
	cp.req = call.Fields{lowerFirst(nameParam): cp.name, "path": cp.path, lowerFirst(docParam): cp.doc}
	if hasDesc {
		cp.req["description"] = desc
	}
	return cp, nil
}

// newEntity is what CreateRole and CreateUser read alike: the new entity's
// permissions boundary (an ARN, "" for none) and tags.
type newEntity struct {
	boundary string
	tags     []Tag
}

// readNewEntity reads PermissionsBoundary and Tags.
func readNewEntity(c *api.Call) (newEntity, error) {
	var n newEntity
	if c.Params.Has("PermissionsBoundary") {
		b, err := policyARNParam(c, "PermissionsBoundary")
		if err != nil {
			return n, err
		}
		n.boundary = b
	}
	tags, err := tagParams(c)
	n.tags = tags
	return n, err
}

// record adds the boundary and tags to the trail's requestParameters.
func (n newEntity) record(req call.Fields) call.Fields {
	if n.boundary != "" {
		req["permissionsBoundary"] = n.boundary
	}
	if len(n.tags) > 0 {
		req["tags"] = n.tags
	}
	return req
}

// context returns the condition keys of the creation: the request's tags
// and iam:PermissionsBoundary.
func (n newEntity) context() map[string][]string {
	extra := tagContext(n.tags, nil)
	if n.boundary != "" {
		extra["iam:PermissionsBoundary"] = []string{n.boundary}
	}
	return extra
}

// apply gives the new entity's definition its boundary, as the format
// references it in the account, and its tags.
func (n newEntity) apply(m *model, acctID string, e *org.Entity) error {
	if n.boundary != "" {
		ref, ok := m.resolvePolicy(acctID, n.boundary)
		if !ok {
			return boundaryNotFound(n.boundary)
		}
		e.PermissionsBoundary = ref
	}
	e.SetTags(tagMap(n.tags))
	return nil
}

// accountName returns the name of the caller's account in the document;
// AccessDenied for an account the organization does not have.
func (m *model) accountName(acctID string) (string, error) {
	name := m.AccountName(acctID)
	if name == "" {
		return "", awsproto.Errorf("AccessDenied", "Account %s is not an account of this organization.", acctID)
	}
	return name, nil
}
