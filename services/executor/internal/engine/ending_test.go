package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// errKilled stands for the SIGKILL of the owner: none of its writes lands.
var errKilled = errors.New("owner killed")

// killingStore lets through `after` writes following the one that makes
// the execution final, then fails every write, as a killed owner would.
type killingStore struct {
	*memStore
	after  int
	writes int // since the final write; -1 before it
}

func (k *killingStore) Update(ctx context.Context, r *store.Record) (*store.Record, error) {
	if k.writes >= k.after {
		return nil, errKilled
	}
	saved, err := k.memStore.Update(ctx, r)
	if err == nil && (k.writes >= 0 || isFinal(r.State.GetStatus())) {
		k.writes++
	}
	return saved, err
}

// Seed 1039: an owner killed anywhere after the write that made its
// execution final leaves the end's tail to the replica that claims it
// next: the final event goes out exactly once, nothing after it, and the
// NodeGroup's lock and Rebalancing condition are cleared.
func TestTheEndOfAnExecutionSurvivesItsOwnersDeath(t *testing.T) {
	t.Parallel()
	for name, after := range map[string]int{
		"killed right after the final status":    0,
		"killed after SAVINGS_VERIFIED":          1,
		"killed after the NodeGroup update":      2,
		"killed after the final event is stored": 3,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newReplicas(t)
			x, ctx := r.running(t)
			require.NoError(t, x.updateGroup(ctx), "the running execution holds the group")
			require.NotNil(t, r.world.group(t).Status.ActiveExecution)

			x.deps.Store = &killingStore{memStore: r.mem, after: after, writes: -1}
			require.ErrorIs(t, x.finish(ctx, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED), errKilled)
			rec, err := r.mem.Get(t.Context(), "exec-1")
			require.NoError(t, err)
			require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, rec.State.GetStatus())
			require.NotNil(t, rec.Book.Ending, "the tail is left pending")

			r.clock.Step(testTTL) // a's lease runs out
			require.NoError(t, r.b.scan(t.Context()))
			require.Eventually(t, func() bool {
				rec, err := r.mem.Get(t.Context(), "exec-1")
				return err == nil && rec.Book.Ending == nil && !r.b.runsHere("exec-1")
			}, 10*time.Second, 10*time.Millisecond, "b finishes the tail")

			stream := mergeBySequence(r.a.deps.Events.(*events), r.b.deps.Events.(*events))
			var finals int
			for i, ev := range stream {
				if isFinalKind(ev.GetKind()) {
					finals++
					require.Len(t, stream, i+1, "nothing after the final event: %v", stream[i+1:])
				}
			}
			require.Equal(t, 1, finals, "one final event")
			require.Equal(t, rebalancerv1.EventKind_EVENT_KIND_EXECUTION_SUCCEEDED, stream[len(stream)-1].GetKind())

			ng := r.world.group(t)
			require.Nil(t, ng.Status.ActiveExecution, "lock cleared")
			cond := meta.FindStatusCondition(ng.Status.Conditions, ConditionRebalancing)
			require.NotNil(t, cond)
			require.Equal(t, metav1.ConditionFalse, cond.Status)
			require.Equal(t, "Succeeded", cond.Reason)
			rec, err = r.mem.Get(t.Context(), "exec-1")
			require.NoError(t, err)
			require.Empty(t, rec.Lease.Owner, "lease released")
			require.NoError(t, r.b.scan(t.Context()))
			require.False(t, r.b.runsHere("exec-1"), "a settled execution is nobody's work")
		})
	}
}

// mergeBySequence is the stream as JetStream keeps it: the events of
// every publisher in sequence order, a republished sequence once.
func mergeBySequence(pubs ...*events) []*rebalancerv1.ExecutionEvent {
	bySeq := map[uint64]*rebalancerv1.ExecutionEvent{}
	var last uint64
	for _, p := range pubs {
		p.mu.Lock()
		for _, ev := range p.list {
			bySeq[ev.GetSequence()] = ev
			last = max(last, ev.GetSequence())
		}
		p.mu.Unlock()
	}
	var out []*rebalancerv1.ExecutionEvent
	for seq := uint64(1); seq <= last; seq++ {
		if ev := bySeq[seq]; ev != nil {
			out = append(out, ev)
		}
	}
	return out
}
