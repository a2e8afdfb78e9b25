package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/catalog"
)

// TestChaosThroughTheCommand is the 100-cycle check, driven from outside
// Go's API: faults set with PUT /_sim/faults, results read from
// GET /_sim/stats. 30% of every call fails (500, 502, 503, 429); half the
// 5xx on creates and deletes strike after the work was done.
func TestChaosThroughTheCommand(t *testing.T) {
	t.Parallel()
	url := startCommand(t)
	control(t, http.MethodPut, url+"/_sim/faults",
		`{"endpoints":{"*":{"errorRate":0.3,"statuses":[500,502,503,429],"afterEffectRate":0.5}}}`, nil)
	c := client(t, url, testToken)

	const cycles, workers = 100, 10
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	jobs := make(chan int)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				if err := createThenDelete(t, c, fmt.Sprintf("cmd-chaos-%03d", i)); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
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

	control(t, http.MethodDelete, url+"/_sim/faults", "", nil)
	var stats struct {
		InjectedErrors int `json:"injectedErrors"`
		VMsCreated     int `json:"vmsCreated"`
		VMsLive        int `json:"vmsLive"`
		DuplicateVMs   int `json:"duplicateVMs"`
	}
	control(t, http.MethodGet, url+"/_sim/stats", "", &stats)
	left, err := c.ListVMs(t.Context())
	require.NoError(t, err)
	cs := c.Stats()
	t.Logf("chaos via vpsie-sim: %d cycles in %s, %d calls (%d failed on purpose), %d retries; created %d, left %d, duplicates %d",
		cycles, elapsed.Round(time.Millisecond), cs.Attempts, stats.InjectedErrors, cs.Retries,
		stats.VMsCreated, len(left), stats.DuplicateVMs)
	require.Empty(t, left)
	require.Zero(t, stats.VMsLive)
	require.Zero(t, stats.DuplicateVMs)
	require.Equal(t, cycles, stats.VMsCreated)
}

// createThenDelete retries each step as a whole while its error is
// retryable, as the executor retries a step.
func createThenDelete(t *testing.T, c cloud.VMs, hostname string) error {
	spec := cloud.CreateSpec{Hostname: hostname, OfferingID: catalog.ID("offering", "compute-2"), Datacenter: catalog.NYC1}
	var vm cloud.VM
	err := retryStep(func() (err error) { vm, err = c.CreateVM(t.Context(), spec); return err })
	if err != nil {
		return fmt.Errorf("create %s: %w", hostname, err)
	}
	if err := retryStep(func() error { return c.DeleteVM(t.Context(), vm.ID) }); err != nil {
		return fmt.Errorf("delete %s: %w", hostname, err)
	}
	return nil
}

func retryStep(f func() error) error {
	err := f()
	for i := 0; i < 5 && cloud.IsRetryable(err); i++ {
		err = f()
	}
	return err
}

// control calls the simulator's control endpoint and decodes its data.
func control(t *testing.T, method, url, body string, out any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Vpsie-Auth", testToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var env struct {
		Error   bool            `json:"error"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	require.False(t, env.Error, env.Message)
	if out != nil {
		require.NoError(t, json.Unmarshal(env.Data, out))
	}
}
