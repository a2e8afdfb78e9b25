package vpsiesim_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

func TestAuthenticationIsEnforced(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	for _, path := range []string{"/api/v2/vm", "/apps/v2/datacenter", "/api/v2/account/quota", "/_sim/faults", "/_sim/stats"} {
		for _, tok := range []string{"", "wrong-token"} {
			r := call(t, srv, tok, http.MethodGet, path, nil)
			require.Equal(t, http.StatusUnauthorized, r.Status, path)
			require.True(t, r.Error, path)
			require.Equal(t, 401, r.Code, path)
			require.NotEmpty(t, r.Message, path)
		}
	}
	require.Equal(t, 10, srv.Stats().Unauthorized)
}

func TestCreateAnswersWithoutAnIdentifier(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	r := call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))
	require.False(t, r.Error, r.Message)
	require.NotContains(t, string(r.Data), "identifier")

	listed := vms(t, srv)
	require.Len(t, listed, 1)
	require.Equal(t, "web-1", listed[0]["hostname"])
	require.Equal(t, "8192", listed[0]["ram"], "numbers arrive as strings")
	require.Equal(t, "building", listed[0]["state"])

	get := call(t, srv, token, http.MethodGet, "/api/v2/vm/"+listed[0]["identifier"].(string), nil)
	require.False(t, get.Error)
	require.Contains(t, string(get.Data), `"vmData"`)
}

func TestCreateRefusals(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change func(map[string]any)
		status int
		words  string
	}{
		"a missing hostname":    {func(b map[string]any) { delete(b, "hostname") }, 400, "required"},
		"an unknown datacenter": {func(b map[string]any) { b["dcIdentifier"] = "nowhere" }, 404, "datacenter"},
		"a datacenter by name":  {func(b map[string]any) { b["dcIdentifier"] = catalog.NYC1 }, 404, "datacenter"},
		"an unknown offering":   {func(b map[string]any) { b["resourceIdentifier"] = "nothing" }, 404, "resource"},
		"an offering not sold there": {func(b map[string]any) {
			b["dcIdentifier"] = catalog.ID("datacenter", catalog.SGP1)
			b["resourceIdentifier"] = catalog.ID("offering", "memory-8")
		}, 400, "not available"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, vpsiesim.Options{})
			b := createBody("web-1")
			tc.change(b)
			r := call(t, srv, token, http.MethodPost, "/api/v2/vm", b)
			require.True(t, r.Error)
			require.Equal(t, tc.status, r.Status)
			require.Contains(t, r.Message, tc.words)
			require.Empty(t, vms(t, srv))
		})
	}
}

func TestDeleteTwiceAnswersNotFound(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))
	id := vms(t, srv)[0]["identifier"]
	first := call(t, srv, token, http.MethodDelete, "/api/v2/vm", map[string]any{"vmIdentifier": id})
	require.False(t, first.Error, first.Message)
	again := call(t, srv, token, http.MethodDelete, "/api/v2/vm", map[string]any{"vmIdentifier": id})
	require.Equal(t, http.StatusNotFound, again.Status)
	require.Empty(t, vms(t, srv))
}

func TestAccountsSeeOnlyTheirVMs(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	srv.AddAccount("other-token", vpsiesim.DefaultQuota())
	call(t, srv, "other-token", http.MethodPost, "/api/v2/vm", createBody("theirs"))
	require.Empty(t, vms(t, srv))
}

func TestPlansArePricedMonthlyAsDecimalStrings(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	form := "dcIdentifier=" + catalog.ID("datacenter", catalog.NYC1) + "&osIdentifier=os&isCustom=0&planCatIdentifier=" +
		catalog.ID("category", "Standard")
	r := call(t, srv, token, http.MethodPost, "/apps/v2/resources", form)
	require.False(t, r.Error, r.Message)
	var plans []map[string]any
	require.NoError(t, json.Unmarshal(r.Data, &plans))
	require.Len(t, plans, 4)
	require.Equal(t, map[string]any{"identifier": catalog.ID("offering", "standard-8"), "nickname": "standard-8",
		"cpu": 8.0, "ram": "16384", "ssd": 320.0, "traffic": 6000.0, "price": "48.00"}, plans[2])
}

func TestQuotaIsPerAccountAndSettable(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-1"))
	r := call(t, srv, token, http.MethodPut, "/_sim/quota", map[string]any{"maxVms": 1})
	require.False(t, r.Error, r.Message)
	require.JSONEq(t, `{"maxVms":"1","usedVms":"1","maxCpu":"400","usedCpu":"4","maxRamMb":"1048576","usedRamMb":"8192"}`, string(r.Data))

	full := call(t, srv, token, http.MethodPost, "/api/v2/vm", createBody("web-2"))
	require.Equal(t, http.StatusForbidden, full.Status)
	require.Contains(t, full.Message, "quota")
	require.Len(t, vms(t, srv), 1)
}

func TestUnknownPathsAnswerWithAnEnvelope(t *testing.T) {
	t.Parallel()
	r := call(t, start(t, vpsiesim.Options{}), token, http.MethodGet, "/api/v2/nothing", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
	require.True(t, r.Error)
}

func TestTheRateLimitAnswers429WithRetryAfter(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{RateLimit: 1})
	var last reply
	for range 4 {
		last = call(t, srv, token, http.MethodGet, "/api/v2/vm", nil)
	}
	require.Equal(t, http.StatusTooManyRequests, last.Status)
	require.Equal(t, "1", last.Header.Get("Retry-After"))
}
