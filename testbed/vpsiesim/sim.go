// Package vpsiesim is an HTTP simulator of the VPSie API: the endpoints of
// libs/cloud/README.md over the default catalogue, with per-account quotas, boot
// latency, a listing lag and paging, VMs that join a Kubernetes cluster as
// kwok nodes once booted (given the join token), managed Kubernetes
// clusters whose node groups add and delete nodes, and faults injected
// through a Go API or an HTTP control endpoint.
//
// Use NewServer in tests (it listens on a loopback port, like httptest) and
// bin/vpsie-sim for the demo. A Sim is also a plain http.Handler.
package vpsiesim

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// DefaultQuota is an account's quota unless Options or SetQuota say otherwise.
func DefaultQuota() cloud.Quota { return cloud.Quota{MaxVMs: 50, MaxCPU: 400, MaxRAMMB: 1 << 20} }

// Options configure a Sim. Token is required.
type Options struct {
	// Token authenticates the default account (header Vpsie-Auth).
	Token string
	// Quota limits the default account; DefaultQuota when zero.
	Quota cloud.Quota
	// BootDelay is how long a VM builds before it runs (default 2s).
	BootDelay time.Duration
	// Clock times the boots; the real clock when nil. Tests pass a fake
	// clock and step it instead of sleeping.
	Clock clock.WithDelayedExecution
	// Kube is the cluster booted VMs join as kwok nodes; nil joins nothing.
	Kube kubernetes.Interface
	// Catalog is what the simulator sells; catalog.Default() when nil.
	Catalog *catalog.Catalog
	// Seed makes fault injection repeatable (default 1).
	Seed uint64
	// RateLimit answers 429 beyond this many requests per second per
	// account (bursts of twice that); 0 disables it.
	RateLimit float64
	// Logger receives boots, joins and removals; discarded when nil.
	Logger *slog.Logger
	// JoinToken is the cluster's join token: a plain VM joins only when
	// its userData contains it (see BootstrapUserData). Empty: no plain
	// VM joins. Managed Kubernetes nodes need none.
	JoinToken string
	// ListingLag is how long a new VM shows only in GET
	// /apps/v2/vm/pending before GET /api/v2/vm lists it (default 0).
	// Faults.ListingLag overrides it while set.
	ListingLag time.Duration
	// PageSize is the most VMs one page of GET /api/v2/vm holds (default 50).
	PageSize int
}

// Sim is the simulator. It is safe for concurrent use.
type Sim struct {
	opts    Options
	mux     *http.ServeMux
	ctx     context.Context // ends at Close; bounds Kubernetes calls
	cancel  context.CancelFunc
	joining sync.WaitGroup

	mu          sync.Mutex
	closed      bool
	accounts    map[string]*account // by token
	vms         map[string]*vm      // by identifier, deleted ones included
	clusters    map[string]*cluster // by identifier
	lastGroupID int64
	lastID      int64
	faults      Faults
	rng         *rand.Rand
	stats       Stats
}

// New returns a simulator with one account, authenticated by opts.Token.
func New(opts Options) (*Sim, error) {
	if opts.Token == "" {
		return nil, errors.New("vpsiesim: a token is required")
	}
	opts = withDefaults(opts)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sim{
		opts: opts, ctx: ctx, cancel: cancel,
		accounts: map[string]*account{},
		vms:      map[string]*vm{},
		clusters: map[string]*cluster{},
		rng:      rand.New(rand.NewPCG(opts.Seed, opts.Seed)),
		stats:    Stats{Calls: map[string]int{}},
	}
	s.AddAccount(opts.Token, opts.Quota)
	s.routes()
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Quota == (cloud.Quota{}) {
		o.Quota = DefaultQuota()
	}
	if o.BootDelay <= 0 {
		o.BootDelay = 2 * time.Second
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Catalog == nil {
		o.Catalog = catalog.Default()
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.PageSize <= 0 {
		o.PageSize = 50
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// ServeHTTP serves the VPSie API and the control endpoint.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops pending boots and waits for joins in flight. VMs and their
// nodes are left as they are.
func (s *Sim) Close() {
	s.mu.Lock()
	s.closed = true
	for _, v := range s.vms {
		if v.boot != nil {
			v.boot.Stop()
		}
	}
	s.mu.Unlock()
	s.cancel()
	s.joining.Wait()
}
