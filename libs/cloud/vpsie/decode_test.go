package vpsie

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// validVMList is the fixture the decode cases change one thing in: a list
// as the simulator and VPSie send it, numbers as strings included.
const validVMList = `{"error":false,"total":1,"data":[{"id":7,"identifier":"6f1c0d0e-3b1a-4c1e-9d3e-2a6b9c1d7e01",
"hostname":"web-1","ram":"8192","cpu":4,"ssd":"100","dcIdentifier":"dc-1","state":"running","is_deleted":0,
"created_on":"2026-11-25 10:00:00","default_ip":"203.0.113.7","private_ip":"10.0.0.7",
"tags":["k8s-label:autoscaler.vpsie.io/nodegroup=web","team-a"]}]}`

func TestDecodeVMList(t *testing.T) {
	t.Parallel()
	var got []vmData
	require.NoError(t, decode("ListVMs", 200, nil, []byte(validVMList), time.Now(), &got))
	require.Len(t, got, 1)
	vm, ok := got[0].toVM()
	require.True(t, ok)
	require.Equal(t, cloud.VM{
		ID: "6f1c0d0e-3b1a-4c1e-9d3e-2a6b9c1d7e01", NumericID: 7, Hostname: "web-1", DatacenterID: "dc-1",
		CPU: 4, RAMMB: 8192, DiskGB: 100, Status: cloud.VMRunning, PublicIP: "203.0.113.7", PrivateIP: "10.0.0.7",
		Labels: map[string]string{"autoscaler.vpsie.io/nodegroup": "web"}, Tags: []string{"team-a"},
		CreatedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
	}, vm)
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		status int
		header http.Header
		body   string
		kind   error
		code   int
		after  time.Duration
	}{
		"an error envelope with HTTP 200": {
			status: 200, body: `{"error":true,"code":401,"message":"Invalid token"}`, kind: cloud.ErrUnauthorized, code: 401},
		"an error flag sent as a string": {
			status: 200, body: `{"error":"1","code":"404","message":"VM not found"}`, kind: cloud.ErrNotFound, code: 404},
		"an error with no code at all": {
			status: 200, body: `{"error":true,"message":"Something went wrong"}`, kind: cloud.ErrTransient},
		"a quota message behind a 403": {
			status: 403, body: `{"error":true,"code":403,"message":"VM quota exceeded"}`, kind: cloud.ErrQuotaExceeded, code: 403},
		"an availability message behind a 400": {
			status: 400, body: `{"error":true,"message":"Plan not available in this datacenter"}`, kind: cloud.ErrOfferingUnavailable, code: 400},
		"a 429 with Retry-After seconds": {
			status: 429, header: http.Header{"Retry-After": {"3"}}, body: `{"error":true,"code":429,"message":"slow down"}`,
			kind: cloud.ErrRateLimited, code: 429, after: 3 * time.Second},
		"an HTML 502 from a proxy": {
			status: 502, body: `<html>Bad Gateway</html>`, kind: cloud.ErrTransient, code: 502},
		"a 200 that is not JSON": {
			status: 200, body: `<html>maintenance</html>`, kind: cloud.ErrTransient, code: 200},
		"data of the wrong shape": {
			status: 200, body: `{"error":false,"data":{"not":"a list"}}`, kind: cloud.ErrTransient, code: 200},
		"a number that is not one": {
			status: 200, body: `{"error":false,"data":[{"identifier":"x","ram":"lots"}]}`, kind: cloud.ErrTransient, code: 200},
		"a message sent as a list": {
			status: 422, body: `{"error":true,"message":["hostname is required"]}`, kind: cloud.ErrInvalid, code: 422},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []vmData
			err := decode("ListVMs", tc.status, tc.header, []byte(tc.body), time.Now(), &got)
			require.ErrorIs(t, err, tc.kind)
			var e *cloud.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.code, e.Code)
			require.Equal(t, "ListVMs", e.Op)
			require.Equal(t, tc.after, e.RetryAfter)
		})
	}
}

func TestDecodeAcceptsABareTrue(t *testing.T) {
	t.Parallel()
	require.NoError(t, decode("DeleteVM", 200, nil, []byte(" true\n"), time.Now(), nil))
}

func TestDecodeGetAcceptsBothShapes(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"wrapped in vmData, as the SDK reads it": `{"error":false,"data":{"vmData":{"identifier":"a","hostname":"h","cpu":"2"}}}`,
		"bare":                                   `{"error":false,"data":{"identifier":"a","hostname":"h","cpu":2}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var d vmDetail
			require.NoError(t, decode("GetVM", 200, nil, []byte(body), time.Now(), &d))
			vm, ok := d.toVM()
			require.True(t, ok)
			require.Equal(t, []any{"a", "h", 2}, []any{vm.ID, vm.Hostname, vm.CPU})
		})
	}
}

func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":               0,
		"2":              2 * time.Second,
		"-5":             0,
		"soon":           0,
		"99999999999999": 24 * time.Hour,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
	}
	for v, want := range cases {
		require.Equal(t, want, retryAfter(http.Header{"Retry-After": {v}}, now), "Retry-After %q", v)
	}
}
