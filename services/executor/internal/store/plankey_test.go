package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// openRawKV is a Store and the bucket under it, to look at and plant keys.
func openRawKV(t *testing.T) (*store.KV, jetstream.KeyValue, jetstream.JetStream) {
	t.Helper()
	js := embeddedJetStream(t)
	s, err := store.OpenKV(t.Context(), js, 1)
	require.NoError(t, err)
	raw, err := js.KeyValue(t.Context(), store.Bucket)
	require.NoError(t, err)
	return s, raw, js
}

// The plan is written once, to its own key, before the record; updates
// leave it alone and carry none of it; every read finds it again; and
// listings do not take it for an execution.
func TestPlanStoredOnceAndReadBack(t *testing.T) {
	t.Parallel()
	s, raw, js := openRawKV(t)
	r := record("exec-a")
	r.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	created, err := s.Create(t.Context(), r)
	require.NoError(t, err)
	planEntry, err := raw.Get(t.Context(), store.PlanKey("exec-a"))
	require.NoError(t, err)
	require.Less(t, planEntry.Revision(), created.Revision, "the plan is stored before the record naming it")

	next := created.Clone()
	next.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED
	updated, err := s.Update(t.Context(), next)
	require.NoError(t, err)
	again, err := raw.Get(t.Context(), store.PlanKey("exec-a"))
	require.NoError(t, err)
	require.Equal(t, planEntry.Revision(), again.Revision(), "an update does not write the plan")
	recEntry, err := raw.Get(t.Context(), "exec-a")
	require.NoError(t, err)
	require.Equal(t, updated.Revision, recEntry.Revision())
	var stored map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(recEntry.Value(), &stored))
	require.JSONEq(t, `{"key":"plan.exec-a"}`, string(stored["plan"]), "the record names its plan, nothing more")

	// Another replica, which never read the plan, writes the record: the
	// plan stays as stored.
	other, err := store.OpenKV(t.Context(), js, 1)
	require.NoError(t, err)
	next = updated.Clone()
	next.Plan = &rebalancerv1.RebalancePlan{PlanId: "plan-x", NodeGroup: "another"}
	updated, err = other.Update(t.Context(), next)
	require.NoError(t, err)
	again, err = raw.Get(t.Context(), store.PlanKey("exec-a"))
	require.NoError(t, err)
	require.Equal(t, planEntry.Revision(), again.Revision(), "a plan is written once")

	got, err := s.Get(t.Context(), "exec-a")
	require.NoError(t, err)
	require.True(t, proto.Equal(r.Plan, got.Plan))
	listed, err := s.List(t.Context())
	require.NoError(t, err)
	require.Len(t, listed, 1, "the plan's key is no execution")
	require.True(t, proto.Equal(r.Plan, listed[0].Plan))
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		recs, err := s.Unfinished(t.Context())
		require.NoError(c, err)
		require.Len(c, recs, 1)
		require.Equal(c, updated.Revision, recs[0].Revision)
		require.True(c, proto.Equal(r.Plan, recs[0].Plan), "the index's records carry their plan")
	}, 5*time.Second, 10*time.Millisecond)
}

// legacyRecord is a record as the version before the plan's own key wrote
// it: the plan embedded, and the last event (not an outbox).
func legacyRecord(t *testing.T, id string) ([]byte, *rebalancerv1.RebalancePlan) {
	t.Helper()
	plan := &rebalancerv1.RebalancePlan{PlanId: "plan-old", NodeGroup: "web", Namespace: "shop", TotalNodes: 1}
	state, err := proto.Marshal(&rebalancerv1.ExecutionState{ExecutionId: id, PlanId: "plan-old", LastEventSequence: 4,
		Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING})
	require.NoError(t, err)
	planBytes, err := proto.Marshal(plan)
	require.NoError(t, err)
	data, err := json.Marshal(map[string]any{"state": state, "plan": planBytes, "lastEvent": []byte("event-4"),
		"book": map[string]any{"oldNodesMarked": true}, "acceptedAt": time.Unix(100, 0).UTC()})
	require.NoError(t, err)
	return data, plan
}

// Records already stored by the earlier version keep reading: the
// embedded plan, the last event as the outbox; the first write moves them
// to the new form, their plan then written to its key.
func TestRecordsWithTheirPlanEmbeddedStillRead(t *testing.T) {
	t.Parallel()
	s, raw, js := openRawKV(t)
	data, plan := legacyRecord(t, "exec-old")
	_, err := raw.Create(t.Context(), "exec-old", data)
	require.NoError(t, err)

	got, err := s.Get(t.Context(), "exec-old")
	require.NoError(t, err)
	require.True(t, proto.Equal(plan, got.Plan))
	require.True(t, got.Book.OldNodesTainted)
	require.Equal(t, []store.Outgoing{{Seq: 4, Event: []byte("event-4")}}, got.Outbox, "the last event is the outbox")
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		recs, err := s.Unfinished(t.Context())
		require.NoError(c, err)
		require.Len(c, recs, 1)
		require.True(c, proto.Equal(plan, recs[0].Plan))
	}, 5*time.Second, 10*time.Millisecond)
	listed, err := s.List(t.Context())
	require.NoError(t, err)
	require.Len(t, listed, 1)
	require.True(t, proto.Equal(plan, listed[0].Plan))

	next := got.Clone()
	next.State.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED
	_, err = s.Update(t.Context(), next)
	require.NoError(t, err)
	planEntry, err := raw.Get(t.Context(), store.PlanKey("exec-old"))
	require.NoError(t, err, "the first write stores the plan at its key")
	stored := &rebalancerv1.RebalancePlan{}
	require.NoError(t, proto.Unmarshal(planEntry.Value(), stored))
	require.True(t, proto.Equal(plan, stored))
	// A replica that never saw it read the new form, its plan from the key.
	other, err := store.OpenKV(t.Context(), js, 1)
	require.NoError(t, err)
	again, err := other.Get(t.Context(), "exec-old")
	require.NoError(t, err)
	require.True(t, proto.Equal(plan, again.Plan))
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, again.State.GetStatus())
}
