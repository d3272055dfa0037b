package accessanalyzer

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/analyze/validate"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

func validation(format string, args ...any) error {
	return awsproto.Errorf("ValidationException", format, args...)
}

// decode reads a request body into v; a malformed body is a
// ValidationException that says where.
func decode(c *api.Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return validation("The request body is not valid: %v", err)
	}
	return nil
}

type validateInput struct {
	PolicyDocument             string `json:"policyDocument"`
	PolicyType                 string `json:"policyType"`
	ValidatePolicyResourceType string `json:"validatePolicyResourceType"`
	Locale                     string `json:"locale"`
	MaxResults                 *int   `json:"maxResults"`
	NextToken                  string `json:"nextToken"`
}

// ValidatePolicy runs the policy checks of package validate.
func (s *service) ValidatePolicy(ctx context.Context, c *api.Call) (any, error) {
	var in validateInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	if err := s.authz.Authorize(ctx, c, "access-analyzer:ValidatePolicy", "*", nil); err != nil {
		return nil, err
	}
	if in.PolicyDocument == "" {
		return nil, validation("policyDocument: a value is required")
	}
	if in.Locale != "" && in.Locale != "EN" {
		return nil, validation("locale: Warden writes findings in EN only")
	}
	opt, err := validate.OptionsFromAPI(in.PolicyType, in.ValidatePolicyResourceType)
	if err != nil {
		return nil, validation("%v", err)
	}
	return paged("findings", validate.Validate([]byte(in.PolicyDocument), opt), in.MaxResults, in.NextToken)
}

// paged answers one page of items under key, with the nextToken of the
// next page.
func paged[T any](key string, items []T, maxResults *int, token string) (any, error) {
	start, end, next, err := page(len(items), maxResults, token)
	if err != nil {
		return nil, err
	}
	return pageOf[T]{key: key, items: append([]T{}, items[start:end]...), next: next}, nil
}

// pageOf is a page of a List operation's reply: {key: [items],
// "nextToken": next}, without nextToken on the last page.
type pageOf[T any] struct {
	key   string
	items []T
	next  string
}

// MarshalJSON writes the page.
func (p pageOf[T]) MarshalJSON() ([]byte, error) {
	key, err := json.Marshal(p.key)
	if err != nil {
		return nil, err
	}
	items, err := json.Marshal(p.items)
	if err != nil {
		return nil, err
	}
	out := append(append(append([]byte{'{'}, key...), ':'), items...)
	if p.next != "" {
		next, err := json.Marshal(p.next)
		if err != nil {
			return nil, err
		}
		out = append(append(out, `,"nextToken":`...), next...)
	}
	return append(out, '}'), nil
}

// page cuts n items by maxResults (default 100) from the offset a nextToken
// carries.
func page(n int, maxResults *int, token string) (start, end int, next string, err error) {
	limit := 100
	if maxResults != nil {
		if *maxResults < 1 {
			return 0, 0, "", validation("maxResults: must be at least 1")
		}
		limit = *maxResults
	}
	if token != "" {
		start, err = strconv.Atoi(token)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", validation("nextToken: %q is not a token this service issued", token)
		}
	}
	end = min(n, start+limit)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

func checkError(err error) error {
	if errors.Is(err, analyze.ErrInvalid) {
		return validation("%v", err)
	}
	return err
}

// CheckNoPublicAccess is analyze.CheckNoPublicAccess.
func (s *service) CheckNoPublicAccess(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		PolicyDocument string `json:"policyDocument"`
		ResourceType   string `json:"resourceType"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	if err := s.authz.Authorize(ctx, c, "access-analyzer:CheckNoPublicAccess", "*", nil); err != nil {
		return nil, err
	}
	r, err := analyze.CheckNoPublicAccess(in.PolicyDocument, in.ResourceType)
	return r, checkError(err)
}

// CheckAccessNotGranted is analyze.CheckAccessNotGranted.
func (s *service) CheckAccessNotGranted(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		PolicyDocument string               `json:"policyDocument"`
		Access         []analyze.AccessSpec `json:"access"`
		PolicyType     string               `json:"policyType"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	if err := s.authz.Authorize(ctx, c, "access-analyzer:CheckAccessNotGranted", "*", nil); err != nil {
		return nil, err
	}
	r, err := analyze.CheckAccessNotGranted(in.PolicyDocument, in.Access, in.PolicyType)
	return r, checkError(err)
}

// CheckNoNewAccess is analyze.CheckNoNewAccess.
func (s *service) CheckNoNewAccess(ctx context.Context, c *api.Call) (any, error) {
	var in struct {
		NewPolicyDocument      string `json:"newPolicyDocument"`
		ExistingPolicyDocument string `json:"existingPolicyDocument"`
		PolicyType             string `json:"policyType"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	if err := s.authz.Authorize(ctx, c, "access-analyzer:CheckNoNewAccess", "*", nil); err != nil {
		return nil, err
	}
	r, err := analyze.CheckNoNewAccess(in.NewPolicyDocument, in.ExistingPolicyDocument, in.PolicyType)
	return r, checkError(err)
}
