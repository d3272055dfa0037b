package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/sts"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/sigv4"
)

// jsonTargets maps X-Amz-Target prefixes to services.
var jsonTargets = map[string]string{
	"AWSOrganizationsV20161128":                              "organizations",
	"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101": "cloudtrail",
	"CloudTrail_20131101":                                    "cloudtrail", // aws-sdk-go-v2's short form
}

// handle reads and authenticates the request and fills c with the service,
// action, parameters and identity.
func (s *Server) handle(r *http.Request, c *api.Call) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return awsproto.Errorf("InvalidParameterValue", "The request body is larger than %d bytes.", s.cfg.MaxBody)
		}
		return awsproto.Errorf("InvalidParameterValue", "The request body could not be read.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return s.handleJSON(r, c, target, body)
	}
	return s.handleQuery(r, c, body)
}

func (s *Server) handleJSON(r *http.Request, c *api.Call, target string, body []byte) error {
	prefix, op, ok := strings.Cut(target, ".")
	if strings.HasPrefix(target, "com.amazonaws.") {
		i := strings.LastIndexByte(target, '.')
		prefix, op, ok = target[:i], target[i+1:], i > 0
	}
	svc := jsonTargets[prefix]
	if !ok || svc == "" || r.Method != http.MethodPost {
		return awsproto.Errorf("UnknownOperationException", "Unknown operation %s", target)
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != awsproto.JSONContentType {
		return awsproto.Errorf("SerializationException", "Content-Type must be %s for X-Amz-Target requests", awsproto.JSONContentType)
	}
	c.Service, c.Body = svc, body
	if _, known := s.services[svc][op]; !known {
		return awsproto.Errorf("UnknownOperationException", "Unknown operation %s", target)
	}
	c.Action = op
	return s.authenticate(r, c, body)
}

func (s *Server) handleQuery(r *http.Request, c *api.Call, body []byte) error {
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			return awsproto.Errorf("InvalidAction", "Unsupported request: a query-protocol request is a form-encoded POST (application/x-www-form-urlencoded) or a GET; a JSON request names its operation in X-Amz-Target")
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return awsproto.Errorf("MalformedQueryString", "The request body is not a valid form-encoded query string.")
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	} else if r.Method != http.MethodGet {
		return awsproto.Errorf("InvalidAction", "Unsupported HTTP method %s", r.Method)
	}
	// Signature parameters of presigned URLs are not API parameters.
	for k := range params {
		if strings.HasPrefix(k, "X-Amz-") {
			delete(params, k)
		}
	}
	c.Params = awsproto.Params(params)
	action := params.Get("Action")
	if action == "" {
		return awsproto.Errorf("MissingAction", "Missing Action")
	}
	if sts.Unsigned[action] && !signed(r) {
		c.Service, c.Action = "sts", action
		return nil
	}
	auth, err := sigv4.Parse(r)
	if err != nil {
		c.Service = "sts" // answered in STS's shape, as AWS's global endpoint does
		return sigError(err)
	}
	svc := auth.Scope.Service
	if _, ok := s.services[svc]; !ok || (svc != "sts" && svc != "iam") {
		c.Service = "sts"
		return awsproto.Errorf("InvalidAction", "The credential scope names service %q, which this endpoint does not serve over the query protocol (sts, iam)", svc)
	}
	c.Service = svc
	if v := params.Get("Version"); v != "" && v != awsproto.Versions[svc] {
		return awsproto.Errorf("InvalidAction", "Could not find operation %s for version %s", action, v)
	}
	if _, known := s.services[svc][action]; !known {
		return awsproto.Errorf("InvalidAction", "Could not find operation %s for version %s", action, awsproto.Versions[svc])
	}
	c.Action = action
	return s.verify(r, c, auth, body)
}

func signed(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.URL.Query().Get("X-Amz-Signature") != ""
}

func sigError(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return awsproto.Errorf(se.Code, "%s", se.Message)
	}
	return err
}
