package engine

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

// memStore is a Store in memory with the KV's revision rule.
type memStore struct {
	mu   sync.Mutex
	recs map[string]*store.Record
	// failUpdates makes every Update fail, as when NATS is unreachable.
	failUpdates error
}

func (m *memStore) Create(_ context.Context, r *store.Record) (*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.recs[r.State.GetExecutionId()]; ok {
		return nil, store.ErrExists
	}
	c := r.Clone()
	c.Revision = 1
	m.recs[r.State.GetExecutionId()] = c
	return c.Clone(), nil
}

func (m *memStore) Get(_ context.Context, id string) (*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[id]; ok {
		return r.Clone(), nil
	}
	return nil, store.ErrNotFound
}

func (m *memStore) Update(_ context.Context, r *store.Record) (*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failUpdates != nil {
		return nil, m.failUpdates
	}
	cur, ok := m.recs[r.State.GetExecutionId()]
	if !ok {
		return nil, store.ErrNotFound
	}
	if cur.Revision != r.Revision {
		return nil, store.ErrConflict
	}
	c := r.Clone()
	c.Revision++
	m.recs[r.State.GetExecutionId()] = c
	return c.Clone(), nil
}

func (m *memStore) List(context.Context) ([]*store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*store.Record
	for _, r := range m.recs {
		out = append(out, r.Clone())
	}
	return out, nil
}

func (m *memStore) Unfinished(ctx context.Context) ([]*store.Record, error) {
	recs, err := m.List(ctx)
	return slices.DeleteFunc(recs, func(r *store.Record) bool { return store.Final(r.State.GetStatus()) }), err
}

// events records what was published.
type events struct {
	mu   sync.Mutex
	list []*rebalancerv1.ExecutionEvent
}

func (e *events) Publish(_ context.Context, ev *rebalancerv1.ExecutionEvent) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
	return nil
}

func (e *events) kinds() []rebalancerv1.EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []rebalancerv1.EventKind
	for _, ev := range e.list {
		out = append(out, ev.GetKind())
	}
	return out
}

// unit is an execution of a one-node plan over fakes.
type unit struct {
	x      *execution
	cloud  *cloudfake.Provider
	kube   *fake.Clientset
	clock  *clocktesting.FakeClock
	events *events
}

func newUnit(t *testing.T, alternatives ...string) *unit {
	t.Helper()
	cand := &rebalancerv1.CandidateNode{NodeName: "old-0", VmIdentifier: "vm-old-0", CurrentOffering: "standard-8", TargetOffering: "compute-4"}
	plan := &rebalancerv1.RebalancePlan{
		PlanId: "plan-0123456789abcdef0123", NodeGroup: "web", Namespace: "shop",
		Opportunity: &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4", AlternativeOfferings: alternatives},
		Policy:      &rebalancerv1.RebalancePolicy{DrainTimeout: durationpb.New(time.Minute), ProvisionTimeout: durationpb.New(time.Minute)},
		Batches: []*rebalancerv1.NodeBatch{{BatchNumber: 1, Phase: rebalancerv1.BatchPhase_BATCH_PHASE_REPLACE,
			Nodes: []*rebalancerv1.CandidateNode{cand}}},
	}
	u := &unit{cloud: cloudfake.New(), kube: fake.NewClientset(), clock: clocktesting.NewFakeClock(time.Unix(1_800_000_000, 0)), events: &events{}}
	mem := &memStore{recs: map[string]*store.Record{}}
	deps := Deps{Kube: u.kube, Cloud: u.cloud, Store: mem, Events: u.events, Clock: u.clock}
	deps.withDefaults()
	deps.Pace.CloudRetry = time.Millisecond
	// A lease far ahead: these tests step the clock by minutes, not days.
	lease := store.Lease{Expires: u.clock.Now().Add(1000 * time.Hour)}
	rec, err := mem.Create(t.Context(), &store.Record{Plan: plan, Book: store.Book{Datacenter: catalog.NYC1}, Lease: lease,
		State: &rebalancerv1.ExecutionState{ExecutionId: "exec-1", PlanId: plan.PlanId, NodeGroup: "web", Namespace: "shop",
			Nodes: []*rebalancerv1.NodeExecution{{OldNode: "old-0", OldVmIdentifier: "vm-old-0", Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING}}}})
	require.NoError(t, err)
	u.x = newExecution(&deps, rec, nil)
	return u
}
