package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

// groupIn is a SCIM Group as a client sends it.
type groupIn struct {
	Schemas     []string `json:"schemas"`
	ExternalID  *string  `json:"externalId"`
	DisplayName string   `json:"displayName"`
	Members     []struct {
		Value string `json:"value"`
	} `json:"members"`
}

// apply writes the SCIM group onto a directory group (PUT semantics): its
// name, externalId and members, who are exactly the users listed.
func (in *groupIn) apply(ic *org.IdentityCenterDef, g *org.SSOGroupDef) error {
	if in.DisplayName == "" {
		return invalidValue("displayName is required.")
	}
	if g.Name == "" {
		g.Name = in.DisplayName
	} else if g.Name != in.DisplayName {
		if err := ic.RenameGroup(g, in.DisplayName); err != nil {
			return editErr(err)
		}
	}
	g.ExternalIDs = slicesWithout(g.ExternalIDs, ExternalIDIssuer)
	if in.ExternalID != nil && *in.ExternalID != "" {
		g.ExternalIDs = append(g.ExternalIDs, org.ExternalIDDef{Issuer: ExternalIDIssuer, ID: *in.ExternalID})
	}
	return nil
}

// setMembers makes the listed users (by ID) a group's only members.
func (in *groupIn) setMembers(ic *org.IdentityCenterDef, g *org.SSOGroupDef) error {
	want := map[*org.SSOUserDef]bool{}
	for i, m := range in.Members {
		u := ic.UserByID(m.Value)
		if u == nil {
			return invalidValue("members[%d]: no user has the ID %q.", i, m.Value)
		}
		want[u] = true
	}
	for _, u := range ic.Users {
		in := slices.ContainsFunc(u.Groups, func(x string) bool { return strings.EqualFold(x, g.Name) })
		switch {
		case want[u] && !in:
			if err := ic.AddMember(u.UserName, g.Name); err != nil {
				return editErr(err)
			}
		case !want[u] && in:
			ic.RemoveMember(u.UserName, g.Name)
		}
	}
	return nil
}

// groupView is a directory group as a SCIM Group, with its members.
func (rq *request) groupView(id, name string, ext []org.ExternalIDDef, members []map[string]any) map[string]any {
	out := map[string]any{"schemas": []string{GroupSchema}, "id": id, "displayName": name,
		"meta": map[string]any{"resourceType": "Group", "location": rq.h.Base + "/Groups/" + id}}
	if x := externalID(ext); x != "" {
		out["externalId"] = x
	}
	if members == nil {
		members = []map[string]any{}
	}
	if !excluded(rq.r.URL.Query().Get("excludedAttributes"), "members") {
		out["members"] = members
	}
	return out
}

// excluded reports whether an excludedAttributes list names attr.
func excluded(list, attr string) bool {
	for _, a := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(a), attr) {
			return true
		}
	}
	return false
}

// groupOut is a built group as a SCIM Group.
func (rq *request) groupOut(g *org.SSOGroup) map[string]any {
	var members []map[string]any
	for _, u := range rq.o.IdentityCenter.Users {
		if slices.Contains(u.Groups, g) {
			members = append(members, map[string]any{"value": u.ID, "display": u.UserName, "type": "User"})
		}
	}
	return rq.groupView(g.ID, g.Name, g.ExternalIDs, members)
}

// groupDefOut is a group of the spec as a SCIM Group (for PATCH).
func (rq *request) groupDefOut(ic *org.IdentityCenterDef, g *org.SSOGroupDef) map[string]any {
	var members []map[string]any
	for _, u := range ic.Users {
		if slices.ContainsFunc(u.Groups, func(x string) bool { return strings.EqualFold(x, g.Name) }) {
			members = append(members, map[string]any{"value": ic.UserID(u)})
		}
	}
	out := rq.groupView(ic.GroupID(g), g.Name, g.ExternalIDs, nil)
	out["members"] = asAny(members)
	return out
}

