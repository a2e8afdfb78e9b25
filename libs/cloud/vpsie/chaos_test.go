package vpsie_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/catalog"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsiesim"
)

// TestChaosLeavesNoVMAndNoDuplicate runs 100 create-then-delete cycles,
// ten at a time, while 30% of all calls fail with 500, 502, 503 or 429,
// and half of the 5xx on creates and deletes strike after the work was done
// (the ambiguous failures that make naive retries create a second VM).
// A call that exhausts its retries is retried as a whole, as the executor
// retries a step. Every VM must be gone at the end, none duplicated.
func TestChaosLeavesNoVMAndNoDuplicate(t *testing.T) {
	t.Parallel()
	const cycles, workers = 100, 10
	srv := startSim(t, vpsiesim.Options{Seed: 7})
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointAll, vpsiesim.EndpointFaults{
		ErrorRate: 0.3, Statuses: []int{500, 502, 503, 429}, AfterEffectRate: 0.5,
	}))
	c := newClient(t, srv.URL)

	var (
		mu          sync.Mutex
		errs        []error
		stepRetries int
		wg          sync.WaitGroup
	)
	jobs := make(chan int)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				n, err := cycle(t.Context(), c, fmt.Sprintf("chaos-%03d", i))
				mu.Lock()
				stepRetries += n
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for i := range cycles {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	require.Empty(t, errs)

	srv.ResetFaults()
	left, err := c.ListVMs(t.Context())
	require.NoError(t, err)
	st, cs := srv.Stats(), c.Stats()
	t.Logf("chaos: %d cycles in %s; %d HTTP calls (%d failed on purpose), %d client retries, %d step retries, "+
		"%d create lookups; VMs created %d, left %d, duplicates %d",
		cycles, elapsed.Round(time.Millisecond), cs.Attempts, st.InjectedErrors, cs.Retries, stepRetries,
		cs.CreateLookups, st.VMsCreated, len(left), st.DuplicateVMs)
	require.Empty(t, left)
	require.Zero(t, st.DuplicateVMs)
	require.Equal(t, cycles, st.VMsCreated, "one VM per cycle, never two")
	require.Greater(t, st.InjectedErrors, cycles, "the faults did strike")
}

// cycle creates a VM and deletes it, retrying each step as a whole while
// its error is retryable. It returns how many step retries it needed.
func cycle(ctx context.Context, c cloud.VMs, hostname string) (int, error) {
	spec := cloud.CreateSpec{Hostname: hostname, OfferingID: catalog.ID("offering", "compute-2"), Datacenter: catalog.NYC1}
	retries := 0
	var vm cloud.VM
	err := step(&retries, func() (err error) { vm, err = c.CreateVM(ctx, spec); return err })
	if err != nil {
		return retries, fmt.Errorf("create %s: %w", hostname, err)
	}
	err = step(&retries, func() error { return c.DeleteVM(ctx, vm.ID) })
	if err != nil {
		return retries, fmt.Errorf("delete %s: %w", hostname, err)
	}
	return retries, nil
}

func step(retries *int, f func() error) error {
	for range 5 {
		err := f()
		if err == nil || !cloud.IsRetryable(err) {
			return err
		}
		*retries++
	}
	return f()
}
