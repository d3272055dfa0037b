package identitycenter

import (
	"encoding/json"
	"fmt"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// The errors of both APIs (JSON 1.1: the code is the exception's name).

func errf(code string, status int, format string, args ...any) *awsproto.Error {
	return &awsproto.Error{Code: code, Status: status, Sender: status < 500, Message: fmt.Sprintf(format, args...)}
}

func validation(format string, args ...any) error {
	return errf("ValidationException", 400, format, args...)
}

func accessDenied(format string, args ...any) error {
	return errf("AccessDeniedException", 400, format, args...)
}

// notFound is identitystore's ResourceNotFoundException, which names the
// resource's type and ID.
func notFound(typ, id string) error {
	e := errf("ResourceNotFoundException", 400, "%s %s not found.", typ, id)
	e.Fields = map[string]string{"ResourceType": typ, "ResourceId": id}
	return e
}

func conflict(format string, args ...any) error {
	e := errf("ConflictException", 400, format, args...)
	e.Fields = map[string]string{"Reason": "UNIQUENESS_CONSTRAINT_VIOLATION"}
	return e
}

// decode reads the JSON body into v.
func decode(c *api.Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return errf("SerializationException", 400, "The request body is not valid JSON for %s: %s", c.Action, err.Error())
	}
	return nil
}