func (rq *request) groupByID(id string) *org.SSOGroup {
	for _, g := range rq.o.IdentityCenter.Groups {
		if strings.EqualFold(g.ID, id) {
			return g
		}
	}
	return nil
}

// groups serves /Groups and /Groups/{id}.
func (rq *request) groups(ctx context.Context, id string) (any, error) {
	switch rq.r.Method {
	case http.MethodGet:
		if id == "" {
			return rq.list(groupAttrs, rq.groupEntries())
		}
		rq.c.ReadOnly = true
		g := rq.groupByID(id)
		if g == nil {
			return nil, notFound("Group", id)
		}
		return rq.groupOut(g), nil
	case http.MethodPost:
		var in groupIn
		if err := rq.decodeBody(&in); err != nil {
			return nil, err
		}
		newID := org.NewSSOID()
		err := rq.mutate(ctx, func(ic *org.IdentityCenterDef) error {
			g := &org.SSOGroupDef{ID: newID}
			if err := in.apply(ic, g); err != nil {
				return err
			}
			if err := ic.AddGroup(g); err != nil {
				return err
			}
			return in.setMembers(ic, g)
		})
		if err != nil {
			return nil, err
		}
		rq.status = http.StatusCreated
		rq.c.ResponseElements = call.Fields{"id": newID}
		return rq.groupOut(rq.groupByID(newID)), nil
	case http.MethodPut, http.MethodPatch:
		if rq.groupByID(id) == nil {
			return nil, notFound("Group", id)
		}
		var in groupIn
		if rq.r.Method == http.MethodPut {
			if err := rq.decodeBody(&in); err != nil {
				return nil, err
			}
		}
		err := rq.mutate(ctx, func(ic *org.IdentityCenterDef) error {
			g := ic.GroupByID(id)
			if g == nil {
				return notFound("Group", id)
			}
			if rq.r.Method == http.MethodPatch {
				ops, err := rq.readPatch()
				if err != nil {
					return err
				}
				cur := rq.groupDefOut(ic, g)
				if err := patch(cur, ops, GroupSchema); err != nil {
					return err
				}
				b, _ := json.Marshal(cur)
				in = groupIn{}
				if err := json.Unmarshal(b, &in); err != nil {
					return invalidValue("The patched group is not valid: %v", err)
				}
			}
			if err := in.apply(ic, g); err != nil {
				return err
			}
			if err := in.setMembers(ic, g); err != nil {
				return err
			}
			return ic.CheckGroup(g)
		})
		if err != nil {
			return nil, err
		}
		if rq.r.Method == http.MethodPatch {
			// AWS answers a group's PATCH with 204 and no body.
			rq.status = http.StatusNoContent
			return nil, nil
		}
		return rq.groupOut(rq.groupByID(id)), nil
	case http.MethodDelete:
		if rq.groupByID(id) == nil {
			return nil, notFound("Group", id)
		}
		rq.status = http.StatusNoContent
		return nil, rq.mutate(ctx, func(ic *org.IdentityCenterDef) error {
			g := ic.GroupByID(id)
			if g == nil || !ic.RemoveGroup(g.Name) {
				return notFound("Group", id)
			}
			return nil
		})
	}
	return nil, errf(http.StatusMethodNotAllowed, "", "%s is not supported on /Groups.", rq.r.Method)
}

// groupEntries are the groups for listing and filtering.
func (rq *request) groupEntries() []entry {
	var out []entry
	for _, g := range rq.o.IdentityCenter.Groups {
		out = append(out, entry{out: func() map[string]any { return rq.groupOut(g) }, value: func(attr string) []string {
			switch attr {
			case "id":
				return []string{g.ID}
			case "displayname":
				return []string{g.Name}
			case "externalid":
				return []string{externalID(g.ExternalIDs)}
			case "members":
				var v []string
				for _, u := range rq.o.IdentityCenter.Users {
					if slices.Contains(u.Groups, g) {
						v = append(v, u.ID)
					}
				}
				return v
			}
			return nil
		}})
	}
	return out
}
