package progress

import (
	"context"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// NewHubOver is a Hub whose feeds keep bufferSize events and which opens
// its feeds' watches with openFeed and its watchers' own with openPrivate,
// so a test may count them, fail them, or make the buffer small.
func NewHubOver(openFeed, openPrivate func(ctx context.Context, executionID string, fromSequence uint64,
	handle func(*rebalancerv1.ExecutionEvent) error) error, bufferSize int) *Hub {
	return newHub(openFeed, openPrivate, bufferSize)
}

// Feeds is how many executions have a feed now.
func (h *Hub) Feeds() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.feeds)
}
