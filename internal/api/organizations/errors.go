package organizations

import (
	"fmt"

	"github.com/securecart/warden/internal/awsproto"
)

// ReasonError is an Organizations error that carries a Reason, as
// ConstraintViolationException and InvalidInputException do
// ({"__type": ..., "Message": ..., "Reason": ...}). It unwraps to the
// *awsproto.Error that the protocol edge writes.
type ReasonError struct {
	Err    *awsproto.Error
	Reason string
}

func (e *ReasonError) Error() string { return e.Err.Error() + " (" + e.Reason + ")" }

// Unwrap returns the protocol error.
func (e *ReasonError) Unwrap() error { return e.Err }

// ErrorReason returns the Reason member of the error's JSON body.
func (e *ReasonError) ErrorReason() string { return e.Reason }

func withReason(code, reason, format string, args ...any) error {
	return &ReasonError{Err: awsproto.Errorf(code, format, args...), Reason: reason}
}

// invalidInput is InvalidInputException with a reason.
func invalidInput(reason, format string, args ...any) error {
	return withReason("InvalidInputException", reason, format, args...)
}

// constraint is ConstraintViolationException with a reason.
func constraint(reason, format string, args ...any) error {
	return withReason("ConstraintViolationException", reason, format, args...)
}

// The messages of the API reference's errors.
var (
	errNotManagement = func() error {
		return awsproto.Errorf("AccessDeniedException", "You don't have permissions to access this resource.")
	}
	errNotInUse = func() error {
		return awsproto.Errorf("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
)

func accountNotFound(id string) error {
	return awsproto.Errorf("AccountNotFoundException", "You specified an account that doesn't exist: %s.", id)
}

func parentNotFound(id string) error {
	return awsproto.Errorf("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified: %s.", id)
}

func childNotFound(id string) error {
	return awsproto.Errorf("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified: %s.", id)
}

func policyNotFound(id string) error {
	return awsproto.Errorf("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified: %s.", id)
}

func targetNotFound(id string) error {
	return awsproto.Errorf("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified: %s.", id)
}

func policyTypeNotEnabled(t string) error {
	return awsproto.Errorf("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types: %s is not enabled in this root.", t)
}

// Messages of InvalidInputException by reason.
func invalidPattern(field, value string) error {
	return invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern: %s %q.", field, value)
}

func inputRequired(field string) error {
	return invalidInput("INPUT_REQUIRED", "You must specify a value for %s.", field)
}

func tooLong(field string, max int) error {
	return invalidInput("MAX_LENGTH_EXCEEDED", "You provided a string parameter that is longer than allowed: %s is at most %d characters.", field, max)
}

func tooShort(field string, min int) error {
	return invalidInput("MIN_LENGTH_EXCEEDED", "You provided a string parameter that is shorter than allowed: %s is at least %d characters.", field, min)
}

func invalidEnum(field, value string, allowed string) error {
	return invalidInput("INVALID_ENUM", "You specified an invalid value for %s: %q (allowed: %s).", field, value, allowed)
}

// internalf is an error the client sees as a failure of the service.
func internalf(format string, args ...any) error { return fmt.Errorf(format, args...) }
