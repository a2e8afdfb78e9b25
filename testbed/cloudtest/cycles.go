package cloudtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// CycleResult is what Cycles measured.
type CycleResult struct {
	Elapsed     time.Duration
	StepRetries int // whole CreateVM or DeleteVM calls repeated after a retryable error
}

// Cycles creates and deletes n VMs named prefix-000…, workers at a time,
// and fails t if any cycle could not finish. A step whose call fails with a
// retryable error is called again as a whole (up to 5 times), as the
// executor retries a step; CreateVM's idempotency makes that safe.
func Cycles(t *testing.T, vms cloud.VMs, prefix string, n, workers int) CycleResult {
	t.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		res  CycleResult
		errs []error
	)
	jobs := make(chan int)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				retries, err := cycle(t.Context(), vms, fmt.Sprintf("%s-%03d", prefix, i))
				mu.Lock()
				res.StepRetries += retries
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(start)
	require.Empty(t, errs)
	return res
}

func cycle(ctx context.Context, vms cloud.VMs, hostname string) (int, error) {
	spec := cloud.CreateSpec{Hostname: hostname, OfferingID: catalog.ID("offering", "compute-2"), Datacenter: catalog.NYC1}
	var vm cloud.VM
	created, err := step(func() (err error) { vm, err = vms.CreateVM(ctx, spec); return err })
	if err != nil {
		return created, fmt.Errorf("create %s: %w", hostname, err)
	}
	deleted, err := step(func() error { return vms.DeleteVM(ctx, vm.ID) })
	if err != nil {
		return created + deleted, fmt.Errorf("delete %s: %w", hostname, err)
	}
	return created + deleted, nil
}

// step calls f until it succeeds, fails for good, or was retried 5 times,
// and returns how many times it was retried.
func step(f func() error) (int, error) {
	err := f()
	retries := 0
	for ; retries < 5 && cloud.IsRetryable(err); retries++ {
		err = f()
	}
	return retries, err
}
