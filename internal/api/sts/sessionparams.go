package sts

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/policy"
)

// Limits of the STS API reference.
const (
	maxSessionPolicy = 2048 // plaintext characters of inline and managed session policies
	maxPolicyARNs    = 10
	maxTags          = 50
	// packedBudget is the packed (compressed) space that session policies
	// and tags share; PackedPolicySize reports the percentage used.
	packedBudget = 2048
)

// sessionParams are the parameters AssumeRole* share.
type sessionParams struct {
	policy         string
	policyARNs     []string
	tags           map[string]string
	tagKeys        []string // in the order given
	transitive     []string
	sourceIdentity string
	packedPercent  int
	hasPacked      bool
}

func validationf(format string, args ...any) error {
	return awsproto.Errorf("ValidationError", format, args...)
}

func parseSessionParams(c *api.Call) (*sessionParams, error) {
	p := &sessionParams{policy: c.Params.Get("Policy"), tags: map[string]string{}}
	if c.Params.Has("Policy") {
		n := utf8.RuneCountInString(p.policy)
		if n < 1 || n > maxSessionPolicy {
			return nil, validationf("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionPolicy)
		}
		doc, err := policy.Parse([]byte(p.policy), "")
		if err == nil {
			if errs := policy.Check(doc, policy.Session, ""); len(errs) > 0 {
				err = errs
			} else {
				_, err = policy.Compile(doc, policy.Session, "session policy")
			}
		}
		if err != nil {
			return nil, awsproto.Errorf("MalformedPolicyDocument", "The policy is not in the valid JSON format: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
	for _, m := range c.Params.Structs("PolicyArns") {
		p.policyARNs = append(p.policyARNs, m["arn"])
	}
	if len(p.policyARNs) > maxPolicyARNs {
		return nil, validationf("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxPolicyARNs)
	}
	for _, a := range p.policyARNs {
		if len(a) < 20 || len(a) > 2048 || !strings.HasPrefix(a, "arn:") {
			return nil, awsproto.Errorf("InvalidParameterValue", "The policy ARN %q is not valid.", a)
		}
	}
	tags := c.Params.Structs("Tags")
	if len(tags) > maxTags {
		return nil, validationf("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxTags)
	}
	for _, t := range tags {
		switch p.addTag(t["Key"], t["Value"]) {
		case errTagText:
			return nil, validationf("1 validation error detected: Value at 'tags' failed to satisfy constraint: %s", errTagText)
		case errTagDuplicate:
			return nil, awsproto.Errorf("InvalidParameterValue", "%s", errTagDuplicate)
		}
	}
	p.transitive = c.Params.List("TransitiveTagKeys")
	for _, k := range p.transitive {
		if _, ok := p.tags[k]; !ok {
			return nil, awsproto.Errorf("InvalidParameterValue", "The specified transitive tag key %q must also be specified as a session tag.", k)
		}
	}
	if c.Params.Has("SourceIdentity") {
		p.sourceIdentity = c.Params.Get("SourceIdentity")
		if !sourceIdentityRE.MatchString(p.sourceIdentity) || strings.HasPrefix(strings.ToLower(p.sourceIdentity), "aws:") {
			return nil, validationf("1 validation error detected: Value '%s' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", p.sourceIdentity)
		}
	}
	if err := p.pack(); err != nil {
		return nil, err
	}
	return p, nil
}

// pack computes PackedPolicySize when there are session policies or tags
// and refuses them when they exceed the packed budget.
func (p *sessionParams) pack() error {
	if p.policy != "" || len(p.policyARNs) > 0 || len(p.tags) > 0 {
		p.hasPacked = true
		p.packedPercent = packedSize(p)
		if p.packedPercent > 100 {
			return awsproto.Errorf("PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", p.packedPercent)
		}
	}
	return nil
}

// Why addTag refuses a session tag.
var (
	errTagText      = errors.New("tag keys have 1 to 128 characters, values up to 256, of letters, digits, spaces and _.:/=+-@")
	errTagDuplicate = errors.New("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
)

// addTag adds a session tag after AWS's checks: key and value lengths and
// characters, and no two keys that differ only in case.
func (p *sessionParams) addTag(k, v string) error {
	if k == "" || utf8.RuneCountInString(k) > 128 || utf8.RuneCountInString(v) > 256 || !validTagText(k) || !validTagText(v) {
		return errTagText
	}
	for prev := range p.tags {
		if strings.EqualFold(prev, k) {
			return errTagDuplicate
		}
	}
	p.tags[k] = v
	p.tagKeys = append(p.tagKeys, k)
	return nil
}

func validTagText(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ':
		case strings.ContainsRune("_.:/=+-@", r):
		case r > 127: // letters and spaces of other scripts
		default:
			return false
		}
	}
	return true
}

// packedSize compresses the session policies and tags as AWS packs them and
// returns the percentage of the budget they use.
func packedSize(p *sessionParams) int {
	var compact bytes.Buffer
	if p.policy != "" {
		if err := json.Compact(&compact, []byte(p.policy)); err != nil {
			compact.WriteString(p.policy)
		}
	}
	for _, a := range p.policyARNs {
		compact.WriteString(a)
	}
	for _, k := range p.tagKeys {
		compact.WriteString(k)
		compact.WriteString(p.tags[k])
	}
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	w.Write(compact.Bytes())
	w.Close()
	pct := (out.Len()*100 + packedBudget - 1) / packedBudget
	if pct < 1 {
		pct = 1
	}
	return pct
}

// requestContext returns the context keys of the session parameters for the
// authorization of sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity.
func (p *sessionParams) requestContext() map[string][]string {
	ctx := map[string][]string{}
	if len(p.tagKeys) > 0 {
		ctx["aws:TagKeys"] = append([]string(nil), p.tagKeys...)
		for k, v := range p.tags {
			ctx["aws:RequestTag/"+k] = []string{v}
		}
	}
	if len(p.transitive) > 0 {
		ctx["sts:TransitiveTagKeys"] = append([]string(nil), p.transitive...)
	}
	if p.sourceIdentity != "" {
		ctx["sts:SourceIdentity"] = []string{p.sourceIdentity}
	}
	return ctx
}
