package vpsiesim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

func pending(t *testing.T, srv *vpsiesim.Server) []map[string]any {
	t.Helper()
	r := call(t, srv, token, http.MethodGet, "/apps/v2/vm/pending", nil)
	require.False(t, r.Error, r.Message)
	var out []map[string]any
	require.NoError(t, json.Unmarshal(r.Data, &out))
	return out
}

func TestANewVMIsOnlyPendingForTheListingLag(t *testing.T) {
	t.Parallel()
	clk := clocktesting.NewFakeClock(time.Now())
	srv := start(t, vpsiesim.Options{Clock: clk, BootDelay: time.Hour, ListingLag: 3 * time.Second})
	call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))

	require.Empty(t, vms(t, srv), "not listed during the lag")
	p := pending(t, srv)
	require.Len(t, p, 1)
	require.Equal(t, "web-1", p[0]["data"].(map[string]any)["hostname"])
	require.NotContains(t, p[0], "identifier", "a pending VM has no identifier yet")

	clk.Step(3 * time.Second)
	require.Len(t, vms(t, srv), 1)
	require.Empty(t, pending(t, srv))
}

func TestTheListingLagCanBeSetAsAFault(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	r := call(t, srv, token, http.MethodPut, "/_sim/faults", map[string]any{"listingLag": "1h"})
	require.False(t, r.Error, r.Message)
	require.Equal(t, time.Hour, srv.Faults().ListingLag.Duration)
	call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))
	require.Empty(t, vms(t, srv))
	require.Len(t, pending(t, srv), 1)
}

func TestTheVMListIsPaged(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{PageSize: 3})
	for i := range 7 {
		call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody(fmt.Sprintf("web-%d", i)))
	}
	var seen []string
	for page := 1; page <= 4; page++ {
		r := call(t, srv, token, http.MethodGet, fmt.Sprintf("/api/v2/vm?page=%d&per_page=100", page), nil)
		require.False(t, r.Error, r.Message)
		require.Equal(t, 7, r.Total, "total counts every page")
		var items []map[string]any
		require.NoError(t, json.Unmarshal(r.Data, &items))
		require.LessOrEqual(t, len(items), 3, "per_page is capped at the page size")
		for _, it := range items {
			seen = append(seen, it["hostname"].(string))
		}
	}
	require.Equal(t, []string{"web-0", "web-1", "web-2", "web-3", "web-4", "web-5", "web-6"}, seen)
	bad := call(t, srv, token, http.MethodGet, "/api/v2/vm?page=0", nil)
	require.Equal(t, http.StatusBadRequest, bad.Status)
}
