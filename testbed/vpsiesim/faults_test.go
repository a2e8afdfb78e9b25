package vpsiesim_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

func TestControlEndpointSetsShowsAndResetsFaults(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	body := map[string]any{
		"endpoints":   map[string]any{"vm.create": map[string]any{"errorRate": 0.3, "latency": "20ms"}},
		"unavailable": []any{map[string]any{"datacenter": catalog.NYC1, "offering": "compute-4"}},
		"neverJoin":   []string{"web-9"},
	}
	put := call(t, srv, token, http.MethodPut, "/_sim/faults", body)
	require.False(t, put.Error, put.Message)

	got := call(t, srv, token, http.MethodGet, "/_sim/faults", nil)
	var f vpsiesim.Faults
	require.NoError(t, json.Unmarshal(got.Data, &f))
	require.Equal(t, 0.3, f.Endpoints["vm.create"].ErrorRate)
	require.Equal(t, 20*time.Millisecond, f.Endpoints["vm.create"].Latency.Duration)
	require.Equal(t, []vpsiesim.Placement{{Datacenter: catalog.ID("datacenter", catalog.NYC1), Offering: catalog.ID("offering", "compute-4")}}, f.Unavailable)
	require.Equal(t, srv.Faults(), f, "the Go API and the endpoint show the same faults")

	call(t, srv, token, http.MethodDelete, "/_sim/faults", nil)
	require.Equal(t, vpsiesim.Faults{}, srv.Faults())
}

func TestControlEndpointRefusesBadFaults(t *testing.T) {
	t.Parallel()
	cases := map[string]any{
		"an unknown endpoint":     map[string]any{"endpoints": map[string]any{"vm.explode": map[string]any{}}},
		"a rate above one":        map[string]any{"endpoints": map[string]any{"*": map[string]any{"errorRate": 1.5}}},
		"a success status":        map[string]any{"endpoints": map[string]any{"*": map[string]any{"statuses": []int{200}}}},
		"a misspelt field":        map[string]any{"endpoints": map[string]any{"*": map[string]any{"errorRatio": 0.5}}},
		"a latency without units": map[string]any{"endpoints": map[string]any{"*": map[string]any{"latency": 5}}},
		"an unknown offering":     map[string]any{"unavailable": []any{map[string]any{"datacenter": catalog.NYC1, "offering": "huge-9"}}},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, vpsiesim.Options{})
			r := call(t, srv, token, http.MethodPut, "/_sim/faults", body)
			require.Equal(t, http.StatusBadRequest, r.Status)
			require.True(t, r.Error)
			require.Equal(t, vpsiesim.Faults{}, srv.Faults())
		})
	}
}

func TestInjectedFaults(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		faults vpsiesim.EndpointFaults
		check  func(t *testing.T, r reply)
	}{
		"every call failing with 503 and Retry-After": {
			vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{503}, RetryAfterSeconds: 2},
			func(t *testing.T, r reply) {
				require.Equal(t, 503, r.Status)
				require.Equal(t, "2", r.Header.Get("Retry-After"))
			}},
		"errors sent with HTTP 200": {
			vpsiesim.EndpointFaults{ErrorRate: 1, Statuses: []int{500}, ErrorsAsHTTP200: true},
			func(t *testing.T, r reply) {
				require.Equal(t, 200, r.Status)
				require.True(t, r.Error)
				require.Equal(t, 500, r.Code)
			}},
		"a burst of 429": {
			vpsiesim.EndpointFaults{Burst429: 1},
			func(t *testing.T, r reply) { require.Equal(t, 429, r.Status) }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, vpsiesim.Options{})
			require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointVMList, tc.faults))
			tc.check(t, call(t, srv, token, http.MethodGet, "/api/v2/vm", nil))
			ok := call(t, srv, token, http.MethodGet, "/apps/v2/datacenter", nil)
			require.False(t, ok.Error, "other endpoints are unaffected")
		})
	}
}

func TestABurstCountsDown(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointAll, vpsiesim.EndpointFaults{Burst429: 2}))
	require.Equal(t, 429, call(t, srv, token, http.MethodGet, "/api/v2/vm", nil).Status)
	require.Equal(t, 1, srv.Faults().Endpoints[vpsiesim.EndpointAll].Burst429)
	require.Equal(t, 429, call(t, srv, token, http.MethodGet, "/apps/v2/datacenter", nil).Status)
	require.Equal(t, 200, call(t, srv, token, http.MethodGet, "/api/v2/vm", nil).Status)
}

func TestExhaustedQuotaRefusesCreates(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	require.NoError(t, srv.UpdateFaults(func(f *vpsiesim.Faults) { f.QuotaExhausted = true }))
	r := call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Contains(t, r.Message, "quota")
}

// TestFailuresAfterTheEffectDuplicateNaiveRetries shows the chaos faults
// have teeth: a client that simply resends a failed create gets two VMs.
func TestFailuresAfterTheEffectDuplicateNaiveRetries(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointVMCreate, vpsiesim.EndpointFaults{
		ErrorRate: 1, Statuses: []int{500}, AfterEffectRate: 1}))
	for range 2 { // a naive retry
		r := call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))
		require.Equal(t, 500, r.Status)
	}
	require.Len(t, vms(t, srv), 2)
	require.Equal(t, 1, srv.Stats().DuplicateVMs)
}
