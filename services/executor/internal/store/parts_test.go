package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// recordOf is a running execution of n nodes, lists derived in node order
// as the Executor derives them.
func recordOf(id string, n int) *store.Record {
	r := record(id)
	r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	for i := range n {
		name := fmt.Sprintf("web-%02d", i)
		r.State.Nodes = append(r.State.Nodes, &rebalancerv1.NodeExecution{OldNode: name, NewHostname: "new-" + name,
			BatchNumber: int32(i/2 + 1), Phase: rebalancerv1.NodePhase_NODE_PHASE_PENDING})
		r.Book.NodeBook(name).ProvisionAttempts = 1
	}
	return r
}

// streamLast is the sequence of the bucket stream's last message.
func streamLast(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	st, err := js.Stream(t.Context(), "KV_"+store.Bucket)
	require.NoError(t, err)
	info, err := st.Info(t.Context())
	require.NoError(t, err)
	return info.State.LastSeq
}

// A step changes one node: its write is the head and that node's part,
// not the whole record; the record reads back whole.
func TestAWriteCarriesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	s, raw, js := openRawKV(t)
	rec, err := s.Create(t.Context(), recordOf("exec-parts", 10))
	require.NoError(t, err)

	next := rec.Clone()
	next.State.Nodes[3].Phase = rebalancerv1.NodePhase_NODE_PHASE_DONE
	next.State.CompletedNodes = []string{"web-03"}
	next.State.ProvisionedNodes = []string{"new-03"}
	next.Book.NodeBook("web-03").Verified = true
	before := streamLast(t, js)
	written, err := s.Update(t.Context(), next)
	require.NoError(t, err)
	require.Equal(t, before+2, streamLast(t, js), "the head and one part")

	head, err := raw.Get(t.Context(), "exec-parts")
	require.NoError(t, err)
	require.Equal(t, written.Revision, head.Revision())
	var envelope map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(head.Value(), &envelope))
	require.Contains(t, envelope, "parts")
	part, err := raw.Get(t.Context(), store.NodePartKey("exec-parts", "web-03"))
	require.NoError(t, err)
	require.Less(t, part.Revision(), head.Revision(), "a part is written before its head")
	require.Less(t, len(head.Value())+len(part.Value()), len(mustEncode(t, next))/2)

	got, err := s.Get(t.Context(), "exec-parts")
	require.NoError(t, err)
	require.True(t, proto.Equal(next.State, got.State), "the state reads back whole")
	require.Equal(t, next.Book, got.Book)

	// Nothing changed but the head: one message.
	again := got.Clone()
	again.State.ProgressPercent = 50
	before = streamLast(t, js)
	_, err = s.Update(t.Context(), again)
	require.NoError(t, err)
	require.Equal(t, before+1, streamLast(t, js), "the head alone")
}

// mustEncode is the size of a record written whole: its JSON through the
// public fields is a fair stand-in for the envelope.
func mustEncode(t *testing.T, r *store.Record) []byte {
	t.Helper()
	state, err := proto.Marshal(r.State)
	require.NoError(t, err)
	book, err := json.Marshal(r.Book)
	require.NoError(t, err)
	return append(state, book...)
}

// The head is written over the revision its writer read, in the same
// atomic batch as the parts: a writer whose lease was claimed writes none
// of them, its parts included.
func TestAStaleWriterWritesNoPart(t *testing.T) {
	t.Parallel()
	s, raw, js := openRawKV(t)
	other, err := store.OpenKV(t.Context(), js, 1)
	require.NoError(t, err)
	rec, err := s.Create(t.Context(), recordOf("exec-fenced", 4))
	require.NoError(t, err)

	claimed := rec.Clone()
	claimed.Lease = store.Lease{Owner: "executor-1", Expires: time.Now().Add(time.Minute)}
	_, err = other.Update(t.Context(), claimed)
	require.NoError(t, err)

	stale := rec.Clone()
	stale.State.Nodes[1].Phase = rebalancerv1.NodePhase_NODE_PHASE_DRAINING
	stale.Book.NodeBook("web-01").DrainStartedAt = time.Unix(500, 0).UTC()
	_, err = s.Update(t.Context(), stale)
	require.ErrorIs(t, err, store.ErrConflict)

	part, err := raw.Get(t.Context(), store.NodePartKey("exec-fenced", "web-01"))
	require.NoError(t, err)
	require.NotContains(t, string(part.Value()), "drainStartedAt", "the refused batch wrote nothing")
	got, err := s.Get(t.Context(), "exec-fenced")
	require.NoError(t, err)
	require.Equal(t, "executor-1", got.Lease.Owner)
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_PENDING, got.State.Nodes[1].GetPhase())
}

