package store

import (
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func openInternalKV(t *testing.T) *KV {
	t.Helper()
	s := openTestKV(t)
	require.NotNil(t, s.batch, "the embedded server takes atomic batches")
	return s
}

func twoNodeRecord(id string) *Record {
	r := &Record{State: &rebalancerv1.ExecutionState{ExecutionId: id, PlanId: "plan-x"},
		Plan: &rebalancerv1.RebalancePlan{PlanId: "plan-x"}}
	for _, name := range []string{"a", "b"} {
		r.State.Nodes = append(r.State.Nodes, &rebalancerv1.NodeExecution{OldNode: name})
		r.Book.NodeBook(name).ProvisionAttempts = 1
	}
	return r
}

// A part written after the head was read is not joined with it: the read
// starts again (Get), so a record never reads half of two writes.
func TestAPartNewerThanTheHeadIsNotJoined(t *testing.T) {
	s := openInternalKV(t)
	rec, err := s.Create(t.Context(), twoNodeRecord("exec-moved"))
	require.NoError(t, err)
	_, err = s.kv.Put(t.Context(), NodePartKey("exec-moved", "b"), []byte(`{"i":1}`))
	require.NoError(t, err)
	_, err = s.readParts(t.Context(), "exec-moved", rec.Revision)
	require.ErrorIs(t, err, errPartsMoved)
}

// A node gone from a record is deleted with the write that drops it.
func TestANodeDroppedIsDeleted(t *testing.T) {
	s := openInternalKV(t)
	rec, err := s.Create(t.Context(), twoNodeRecord("exec-drop"))
	require.NoError(t, err)
	next := rec.Clone()
	next.State.Nodes = next.State.Nodes[:1]
	delete(next.Book.Nodes, "b")
	_, err = s.Update(t.Context(), next)
	require.NoError(t, err)
	got, err := s.Get(t.Context(), "exec-drop")
	require.NoError(t, err)
	require.Len(t, got.State.GetNodes(), 1)
	require.NotContains(t, got.Book.Nodes, "b")
}

// A record an earlier version wrote whole reads, and its first write
// stores it in parts.
func TestARecordWrittenWholeIsSplitByItsNextWrite(t *testing.T) {
	s := openInternalKV(t)
	r := twoNodeRecord("exec-whole")
	require.NoError(t, s.createPlan(t.Context(), r))
	data, err := r.encode()
	require.NoError(t, err)
	_, err = s.kv.Create(t.Context(), "exec-whole", data)
	require.NoError(t, err)
	got, err := s.Get(t.Context(), "exec-whole")
	require.NoError(t, err)
	require.Len(t, got.State.GetNodes(), 2)
	_, err = s.Update(t.Context(), got)
	require.NoError(t, err)
	head, err := s.kv.Get(t.Context(), "exec-whole")
	require.NoError(t, err)
	d, err := decode(head.Value())
	require.NoError(t, err)
	require.NotNil(t, d.parts)
	again, err := s.Get(t.Context(), "exec-whole")
	require.NoError(t, err)
	requireSameRecord(t, got, again)
}
