package awsproto

import (
	"encoding/json"
	"net/http"
)

// JSONContentType is the Content-Type of JSON 1.1 requests and replies.
const JSONContentType = "application/x-amz-json-1.1"

// WriteJSONResult writes a JSON 1.1 reply.
func WriteJSONResult(w http.ResponseWriter, requestID string, result any) {
	w.Header().Set("Content-Type", JSONContentType)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusOK)
	if result == nil {
		result = struct{}{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(result)
}

// WriteJSONError writes a JSON 1.1 error. Query-protocol codes map to their
// JSON names (AccessDenied becomes AccessDeniedException).
func WriteJSONError(w http.ResponseWriter, requestID string, e *Error) {
	code := JSONCode(e.Code)
	status := e.Status
	w.Header().Set("Content-Type", JSONContentType)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	body := map[string]string{"__type": code, "message": e.Message, "Message": e.Message}
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	json.NewEncoder(w).Encode(body)
}

// JSONCode is the name JSON 1.1 services give an error of the table:
// AccessDenied is AccessDeniedException there.
func JSONCode(code string) string {
	switch code {
	case "AccessDenied":
		return "AccessDeniedException"
	case "ValidationError":
		return "ValidationException"
	case "InternalFailure":
		return "ServiceException"
	}
	return code
}
