package configservice

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// The errors of the API (JSON 1.1: the code is the exception's name; all
// are client errors with status 400).

func errf(code, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Status: 400, Sender: true, Message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return errf("InvalidParameterValueException", format, args...)
}

func noSuchRule(name string) error {
	return errf("NoSuchConfigRuleException", "The ConfigRule '%s' provided in the request is invalid. Please check the configRule name.", name)
}

// decode reads the JSON body into v.
func decode(c *api.Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return errf("SerializationException", "The request body is not valid JSON for %s: %s", c.Action, err.Error())
	}
	return nil
}

// page returns the slice of n items a request's NextToken and limit pick,
// and the next token ("" at the end). The token is the offset.
func page(n int, token string, limit, max int) (int, int, string, error) {
	from := 0
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return 0, 0, "", errf("InvalidNextTokenException", "The nextToken provided is invalid")
		}
		from = v
	}
	if limit < 0 || limit > max {
		return 0, 0, "", invalid("Limit: %d is not between 0 and %d", limit, max)
	}
	if limit == 0 {
		limit = max
	}
	to := from + limit
	if to >= n {
		return from, n, "", nil
	}
	return from, to, strconv.Itoa(to), nil
}

// paged is one page of all (page's limits), as the API returns it: the
// items under the member name, and NextToken when more follow.
func paged[T any](name string, all []T, token string, limit, max int) (any, error) {
	from, to, next, err := page(len(all), token, limit, max)
	if err != nil {
		return nil, err
	}
	return pageOut[T]{name: name, items: append([]T{}, all[from:to]...), next: next}, nil
}

type pageOut[T any] struct {
	name  string
	items []T
	next  string
}

func (p pageOut[T]) MarshalJSON() ([]byte, error) {
	items, err := json.Marshal(p.items)
	if err != nil {
		return nil, err
	}
	name, _ := json.Marshal(p.name)
	out := append(append(append([]byte("{"), name...), ':'), items...)
	if p.next != "" {
		next, _ := json.Marshal(p.next)
		out = append(append(out, `,"NextToken":`...), next...)
	}
	return append(out, '}'), nil
}
