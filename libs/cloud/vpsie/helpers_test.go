package vpsie_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
)

const token = "test-token-5f0c2d"

// fastRetries keep tests quick while still exercising backoff.
var fastRetries = vpsie.RetryPolicy{MaxAttempts: 8, Initial: time.Millisecond, Max: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// newClient returns a client of baseURL with fast retries and no rate limit
// to speak of; change lets a test adjust the options.
func newClient(t *testing.T, baseURL string, change ...func(*vpsie.Options)) *vpsie.Client {
	t.Helper()
	opts := vpsie.Options{
		BaseURL: baseURL, Token: token, OSIdentifier: "os-ubuntu-24-04",
		RequestsPerSecond: 10000, Burst: 1000, Retry: fastRetries,
		AttemptTimeout: 2 * time.Second, CallTimeout: 20 * time.Second,
	}
	for _, c := range change {
		c(&opts)
	}
	c, err := vpsie.New(opts)
	require.NoError(t, err)
	return c
}
