package sts

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/securecart/warden/internal/awsproto"
)

// tagsClaim is the claim of an OpenID Connect token that carries session
// tags to AssumeRoleWithWebIdentity ("Passing session tags using
// AssumeRoleWithWebIdentity",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp):
//
//	"https://aws.amazon.com/tags": {
//	    "principal_tags": {"Project": ["Automation"], "CostCenter": ["987654"]},
//	    "transitive_tag_keys": ["Project"]
//	}
const tagsClaim = "https://aws.amazon.com/tags"

// webIdentityTags reads the session tags and transitive tag keys of a
// verified token's tags claim into sp, with the limits of session tags
// (50 tags, keys of 1 to 128 characters, values up to 256, keys unique
// regardless of case, transitive keys among the tags, the packed size).
// Each tag holds exactly one value; members other than principal_tags and
// transitive_tag_keys are refused. A claim that breaks these rules makes the
// token invalid (InvalidIdentityToken), as the tags cannot be read from it.
func webIdentityTags(sp *sessionParams, raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var claim struct {
		PrincipalTags     map[string][]string `json:"principal_tags"`
		TransitiveTagKeys []string            `json:"transitive_tag_keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) || dec.Decode(&claim) != nil {
		return invalidTags("the claim must be an object with principal_tags (each tag key to a list of one string) and transitive_tag_keys (a list of tag keys)")
	}
	if len(claim.PrincipalTags) > maxTags {
		return invalidTags("principal_tags has %d tags; a session has at most %d", len(claim.PrincipalTags), maxTags)
	}
	keys := make([]string, 0, len(claim.PrincipalTags))
	for k := range claim.PrincipalTags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := claim.PrincipalTags[k]
		if len(vals) != 1 {
			return invalidTags("principal_tags.%s has %d values; a session tag has exactly one", k, len(vals))
		}
		if err := sp.addTag(k, vals[0]); err != nil {
			return invalidTags("principal_tags.%s: %s", k, err)
		}
	}
	for i, k := range claim.TransitiveTagKeys {
		if _, ok := sp.tags[k]; !ok {
			return invalidTags("transitive_tag_keys[%d]: %q is not a key of principal_tags", i, k)
		}
	}
	sp.transitive = claim.TransitiveTagKeys
	return sp.pack()
}

func invalidTags(format string, args ...any) error {
	return awsproto.Errorf("InvalidIdentityToken", "Invalid "+tagsClaim+" claim: "+format, args...)
}
