package state

import (
	"io/fs"

	"github.com/securecart/warden/internal/org"
)

// ResourcePolicies returns each declared resource's policy as written in
// the spec, by ARN.
func ResourcePolicies(s *org.Spec) map[string]string {
	out := make(map[string]string, len(s.Resources))
	for _, r := range s.Resources {
		out[r.ARN] = string(r.Policy)
	}
	return out
}

// Written returns whether a resource's policy is being written: new in
// after, or changed from before. S3 Block Public Access's
// BlockPublicPolicy refuses a public policy only when it is written
// (org.Org.RefusedPublicPolicies); Mutate and Seed check it on every
// change of the state.
func Written(before, after map[string]string) func(arn string) bool {
	return func(arn string) bool {
		prev, ok := before[arn]
		return !ok || prev != after[arn]
	}
}

// CheckFilePolicies refuses, at their positions in the org files
// fsys/name, the public S3 policies that BlockPublicPolicy refuses among
// those doc (the files' document) writes over a state whose policies were
// before (nil for a new store).
func CheckFilePolicies(fsys fs.FS, name string, before map[string]string, doc *Doc) error {
	o, err := org.LoadFSWith(fsys, name, org.Options{AllowDetached: true})
	if err != nil {
		return err
	}
	return o.RefusedPublicPolicies(Written(before, ResourcePolicies(doc.Org)))
}
