package vpsie

import (
	"context"
	"sync/atomic"
)

// Stats count what the client did since it was made.
type Stats struct {
	Attempts      int64 // HTTP requests sent
	Retries       int64 // waits before another attempt
	CreateLookups int64 // hostname lookups CreateVM made before sending a create
}

type stats struct {
	attempts, retries, createLookups atomic.Int64
}

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Attempts: c.stats.attempts.Load(), Retries: c.stats.retries.Load(),
		CreateLookups: c.stats.createLookups.Load(),
	}
}

// withDeadline bounds one Provider call, retries included.
func (c *Client) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.CallTimeout)
}
