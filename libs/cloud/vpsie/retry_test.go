package vpsie_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
)

func TestRetries(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		answers  []answer
		attempts int   // requests the server sees
		kind     error // nil for success
	}{
		"a success is not retried":        {[]answer{{200, nil, okQuota}}, 1, nil},
		"5xx are retried until they pass": {[]answer{{500, nil, fail500}, {502, nil, "bad gateway"}, {200, nil, okQuota}}, 3, nil},
		"a 200 error envelope is retried": {[]answer{{200, nil, fail500}, {200, nil, okQuota}}, 2, nil},
		"429 is retried":                  {[]answer{{429, nil, fail429}, {200, nil, okQuota}}, 2, nil},
		"5xx stop after MaxAttempts":      {[]answer{{503, nil, fail500}}, 8, cloud.ErrTransient},
		"401 is not retried":              {[]answer{{401, nil, failToken}}, 1, cloud.ErrUnauthorized},
		"400 is not retried":              {[]answer{{400, nil, `{"error":true,"message":"bad"}`}}, 1, cloud.ErrInvalid},
		"a Retry-After beyond the limit ends the call": {
			[]answer{{429, http.Header{"Retry-After": {"3600"}}, fail429}}, 1, cloud.ErrRateLimited},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, url := serveScript(t, tc.answers...)
			q, err := newClient(t, url).Quota(t.Context())
			require.Equal(t, tc.attempts, srv.count())
			if tc.kind != nil {
				require.ErrorIs(t, err, tc.kind)
				return
			}
			require.NoError(t, err)
			require.Equal(t, cloud.Quota{MaxVMs: 5, UsedVMs: 1, MaxCPU: 40, UsedCPU: 2, MaxRAMMB: 65536, UsedRAMMB: 4096}, q)
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	srv, url := serveScript(t, answer{429, http.Header{"Retry-After": {"1"}}, fail429}, answer{200, nil, okQuota})
	start := time.Now()
	_, err := newClient(t, url).Quota(t.Context())
	require.NoError(t, err)
	require.Equal(t, 2, srv.count())
	require.GreaterOrEqual(t, time.Since(start), time.Second, "the backoff alone is milliseconds; Retry-After asked for 1s")
}

func TestAHungAttemptTimesOutAndIsRetried(t *testing.T) {
	t.Parallel()
	slow := make(chan struct{})
	t.Cleanup(func() { close(slow) })
	var calls atomic.Int32
	srv := http.NewServeMux()
	srv.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select { // hang until the client gives up on this attempt
			case <-r.Context().Done():
			case <-slow:
			}
			return
		}
		_, _ = w.Write([]byte(okQuota))
	})
	url := serveHandler(t, srv)
	c := newClient(t, url, func(o *vpsie.Options) { o.AttemptTimeout = 100 * time.Millisecond })
	_, err := c.Quota(t.Context())
	require.NoError(t, err)
	require.Equal(t, int32(2), calls.Load())
}

func TestTheCallDeadlineBoundsRetries(t *testing.T) {
	t.Parallel()
	_, url := serveScript(t, answer{503, nil, fail500})
	c := newClient(t, url, func(o *vpsie.Options) {
		o.CallTimeout = 300 * time.Millisecond
		o.Retry = vpsie.RetryPolicy{MaxAttempts: 1000, Initial: 50 * time.Millisecond, Max: 100 * time.Millisecond}
	})
	start := time.Now()
	_, err := c.Quota(t.Context())
	require.ErrorIs(t, err, cloud.ErrTransient, "the last failure is reported, not just a deadline")
	require.Less(t, time.Since(start), time.Second)
}

func TestACancelledCallStopsRetrying(t *testing.T) {
	t.Parallel()
	_, url := serveScript(t, answer{503, nil, fail500})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	c := newClient(t, url, func(o *vpsie.Options) {
		o.Retry = vpsie.RetryPolicy{MaxAttempts: 1000, Initial: 20 * time.Millisecond, Max: 20 * time.Millisecond}
	})
	_, err := c.Quota(ctx)
	require.Error(t, err)
	require.Less(t, c.Stats().Attempts, int64(20))
}

func TestTheClientSideRateLimitSpacesCalls(t *testing.T) {
	t.Parallel()
	srv, url := serveScript(t, answer{200, nil, okQuota})
	c := newClient(t, url, func(o *vpsie.Options) { o.RequestsPerSecond, o.Burst = 20, 1 })
	start := time.Now()
	for range 5 {
		_, err := c.Quota(t.Context())
		require.NoError(t, err)
	}
	require.Equal(t, 5, srv.count())
	require.GreaterOrEqual(t, time.Since(start), 190*time.Millisecond, "4 waits of 50ms at 20 per second")
}
