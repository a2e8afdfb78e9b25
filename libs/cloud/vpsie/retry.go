package vpsie

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// RetryPolicy shapes the retries of one call. Zero fields take defaults.
type RetryPolicy struct {
	// MaxAttempts counts every attempt, the first included (default 6).
	MaxAttempts int
	// Initial is the first backoff (default 250ms); each next one doubles,
	// plus up to 50% jitter, up to Max (default 8s).
	Initial time.Duration
	Max     time.Duration
	// MaxRetryAfter is the longest Retry-After honoured (default 60s); a
	// longer one ends the call with ErrRateLimited rather than stalling it.
	MaxRetryAfter time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 6
	}
	if p.Initial <= 0 {
		p.Initial = 250 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 8 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = time.Minute
	}
	return p
}

// retry runs attempt until it succeeds, fails for good, or the policy or
// ctx runs out, and returns the last error.
//
// The schedule is wait.Backoff's (exponential, jittered, capped). The loop
// is ours because wait.ExponentialBackoffWithContext cannot stretch one
// wait to the Retry-After the server asked for.
func (c *Client) retry(ctx context.Context, attempt func(context.Context) error) error {
	next := wait.Backoff{
		Duration: c.opts.Retry.Initial, Factor: 2, Jitter: 0.5,
		Steps: c.opts.Retry.MaxAttempts, Cap: c.opts.Retry.Max,
	}.DelayFunc()
	for n := 1; ; n++ {
		last := attempt(ctx)
		if last == nil || !cloud.IsRetryable(last) || n >= c.opts.Retry.MaxAttempts {
			return last
		}
		pause := next()
		if after, ok := cloud.RetryAfter(last); ok {
			if after > c.opts.Retry.MaxRetryAfter {
				return last
			}
			pause = max(pause, after)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < pause {
			return last // the wait would outlive the call: fail now, with the reason
		}
		c.stats.retries.Add(1)
		if err := sleep(ctx, pause); err != nil {
			return errors.Join(last, err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		const longest = 24 * 60 * 60 // a day is "too long" already; clamping avoids overflow
		return time.Duration(min(max(secs, 0), longest)) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}
