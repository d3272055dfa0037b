package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS error as a client sees it.
type Error struct {
	Code    string
	Message string
	Status  int
	// Sender is true for the caller's fault (Type Sender), false for the
	// service's (Receiver).
	Sender bool
	// Reason is the Reason member some JSON errors carry
	// (ConstraintViolationException, InvalidInputException).
	Reason string
	// Fields are members the error's shape adds to the JSON body (SSO
	// OIDC's error and error_description).
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf makes an error with a code from the table.
func Errorf(code, format string, args ...any) *Error {
	status, ok := table[code]
	if !ok {
		status = http.StatusBadRequest
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Sender: status < 500}
}

// As returns the *Error of err, or an InternalFailure.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		var r interface{ ErrorReason() string }
		if errors.As(err, &r) && r.ErrorReason() != "" {
			cp := *e
			cp.Reason = r.ErrorReason()
			return &cp, true
		}
		return e, true
	}
	return &Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: 500}, false
}

// table is the HTTP status of each error code, as AWS's API references give
// them.
var table = map[string]int{
	// Authentication (all services).
	"MissingAuthenticationToken":  403,
	"IncompleteSignature":         400,
	"InvalidClientTokenId":        403,
	"SignatureDoesNotMatch":       403,
	"ExpiredToken":                400,
	"AccessDenied":                403,
	"AccessDeniedException":       400,
	"UnrecognizedClientException": 400,
	// The JSON services' names of the authentication errors.
	"InvalidSignatureException":           403,
	"IncompleteSignatureException":        400,
	"MissingAuthenticationTokenException": 403,
	"ExpiredTokenException":               400,
	"InvalidAction":                       400,
	"InvalidParameterValue":               400,
	"InvalidParameterCombination":         400,
	"MissingParameter":                    400,
	"MissingAction":                       400,
	"MalformedQueryString":                404,
	"RequestExpired":                      400,
	"Throttling":                          400,
	"ValidationError":                     400,
	"ValidationException":                 400,
	"InternalFailure":                     500,
	"ServiceUnavailable":                  503,
	"UnknownOperationException":           400,
	"SerializationException":              400,
	// STS.
	"MalformedPolicyDocument":              400,
	"PackedPolicyTooLarge":                 400,
	"RegionDisabledException":              403,
	"IDPRejectedClaim":                     403,
	"IDPCommunicationError":                400,
	"InvalidIdentityToken":                 400,
	"InvalidAuthorizationMessageException": 400,
	// IAM.
	"NoSuchEntity":                  404,
	"EntityAlreadyExists":           409,
	"LimitExceeded":                 409,
	"DeleteConflict":                409,
	"UnmodifiableEntity":            400,
	"InvalidInput":                  400,
	"ConcurrentModification":        409,
	"ServiceFailure":                500,
	"PolicyNotAttachable":           400,
	"EntityTemporarilyUnmodifiable": 409,
	"InvalidAuthenticationCode":     403,
	// Organizations (JSON: the type names).
	"AccountNotFoundException":             400,
	"OrganizationalUnitNotFoundException":  400,
	"ParentNotFoundException":              400,
	"PolicyNotFoundException":              400,
	"TargetNotFoundException":              400,
	"DuplicateOrganizationalUnitException": 400,
	"DuplicatePolicyException":             400,
	"DuplicatePolicyAttachmentException":   400,
	"PolicyNotAttachedException":           400,
	"SourceParentNotFoundException":        400,
	"DestinationParentNotFoundException":   400,
	"DuplicateAccountException":            400,
	"MalformedPolicyDocumentException":     400,
	"ConstraintViolationException":         400,
	"InvalidInputException":                400,
	"AWSOrganizationsNotInUseException":    400,
	"ConcurrentModificationException":      400,
	"ServiceException":                     500,
	"TooManyRequestsException":             400,
	"PolicyTypeNotEnabledException":        400,
	"InvalidNextTokenException":            400,
	"ResourceNotFoundException":            400,
	"InvalidLookupAttributesException":     400,
	"InvalidTimeRangeException":            400,
	"InvalidMaxResultsException":           400,
	"InvalidEventCategoryException":        400,
	"OperationNotPermittedException":       400,
	// Organizations (more).
	"PolicyInUseException":                 400,
	"ChildNotFoundException":               400,
	"CreateAccountStatusNotFoundException": 400,
}
