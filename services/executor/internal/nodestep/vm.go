package nodestep

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// cloudAttempts bounds the retries of one cloud call after the client's own.
const cloudAttempts = 4

// retryCloud calls fn with exponential backoff while decideCloud says retry.
func retryCloud(ctx context.Context, first time.Duration, fn func() error) error {
	backoff := wait.Backoff{Duration: first, Factor: 2, Jitter: 0.2, Steps: cloudAttempts}
	var last error
	err := wait.ExponentialBackoffWithContext(ctx, backoff, func(context.Context) (bool, error) {
		last = fn()
		if decideCloud(last) == cloudRetry {
			return false, nil
		}
		return true, nil
	})
	if last != nil {
		return last
	}
	if err != nil {
		return fmt.Errorf("cloud call: %w", err)
	}
	return nil
}

// deleteMachine deletes a node's machine the way the group obtains them:
// the VM (vm mode), or the node of the VPSie managed cluster, which takes
// its VM along (managed mode). It retries what may pass; deleting what is
// gone succeeds, so a repeated delete is safe.
func (e *Env) deleteMachine(ctx context.Context, group GroupSpec, id string) error {
	if group.Managed() {
		cluster := group.Provisioning.ClusterID
		return retryCloud(ctx, e.Pace.CloudRetry, func() error { return e.Cloud.DeleteKubeNode(ctx, cluster, id) })
	}
	return retryCloud(ctx, e.Pace.CloudRetry, func() error { return e.Cloud.DeleteVM(ctx, id) })
}
