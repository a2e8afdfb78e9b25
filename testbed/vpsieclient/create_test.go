package vpsieclient_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudtest"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// rule may answer the nth create (kind "create") or VM list (kind "list")
// itself; pass forwards the request to the simulator. It returns false to
// let the request through untouched.
type rule func(kind string, n int, w http.ResponseWriter, r *http.Request, pass func(http.ResponseWriter)) bool

// interceptor stands between the client and the simulator and logs the
// order of lists and creates.
type interceptor struct {
	sim    http.Handler
	rule   rule
	mu     sync.Mutex
	counts map[string]int
	events []string // "list ok", "list failed", "create"
}

func (i *interceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := map[string]string{"POST /api/v2/vm": "create", "GET /api/v2/vm": "list"}[r.Method+" "+r.URL.Path]
	if kind == "" {
		i.sim.ServeHTTP(w, r)
		return
	}
	i.mu.Lock()
	i.counts[kind]++
	n := i.counts[kind]
	i.mu.Unlock()
	rec := httptest.NewRecorder()
	if !i.rule(kind, n, rec, r, func(w http.ResponseWriter) { i.sim.ServeHTTP(w, r) }) {
		i.sim.ServeHTTP(rec, r)
	}
	i.mu.Lock()
	ev := kind
	if kind == "list" {
		ev += map[bool]string{true: " ok", false: " failed"}[rec.Code == 200]
	}
	i.events = append(i.events, ev)
	i.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func TestCreateNeverOrdersTwice(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		rule    rule
		creates int // POSTs the simulator should see
	}{
		"a create whose answer is lost is found, not resent": {
			rule: func(kind string, n int, w http.ResponseWriter, _ *http.Request, pass func(http.ResponseWriter)) bool {
				if kind == "create" && n == 1 {
					pass(httptest.NewRecorder()) // the VM is made; the answer is lost
					w.WriteHeader(http.StatusBadGateway)
					return true
				}
				return false
			},
			creates: 1},
		"a create that times out is found, not resent": {
			rule: func(kind string, n int, w http.ResponseWriter, r *http.Request, pass func(http.ResponseWriter)) bool {
				if kind == "create" && n == 1 {
					pass(w)
					<-r.Context().Done() // answer only after the client gave up
					return true
				}
				return false
			},
			creates: 1},
		"a throttled create is resent": {
			rule: func(kind string, n int, w http.ResponseWriter, _ *http.Request, _ func(http.ResponseWriter)) bool {
				if kind == "create" && n == 1 {
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = w.Write([]byte(`{"error":true,"code":429,"message":"Too many requests"}`))
					return true
				}
				return false
			},
			creates: 2},
		"failed lookups never let a create go out blind": {
			rule: func(kind string, n int, w http.ResponseWriter, _ *http.Request, _ func(http.ResponseWriter)) bool {
				if kind == "list" && n <= 3 {
					w.WriteHeader(http.StatusInternalServerError)
					return true
				}
				return false
			},
			creates: 1},
		"a VM slow to be listed is waited for, not ordered again": {
			rule: func(kind string, n int, w http.ResponseWriter, _ *http.Request, _ func(http.ResponseWriter)) bool {
				if kind == "list" && n >= 2 && n <= 4 {
					_, _ = w.Write([]byte(`{"error":false,"data":[]}`)) // not listed yet
					return true
				}
				return false
			},
			creates: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := startSim(t, vpsiesim.Options{})
			in := &interceptor{sim: sim.Sim, rule: tc.rule, counts: map[string]int{}}
			c := newClient(t, serveHTTP(t, in), func(o *vpsie.Options) { o.AttemptTimeout = 200 * time.Millisecond })
			spec := cloud.CreateSpec{Hostname: cloudtest.Hostname("once"), OfferingID: catalog.ID("offering", "compute-4"), Datacenter: catalog.NYC1}

			vm, err := c.CreateVM(t.Context(), spec)
			require.NoError(t, err)
			require.Equal(t, spec.Hostname, vm.Hostname)
			require.Equal(t, 1, sim.Stats().VMsCreated, "one VM, whatever happened on the wire")
			in.mu.Lock()
			defer in.mu.Unlock()
			require.Equal(t, tc.creates, in.counts["create"])
			for i, ev := range in.events {
				if ev == "create" {
					require.Equal(t, "list ok", in.events[i-1], "every create follows a lookup that found nothing: %v", in.events)
				}
			}
		})
	}
}
