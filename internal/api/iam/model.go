package iam

import (
	"sort"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// model is the stored document as the IAM actions see it: the org spec,
// read and changed through its methods (its values are the document's own:
// changing them changes the document), and the metadata beside it.
type model struct {
	*org.Spec
	d *state.Doc
}

func newModel(d *state.Doc) *model {
	if d.Org == nil {
		d.Org = &org.Spec{}
	}
	return &model{Spec: d.Org, d: d}
}

// docText returns a document's text as IAM shows it: as given, or a
// mapping written as JSON indented by four spaces, placeholders replaced.
func (m *model) docText(doc org.PolicyDoc) string { return m.Text(doc, "    ") }

func roleARN(acctID, path, name string) string {
	return "arn:aws:iam::" + acctID + ":role" + path + name
}

func userARN(acctID, path, name string) string {
	return "arn:aws:iam::" + acctID + ":user" + path + name
}

// tagList returns tags sorted by key.
func tagList(tags map[string]string) []Tag {
	out := make([]Tag, 0, len(tags))
	for k, v := range tags {
		out = append(out, Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// tagMap returns tags as a map.
func tagMap(tags []Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[t.Key] = t.Value
	}
	return out
}