// A replica that did not write the revision it updates over (another
// replica did) writes every part: it cannot know which differ.
func TestAWriterWithoutTheLastRevisionWritesEveryPart(t *testing.T) {
	t.Parallel()
	s, _, js := openRawKV(t)
	other, err := store.OpenKV(t.Context(), js, 1)
	require.NoError(t, err)
	rec, err := s.Create(t.Context(), recordOf("exec-other", 6))
	require.NoError(t, err)
	next := rec.Clone()
	next.State.Nodes[0].Phase = rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING
	written, err := s.Update(t.Context(), next)
	require.NoError(t, err)

	seen := written.Clone() // as read from the index, say: no Get by other
	seen.State.Nodes[0].Phase = rebalancerv1.NodePhase_NODE_PHASE_JOINING
	before := streamLast(t, js)
	_, err = other.Update(t.Context(), seen)
	require.NoError(t, err)
	require.Equal(t, before+8, streamLast(t, js), "seven parts (six nodes, one book alone) and the head")
	got, err := s.Get(t.Context(), "exec-other")
	require.NoError(t, err)
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_JOINING, got.State.Nodes[0].GetPhase())
}

// The index of unfinished executions joins each head with the parts
// written with it.
func TestUnfinishedJoinsTheParts(t *testing.T) {
	t.Parallel()
	s := openKV(t)
	rec, err := s.Create(t.Context(), recordOf("exec-index", 5))
	require.NoError(t, err)
	next := rec.Clone()
	next.State.Nodes[4].Phase = rebalancerv1.NodePhase_NODE_PHASE_DONE
	next.State.CompletedNodes = []string{"web-04"}
	written, err := s.Update(t.Context(), next)
	require.NoError(t, err)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		recs, err := s.Unfinished(t.Context())
		if !assert.NoError(c, err) || !assert.Len(c, recs, 1) {
			return
		}
		assert.Equal(c, written.Revision, recs[0].Revision)
		assert.True(c, proto.Equal(next.State, recs[0].State), "the state whole")
		assert.Equal(c, next.Book, recs[0].Book)
	}, 5*time.Second, 10*time.Millisecond)
}

// Lists not in node order (not as the Executor derives them) are kept in
// the head as they are.
func TestListsInAnyOrderReadBack(t *testing.T) {
	t.Parallel()
	s := openKV(t)
	r := recordOf("exec-order", 3)
	r.State.CompletedNodes = []string{"web-02", "web-00"}
	r.State.ProvisionedNodes = []string{"new-01", "elsewhere"}
	_, err := s.Create(t.Context(), r)
	require.NoError(t, err)
	got, err := s.Get(t.Context(), "exec-order")
	require.NoError(t, err)
	require.Equal(t, r.State.CompletedNodes, got.State.CompletedNodes)
	require.Equal(t, r.State.ProvisionedNodes, got.State.ProvisionedNodes)
}

// List reads every record whole, its parts joined, from one watch of the
// bucket.
func TestListJoinsTheParts(t *testing.T) {
	t.Parallel()
	s := openKV(t)
	want := map[string]*store.Record{}
	for _, id := range []string{"exec-one", "exec-two"} {
		rec, err := s.Create(t.Context(), recordOf(id, 3))
		require.NoError(t, err)
		next := rec.Clone()
		next.State.Nodes[2].Phase = rebalancerv1.NodePhase_NODE_PHASE_DONE
		next.State.CompletedNodes = []string{"web-02"}
		want[id], err = s.Update(t.Context(), next)
		require.NoError(t, err)
	}
	listed, err := s.List(t.Context())
	require.NoError(t, err)
	require.Len(t, listed, 2)
	for _, got := range listed {
		w := want[got.State.GetExecutionId()]
		require.NotNil(t, w)
		require.Equal(t, w.Revision, got.Revision)
		require.True(t, proto.Equal(w.State, got.State))
		require.Equal(t, w.Book, got.Book)
		require.NotNil(t, got.Plan, "with its plan")
	}
}
