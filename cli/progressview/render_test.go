package progressview_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/cli/internal/golden"
	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	"github.com/vpsie/node-rebalancer/cli/progressview"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// transcript is everything watch shows for a sequence of events: the line
// printed for each event off a terminal, and the frame drawn after it on one.
func transcript(events []*rebalancerv1.ExecutionEvent) []byte {
	var b bytes.Buffer
	state := progressview.NewState(testfixture.Execution(), 0)
	fmt.Fprintln(&b, "== frame before any event")
	writeFrame(&b, state)
	for _, ev := range events {
		state.Apply(ev)
		fmt.Fprintf(&b, "== line %d\n%s\n", ev.GetSequence(), progressview.Line(ev))
		fmt.Fprintf(&b, "== frame %d\n", ev.GetSequence())
		writeFrame(&b, state)
	}
	return b.Bytes()
}

func writeFrame(b *bytes.Buffer, s *progressview.State) {
	for _, l := range progressview.Render(s) {
		b.WriteString(l + "\n")
	}
}

func TestRollingExecutionOfThreeNodes(t *testing.T) {
	t.Parallel()
	golden.Assert(t, "rolling_success", transcript(testfixture.RollingSuccess()))
}

func TestFailedExecutionWithRollback(t *testing.T) {
	t.Parallel()
	golden.Assert(t, "failed_rollback", transcript(testfixture.FailedWithRollback()))
}

func TestFinalStateOfASuccess(t *testing.T) {
	t.Parallel()
	s := progressview.Fold(testfixture.Execution(), testfixture.RollingSuccess())
	require.True(t, s.Final)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, s.Status)
	require.EqualValues(t, 100, s.Progress)
	require.Len(t, s.Batches, 3)
	for _, b := range s.Batches {
		require.Equal(t, progressview.BatchCompleted, b.Status, "batch %d", b.Number)
		require.Len(t, b.Nodes, 1)
		require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_DONE, b.Nodes[0].Phase)
	}
	require.Equal(t, 1, s.Batches[1].Nodes[0].Blocked, "web-b met one PDB refusal")
}

// The final event's details name the exact status; nodes the execution never
// reached are rolled back, the failed node stays failed, the replaced one done.
func TestFinalStateOfARollback(t *testing.T) {
	t.Parallel()
	s := progressview.Fold(testfixture.Execution(), testfixture.FailedWithRollback())
	require.True(t, s.Final)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK, s.Status)
	phases := map[string]rebalancerv1.NodePhase{}
	for _, b := range s.Batches {
		for _, n := range b.Nodes {
			phases[n.Name] = n.Phase
		}
	}
	require.Equal(t, map[string]rebalancerv1.NodePhase{
		"web-a": rebalancerv1.NodePhase_NODE_PHASE_DONE,
		"web-b": rebalancerv1.NodePhase_NODE_PHASE_FAILED,
		"web-c": rebalancerv1.NodePhase_NODE_PHASE_ROLLED_BACK,
	}, phases)
	require.Equal(t, progressview.Rollback{Started: true, Completed: true, Steps: 3}, s.Rollback)
	require.Contains(t, s.LastProblem, "Batch 2 failed")
}

// A watch resuming mid-way starts from the execution's stored phases,
// since the events before fromSequence are not replayed.
func TestResumedWatchKeepsStoredPhases(t *testing.T) {
	t.Parallel()
	exec := testfixture.Execution()
	exec.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	exec.Nodes[0].Phase = rebalancerv1.NodePhase_NODE_PHASE_DONE
	exec.ProgressPercent = 33

	resumed := progressview.NewState(exec, 20)
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_DONE, resumed.Batches[0].Nodes[0].Phase)
	require.EqualValues(t, 19, resumed.LastSequence)
	require.Equal(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING, resumed.Status)

	fromStart := progressview.NewState(exec, 0)
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_PENDING, fromStart.Batches[0].Nodes[0].Phase)
}

// An event for a node the execution did not list still gets a place.
func TestUnknownNodeAndBatchAreAdded(t *testing.T) {
	t.Parallel()
	s := progressview.NewState(&rebalancerv1.ExecutionState{ExecutionId: "e"}, 0)
	s.Apply(&rebalancerv1.ExecutionEvent{Sequence: 1, Kind: rebalancerv1.EventKind_EVENT_KIND_NODE_CORDONED, NodeName: "n9", BatchNumber: 4})
	s.Apply(&rebalancerv1.ExecutionEvent{Sequence: 2, Kind: rebalancerv1.EventKind_EVENT_KIND_BATCH_STARTED, BatchNumber: 2,
		Details: map[string]string{"phase": "BATCH_PHASE_DRAIN"}})
	require.Len(t, s.Batches, 2)
	require.EqualValues(t, 2, s.Batches[0].Number, "batches stay in order")
	require.Equal(t, "DRAIN", s.Batches[0].Phase)
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_CORDONED, s.Batches[1].Nodes[0].Phase)
	require.True(t, strings.HasPrefix(progressview.Render(s)[2], "batch 2 drain"))
}

// A pod moved by a rollout of its Deployment is counted apart from the
// evicted ones: no eviction happened.
func TestRolledOutPodsAreCountedApartFromEvictions(t *testing.T) {
	t.Parallel()
	s := progressview.NewState(testfixture.Execution(), 0)
	old := s.Batches[0].Nodes[0].Name
	s.Apply(&rebalancerv1.ExecutionEvent{Sequence: 1, Kind: rebalancerv1.EventKind_EVENT_KIND_POD_ROLLED_OUT, NodeName: old, BatchNumber: 1,
		Details: map[string]string{"pod": "shop/single-7d9", "deployment": "shop/single"}})
	s.Apply(&rebalancerv1.ExecutionEvent{Sequence: 2, Kind: rebalancerv1.EventKind_EVENT_KIND_POD_EVICTED, NodeName: old, BatchNumber: 1,
		Details: map[string]string{"pod": "shop/api-1"}})
	n := s.Batches[0].Nodes[0]
	require.Equal(t, 1, n.RolledOut)
	require.Equal(t, 1, n.Evicted)
	require.Contains(t, strings.Join(progressview.Render(s), "\n"), "1 evicted, 1 rolled out")
}

func TestASoakShowsWhereItStands(t *testing.T) {
	t.Parallel()
	s := progressview.NewState(testfixture.Execution(), 0)
	old := s.Batches[0].Nodes[0].Name
	s.Apply(&rebalancerv1.ExecutionEvent{Sequence: 1, Kind: rebalancerv1.EventKind_EVENT_KIND_SOAK_STARTED, NodeName: old, BatchNumber: 1})
	require.Contains(t, strings.Join(progressview.Render(s), "\n"), "soaking")
	s.Apply(&rebalancerv1.ExecutionEvent{Sequence: 2, Kind: rebalancerv1.EventKind_EVENT_KIND_HEALTH_GATE_FAILED, NodeName: old, BatchNumber: 1,
		Details: map[string]string{"subject": "Deployment/shop/web", "what": "pod web-1 container app in CrashLoopBackOff (4 restarts)"}})
	require.Contains(t, strings.Join(progressview.Render(s), "\n"), "health gate failed: Deployment/shop/web")
}
