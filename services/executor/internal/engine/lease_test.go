package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"
	clocktesting "k8s.io/utils/clock/testing"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/nodestep"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

const testTTL = 3 * time.Second

// twoReplicas are two executors sharing one store, one fake clock and one
// fake world (the unit's NodeGroup shop/web and its node old-0), with one
// RUNNING execution of a one-node plan whose lease replica "a" holds.
type twoReplicas struct {
	a, b  *Executor
	mem   *memStore
	clock *clocktesting.FakeClock
	rec   *store.Record
	world *unit
}

func newReplicas(t *testing.T) *twoReplicas {
	t.Helper()
	w := newUnit(t)
	w.addNodes(t, "old-0")
	r := &twoReplicas{mem: &memStore{recs: map[string]*store.Record{}}, clock: w.clock, world: w}
	r.a, r.b = r.replica(t, "a", Roles{}), r.replica(t, "b", Roles{})
	rec, err := r.mem.Create(t.Context(), &store.Record{
		Plan: w.x.plan(),
		State: &rebalancerv1.ExecutionState{ExecutionId: "exec-1", PlanId: w.x.plan().GetPlanId(), Namespace: "shop", NodeGroup: "web",
			Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING, Owner: "a", StartedAt: timestamppb.New(r.clock.Now()),
			Nodes: w.x.snapshot().GetNodes()},
		Lease: store.Lease{Owner: "a", Expires: r.clock.Now().Add(testTTL)},
	})
	require.NoError(t, err)
	r.rec = rec
	return r
}

// replica is an executor named name, with roles (zero: both), over the
// replicas' store, clock and world.
func (r *twoReplicas) replica(t *testing.T, name string, roles Roles) *Executor {
	t.Helper()
	w := r.world
	e := New(Deps{Kube: w.kube, Groups: w.groups, Cloud: w.cloud, Store: r.mem, Events: &events{}, Clock: r.clock,
		Replica: name, LeaseTTL: testTTL, Roles: roles}, accept.Checker{Kube: w.kube, Groups: w.groups}, nil)
	t.Cleanup(e.Stop)
	return e
}

// running is replica a's execution, as launch builds it.
func (r *twoReplicas) running(t *testing.T) (*execution, context.Context) {
	ctx, stop := context.WithCancelCause(t.Context())
	t.Cleanup(func() { stop(nil) })
	return newExecution(&r.a.deps, r.rec, stop), ctx
}

func TestALiveLeaseIsNotClaimedAndAnExpiredOneIs(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	_, err := r.b.claim(t.Context(), r.rec)
	require.ErrorIs(t, err, errLeaseHeld)

	r.clock.Step(testTTL)
	claimed, err := r.b.claim(t.Context(), r.rec)
	require.NoError(t, err)
	require.Equal(t, "b", claimed.Lease.Owner)
	require.True(t, claimed.Lease.Expires.Equal(r.clock.Now().Add(testTTL)), "expires one TTL from now")
	require.Equal(t, "b", claimed.State.GetOwner())
}

// Both replicas read the expired lease at the same revision; the store's
// revision check lets exactly one claim through.
func TestTwoClaimantsOfAnExpiredLeaseOneWins(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	r.clock.Step(testTTL + time.Second)
	c := r.replica(t, "c", Roles{})

	_, errB := r.b.claim(t.Context(), r.rec)
	_, errC := c.claim(t.Context(), r.rec)
	require.NoError(t, errB)
	require.ErrorIs(t, errC, store.ErrConflict)
	stored, err := r.mem.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.Equal(t, "b", stored.Lease.Owner)
}

// The old owner's next write after a takeover fails and stops its run: it
// never writes over the new owner's record.
func TestTheOwnerStopsAtItsNextWriteAfterATakeover(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	x, ctx := r.running(t)
	r.clock.Step(testTTL)
	_, err := r.b.claim(t.Context(), r.rec)
	require.NoError(t, err)

	// Even a renewal attempted in time by a's (slower) clock is fenced.
	x.rec.Lease.Expires = r.clock.Now().Add(time.Hour)
	err = x.update(t.Context(), func(r *store.Record) { r.State.CurrentBatch = 9 })
	require.ErrorIs(t, err, errLeaseLost)
	require.ErrorIs(t, context.Cause(ctx), errLeaseLost)
	stored, err := r.mem.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.Zero(t, stored.State.GetCurrentBatch())
}

