package servertest

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// Only a closed connection is retried; every answer of the server is not.
func TestRetryerRetriesOnlyClosedConnections(t *testing.T) {
	r := Retryer()
	closed := &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed}
	cases := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("deserialization failed, failed to decode response body, %w", closed), true},
		{errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer"), true},
		{&smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}, false},
		{&smithy.GenericAPIError{Code: "InternalFailure", Message: "boom"}, false},
		{&smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}, false},
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), false},
	}
	for _, c := range cases {
		if got := r.IsErrorRetryable(c.err); got != c.want {
			t.Errorf("IsErrorRetryable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if r.MaxAttempts() != 3 {
		t.Errorf("MaxAttempts = %d, want 3", r.MaxAttempts())
	}
	var _ aws.Retryer = r
}
