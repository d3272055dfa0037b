package servertest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Config returns an aws-sdk-go-v2 configuration for the endpoint with the
// given credentials (the admin's when keyID is ""), signing with the
// harness's clock, without retries.
func (h *Harness) Config(keyID, secret, token string) aws.Config {
	if keyID == "" {
		keyID, secret = h.AdminKeyID, h.AdminSecret
	}
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint: aws.String(h.URL),
		Retryer:      Retryer,
	}
}

// Ctx is a context with a deadline, released when the test ends.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