// Past its expiry by its own clock, an owner takes no step even though
// nobody claimed the lease yet.
func TestNoStepRunsOnAnExpiredLease(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	x, ctx := r.running(t)
	r.clock.Step(testTTL)
	ran := false
	n := x.steps.Node(&rebalancerv1.CandidateNode{NodeName: "old-0"}, 1)
	err := n.Run(ctx, []nodestep.Step{{Name: "side effect", Done: func(*nodestep.Node) bool { return false },
		Run: func(context.Context, *nodestep.Node) error { ran = true; return nil }}})
	require.ErrorIs(t, err, errLeaseLost)
	require.False(t, ran)
}

// Renewals that keep failing stop the run a tick before the lease would
// expire; while they succeed the lease moves ahead.
func TestRenewalFailureStopsTheRunBeforeExpiry(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	x, ctx := r.running(t)
	go x.heartbeat(ctx)
	tick := func() {
		for !r.clock.HasWaiters() {
			time.Sleep(time.Millisecond) // the heartbeat's ticker is not there yet
		}
		r.clock.Step(testTTL / 3)
	}
	tick()
	require.Eventually(t, func() bool {
		var l store.Lease
		x.view(func(rec *store.Record) { l = rec.Lease })
		return l.Expires.Equal(r.clock.Now().Add(testTTL))
	}, 10*time.Second, time.Millisecond, "the first renewal moves the expiry one TTL ahead")

	r.mem.mu.Lock()
	r.mem.failUpdates = errors.New("nats: no responders")
	r.mem.mu.Unlock()
	tick() // one failure: two thirds of the TTL left, keep going
	require.NoError(t, ctx.Err())
	tick() // the next failure leaves less than one tick: stop now
	<-ctx.Done()
	require.ErrorIs(t, context.Cause(ctx), errLeaseLost)
	require.True(t, r.clock.Now().Before(x.rec.Lease.Expires), "stopped while the lease was still valid")
}

// An operator's write (pause) between two of the owner's writes is kept:
// the owner re-reads and applies its change over it.
func TestAnOperatorRequestIsKeptByTheOwnersNextWrite(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	x, _ := r.running(t)
	req := r.rec.Clone()
	req.Control.Pause = true
	_, err := r.mem.Update(t.Context(), req)
	require.NoError(t, err)

	require.NoError(t, x.update(t.Context(), func(r *store.Record) { r.State.CurrentBatch = 2 }))
	stored, err := r.mem.Get(t.Context(), "exec-1")
	require.NoError(t, err)
	require.True(t, stored.Control.Pause)
	require.EqualValues(t, 2, stored.State.GetCurrentBatch())
}

// The scan's index may show a revision the bucket has moved past: the
// claim then judges the latest record instead of failing every scan.
func TestAClaimFromAStaleReadJudgesTheLatestRecord(t *testing.T) {
	t.Parallel()
	r := newReplicas(t)
	stale := r.rec
	r.write(t, func(rec *store.Record) { rec.Control.Reason = "a write the index has not seen" })
	r.clock.Step(testTTL)
	claimed, previous, err := r.b.claimFresh(t.Context(), stale)
	require.NoError(t, err)
	require.Equal(t, "b", claimed.Lease.Owner)
	require.Equal(t, "a", previous)

	r = newReplicas(t)
	stale = r.rec
	r.write(t, func(rec *store.Record) { rec.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED })
	r.clock.Step(testTTL)
	_, _, err = r.b.claimFresh(t.Context(), stale)
	require.ErrorIs(t, err, errLeaseHeld, "finished meanwhile: nothing to take")
}
