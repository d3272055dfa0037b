package scim

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// Error is a SCIM error response (RFC 7644 section 3.12): an HTTP status,
// the scimType of a 400 or 409, and a detail for people.
type Error struct {
	Status   int
	ScimType string // invalidFilter, invalidValue, invalidSyntax, invalidPath, uniqueness, mutability, noTarget, tooMany
	Detail   string
}

func (e *Error) Error() string { return e.Detail }

// Code is the error's name in the trail (AWS's SCIM events name the
// exception: ValidationException, ConflictException, ...).
func (e *Error) Code() string {
	switch e.Status {
	case http.StatusUnauthorized:
		return "UnauthorizedException"
	case http.StatusNotFound:
		return "ResourceNotFoundException"
	case http.StatusConflict:
		return "ConflictException"
	case http.StatusForbidden:
		return "AccessDeniedException"
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return "NotImplementedException"
	}
	if e.Status >= 500 {
		return "InternalServerException"
	}
	return "ValidationException"
}

func errf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

func errUnauthorized(detail string) *Error {
	return &Error{Status: http.StatusUnauthorized, Detail: detail}
}

func invalidValue(format string, args ...any) *Error {
	return errf(http.StatusBadRequest, "invalidValue", format, args...)
}

func invalidSyntax(format string, args ...any) *Error {
	return errf(http.StatusBadRequest, "invalidSyntax", format, args...)
}

func invalidFilter(format string, args ...any) *Error {
	return errf(http.StatusBadRequest, "invalidFilter", format, args...)
}

func invalidPath(format string, args ...any) *Error {
	return errf(http.StatusBadRequest, "invalidPath", format, args...)
}

func notFound(kind, id string) *Error {
	return errf(http.StatusNotFound, "", "%s %s not found.", kind, id)
}

// editErr maps the org editor's and the state's errors to SCIM's.
func editErr(err error) error {
	var se *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return se
	case errors.Is(err, org.ErrDuplicate):
		return errf(http.StatusConflict, "uniqueness", "%s", err.Error())
	case errors.Is(err, org.ErrUnknown):
		return errf(http.StatusNotFound, "", "%s", err.Error())
	case errors.Is(err, state.ErrInvalid), errors.Is(err, org.ErrInvalidValue):
		return invalidValue("%s", err.Error())
	}
	return err
}
