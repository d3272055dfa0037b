// Package awsproto speaks AWS's wire protocols and holds the one table of
// errors at the protocol edge.
//
//   - Query protocol (STS 2011-06-15, IAM 2010-05-08): form-encoded POST (or
//     GET query) with Action and Version; XML replies
//     <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>, and
//     errors as <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>.
//   - JSON 1.1 (Organizations, CloudTrail): POST with
//     Content-Type: application/x-amz-json-1.1 and X-Amz-Target:
//     Prefix.Operation; JSON replies; errors as {"__type": ..., "message": ...}
//     with the x-amzn-ErrorType header (JSON 1.0 the same, with its own
//     Content-Type).
//   - REST-JSON (Access Analyzer, Security Hub, SSO): the route decides the
//     operation; JSON replies (application/json) with the route's success
//     code; errors as JSON with the code in the X-Amzn-ErrorType header.
//   - REST-XML: XML replies whose root the result names; errors as
//     <ErrorResponse>.
//
// Handlers return *Error for every failure a client should see; any other
// error becomes InternalFailure (500) and its text is logged, never sent.
package awsproto
