package server

import (
	"net/http"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// errorCode is the code an error carries in the answer's protocol (and in
// the trail): JSON services name errors differently (AccessDeniedException).
func (ex *exchange) errorCode(ae *awsproto.Error) string {
	if ex.proto == api.Query || ex.proto == api.RESTXML {
		return ae.Code
	}
	return awsproto.JSONCode(ae.Code)
}

// respond writes the result or the error in the exchange's protocol.
func (s *Server) respond(w http.ResponseWriter, ex *exchange, reqID, action string, result any, ae *awsproto.Error) {
	ns := s.routes.namespace
	if ex.svc != nil && ex.svc.XMLNamespace != "" {
		ns = ex.svc.XMLNamespace
	}
	if ae != nil && ex.svc != nil {
		if st, ok := ex.svc.ErrorStatus[ex.errorCode(ae)]; ok && st != ae.Status {
			cp := *ae
			cp.Status = st
			ae = &cp
		}
	}
	switch ex.proto {
	case api.JSON:
		if ae != nil {
			awsproto.WriteJSONErrorAs(w, ex.jsonCT, reqID, ae)
		} else {
			awsproto.WriteJSONReply(w, ex.jsonCT, reqID, http.StatusOK, result)
		}
	case api.RESTJSON:
		if ae != nil {
			awsproto.WriteJSONErrorAs(w, "application/json", reqID, ae)
		} else {
			awsproto.WriteJSONReply(w, "application/json", reqID, ex.successCode(), result)
		}
	case api.RESTXML:
		if ae != nil && ex.s3 {
			awsproto.WriteS3Error(w, reqID, ae)
		} else if ae != nil {
			awsproto.WriteQueryError(w, ns, reqID, ae)
		} else {
			awsproto.WriteXMLReply(w, reqID, ex.successCode(), result)
		}
	default:
		if ae != nil {
			awsproto.WriteQueryError(w, ns, reqID, ae)
		} else {
			awsproto.WriteQueryResult(w, ns, action, reqID, result)
		}
	}
}

func (ex *exchange) successCode() int {
	if ex.route != nil && ex.route.route.SuccessCode != 0 {
		return ex.route.route.SuccessCode
	}
	return http.StatusOK
}
