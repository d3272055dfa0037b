package servertest

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Retryer is the retryer of the tests' SDK clients. It never retries an
// answer the server gave (an error code, a throttle, a 5xx): tests must
// see those. It retries only a request whose connection the client's own
// transport found closed under it ("use of closed network connection",
// "connection reset"), at most twice more: a race in net/http's reuse of
// kept-alive connections that aws-sdk-go-v2's standard retryer retries by
// default for the same reason
// (https://github.com/aws/aws-sdk-go-v2/issues/2737,
// https://github.com/aws/aws-sdk-go-v2/pull/2949), and that failed a test
// here once in a loaded run.
func Retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.RateLimiter = ratelimit.None
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(closedConnection)}
	})
}

// closedConnection tells whether err is the transport's closed connection.
func closedConnection(err error) aws.Ternary {
	if err == nil {
		return aws.UnknownTernary
	}
	msg := err.Error()
	if strings.Contains(msg, "use of closed network connection") || strings.Contains(msg, "connection reset by peer") {
		return aws.TrueTernary
	}
	return aws.FalseTernary
}
