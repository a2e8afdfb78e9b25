package vpsieclient_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

const token = "test-token-5f0c2d"

// fastRetries keep tests quick while still exercising backoff.
var fastRetries = vpsie.RetryPolicy{MaxAttempts: 8, Initial: time.Millisecond, Max: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// startSim starts a simulator for one test.
func startSim(t *testing.T, opts vpsiesim.Options) *vpsiesim.Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	if opts.BootDelay == 0 {
		opts.BootDelay = 30 * time.Millisecond
	}
	srv, err := vpsiesim.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

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

// simFaults lets the contract suite set up the simulator's cloud.
type simFaults struct {
	t   *testing.T
	sim *vpsiesim.Sim
}

func (f simFaults) LimitVMs(n int) {
	q := vpsiesim.DefaultQuota()
	q.MaxVMs = n
	require.NoError(f.t, f.sim.SetQuota(token, q))
}

func (f simFaults) MakeUnavailable(datacenter, offering string) {
	require.NoError(f.t, f.sim.MakeUnavailable(datacenter, offering))
}

var _ cloud.Provider = (*vpsie.Client)(nil)

// serveHTTP serves h on loopback for one test and returns its URL.
func serveHTTP(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// noRetries makes every call a single attempt.
func noRetries(o *vpsie.Options) { o.Retry.MaxAttempts = 1 }
