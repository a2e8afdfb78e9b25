package nodestep

import (
	"context"
	"errors"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// cloudDecision is what provisioning does after a cloud answer.
type cloudDecision int

const (
	cloudDone         cloudDecision = iota // the VM exists (or was asked for)
	cloudRetry                             // the same call may pass later
	cloudNextOffering                      // this offering cannot be had; try the next
	cloudGiveUp                            // retrying will not help; the node fails
)

// decideCloud maps the cloud's errors to decisions: the one table of them.
func decideCloud(err error) cloudDecision {
	switch {
	case err == nil:
		return cloudDone
	case errors.As(err, new(*Failure)):
		// Our own verdict on the node (a user-data template that does not
		// render): no retry changes it.
		return cloudGiveUp
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// Our own deadline or shutdown: stop; a resume asks again (CreateVM
		// is idempotent per hostname).
		return cloudGiveUp
	case cloud.IsQuotaExceeded(err):
		// The account cannot hold this size: a smaller or other offering may fit.
		return cloudNextOffering
	case cloud.IsOfferingUnavailable(err), cloud.IsNotFound(err):
		// Not sold in this datacenter now (or not at all): an alternative may be.
		return cloudNextOffering
	case cloud.IsRetryable(err):
		// 429 or 5xx that outlasted the client's own retries: back off and ask again.
		return cloudRetry
	case cloud.IsUnauthorized(err), cloud.IsInvalid(err):
		// The token or the request is wrong; no retry or offering fixes that.
		return cloudGiveUp
	default:
		// Unclassified: treat as transient, bounded by the retry budget.
		return cloudRetry
	}
}
