package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/cloudtest"
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

	const cycles = 100
	res := cloudtest.Cycles(t, c, "cmd-chaos", cycles, 10)

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
		cycles, res.Elapsed.Round(time.Millisecond), cs.Attempts, stats.InjectedErrors, cs.Retries,
		stats.VMsCreated, len(left), stats.DuplicateVMs)
	require.Empty(t, left)
	require.Zero(t, stats.VMsLive)
	require.Zero(t, stats.DuplicateVMs)
	require.Equal(t, cycles, stats.VMsCreated)
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
