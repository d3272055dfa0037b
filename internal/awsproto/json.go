package awsproto

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
)

// JSONContentType is the Content-Type of JSON 1.1 requests and replies.
const JSONContentType = "application/x-amz-json-1.1"

// JSONContentTypeOf is the Content-Type of a JSON protocol version ("1.0"
// or "1.1").
func JSONContentTypeOf(version string) string {
	if version == "1.0" {
		return "application/x-amz-json-1.0"
	}
	return JSONContentType
}

// WriteJSONResult writes a JSON 1.1 reply.
func WriteJSONResult(w http.ResponseWriter, requestID string, result any) {
	WriteJSONReply(w, JSONContentType, requestID, http.StatusOK, result)
}

// WriteJSONReply writes a JSON body with the given Content-Type and status:
// JSON 1.0 and 1.1 replies, and REST-JSON replies (application/json).
func WriteJSONReply(w http.ResponseWriter, contentType, requestID string, status int, result any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
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
	WriteJSONErrorAs(w, JSONContentType, requestID, e)
}

// WriteJSONErrorAs writes an error as the JSON protocols do: the code in the
// X-Amzn-ErrorType header and in the body's __type, the message in the
// body. REST-JSON clients read the header; JSON 1.0/1.1 clients the body.
func WriteJSONErrorAs(w http.ResponseWriter, contentType, requestID string, e *Error) {
	code := JSONCode(e.Code)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(e.Status)
	body := map[string]string{"__type": code, "message": e.Message, "Message": e.Message}
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	for k, v := range e.Fields {
		body[k] = v
	}
	json.NewEncoder(w).Encode(body)
}

// JSONCode is the name JSON services give an error of the table:
// AccessDenied is AccessDeniedException there, and the authentication
// errors carry the names AWS's JSON services answer with.
func JSONCode(code string) string {
	switch code {
	case "AccessDenied":
		return "AccessDeniedException"
	case "ValidationError":
		return "ValidationException"
	case "InternalFailure":
		return "ServiceException"
	case "SignatureDoesNotMatch":
		return "InvalidSignatureException"
	case "IncompleteSignature":
		return "IncompleteSignatureException"
	case "MissingAuthenticationToken":
		return "MissingAuthenticationTokenException"
	case "InvalidClientTokenId":
		return "UnrecognizedClientException"
	case "ExpiredToken":
		return "ExpiredTokenException"
	case "InvalidAction":
		return "UnknownOperationException"
	}
	return code
}

// Epoch is a timestamp as JSON 1.0 and 1.1 write it: seconds since the
// Unix epoch, with milliseconds, as a number.
type Epoch time.Time

// MarshalJSON writes the seconds as a number.
func (e Epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads seconds.
func (e *Epoch) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*e = Epoch(time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC())
	return nil
}
