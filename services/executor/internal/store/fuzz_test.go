package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// fuzzRecord is a record as a running execution stores it.
func fuzzRecord() *Record {
	at := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	r := &Record{
		State: &rebalancerv1.ExecutionState{ExecutionId: "exec-1a2b", PlanId: "plan-0123456789abcdef0123",
			NodeGroup: "web", Namespace: "shop", Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING},
		Plan: &rebalancerv1.RebalancePlan{PlanId: "plan-0123456789abcdef0123", NodeGroup: "web", Namespace: "shop",
			Batches: []*rebalancerv1.NodeBatch{{BatchNumber: 1, Nodes: []*rebalancerv1.CandidateNode{{NodeName: "web-1", VmIdentifier: "vm-1"}}}}},
		AcceptedAt:  at,
		RequestedBy: "system:serviceaccount:shop:optimizer",
		Outbox:      []Outgoing{{Seq: 7, Event: []byte{0x0a, 0x02, 'i', 'd'}}},
		Lease:       Lease{Owner: "executor-0", Expires: at.Add(time.Minute)},
		Control:     Control{Pause: true, Reason: "operator"},
	}
	r.Book.Datacenter = "dc-nyc1"
	r.Book.GroupLabels = map[string]string{"tier": "web"}
	r.Book.GroupTaints = []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}}
	r.Book.OldNodesTainted = true
	nb := r.Book.NodeBook("web-1")
	nb.Original = &Marks{Unschedulable: false, Taints: []corev1.Taint{{Key: "k", Effect: corev1.TaintEffectNoSchedule}},
		Labels: map[string]string{"node.kubernetes.io/exclude-from-external-load-balancers": ""}}
	nb.ProvisionStartedAt, nb.ProvisionAttempts, nb.DrainStartedAt = at, 1, at.Add(5*time.Minute)
	nb.Owners, nb.ForceDeleted = []string{"Deployment/shop/web"}, []string{"shop/web-0"}
	nb.Rollouts = []Rollout{{Node: "web-1", Deployment: "shop/cache", RestartedAt: at.Format(time.RFC3339), Announced: true}}
	r.Book.RecordBatchStarted(1, at)
	r.Book.RecordBatchDone(1, at.Add(10*time.Minute))
	r.Book.RecordBatchFailed(2, at.Add(11*time.Minute))
	return r
}

// FuzzDecodeRecord reads any bytes as a stored record, as a replica does
// when it claims an execution: decode never panics; a record it reads
// encodes again (so Clone, an encode and a decode that panics on an
// error, never panics), keeps its
// state and plan exactly, and once written reads back the same
// (decode-then-encode is stable).
func FuzzDecodeRecord(f *testing.F) {
	full, err := fuzzRecord().encode()
	require.NoError(f, err)
	f.Add(full)
	empty, err := (&Record{State: &rebalancerv1.ExecutionState{}, Plan: &rebalancerv1.RebalancePlan{}}).encode()
	require.NoError(f, err)
	f.Add(empty)
	f.Add([]byte(`{"state":"","plan":"","book":{"oldNodesMarked":true,"batchStartedAt":{"1":"2026-03-14T02:00:00+01:00"}},"acceptedAt":"2026-03-14T02:00:00Z"}`))
	f.Add([]byte(`{"book":{"nodes":{"n":null}}}`))
	f.Add([]byte(`{"state":"EAE=","plan":"CgFw","lastEvent":"CgJpZA=="}`)) // an earlier version's, plan embedded
	f.Add([]byte(`{"state":"","plan":{"key":"plan.exec-1"},"outbox":[{"seq":1,"event":"CgJpZA=="}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decode(b)
		if err != nil {
			return
		}
		r := d.rec
		enc, err := r.encode()
		require.NoError(t, err, "a record read must be writable again")
		decoded, err := decode(enc)
		require.NoError(t, err)
		back := decoded.rec
		require.Equal(t, PlanKey(r.State.GetExecutionId()), decoded.planKey, "a record written names its plan's key")
		require.True(t, proto.Equal(r.State, back.State), "the state survives exactly")
		if r.Plan != nil { // embedded: moved to its key as is
			data, err := encodePlan(r.Plan)
			require.NoError(t, err)
			p, err := decodePlan(data)
			require.NoError(t, err)
			require.True(t, proto.Equal(r.Plan, p), "the plan survives exactly")
		}
		// JSON drops empty maps and lists, so the first write may normalise;
		// from then on a record reads back as it was written.
		enc2, err := back.encode()
		require.NoError(t, err)
		again, err := decode(enc2)
		require.NoError(t, err)
		requireSameRecord(t, back, again.rec)
		requireSplitJoinsBack(t, back)
	})
}

// requireSplitJoinsBack: a record stored in parts reads back as it was.
func requireSplitJoinsBack(t *testing.T, r *Record) {
	t.Helper()
	head, parts, ok, err := split(r)
	require.NoError(t, err)
	if !ok {
		return
	}
	d, err := decode(head)
	require.NoError(t, err)
	require.NotNil(t, d.parts, "a head says it has parts")
	require.NoError(t, join(d.rec, d.parts, parts))
	d.rec.Plan = r.Plan
	requireSameRecord(t, r, d.rec)
}

func requireSameRecord(t *testing.T, want, got *Record) {
	t.Helper()
	require.True(t, proto.Equal(want.State, got.State), "state")
	require.True(t, proto.Equal(want.Plan, got.Plan), "plan")
	require.Equal(t, want.Book, got.Book)
	require.True(t, want.AcceptedAt.Equal(got.AcceptedAt))
	require.Equal(t, want.RequestedBy, got.RequestedBy)
	require.Equal(t, want.Outbox, got.Outbox)
	require.Equal(t, want.Lease.Owner, got.Lease.Owner)
	require.True(t, want.Lease.Expires.Equal(got.Lease.Expires))
	require.Equal(t, want.Control, got.Control)
}
