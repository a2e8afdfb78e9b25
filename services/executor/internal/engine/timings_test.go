package engine

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

// ended makes the unit's execution end with status after three nodes
// replaced at known times (minutes from the clock's start):
//
//	old-0: provisioning 0, drain 2, drained 5, gone 6
//	old-1: provisioning 0, Ready 2 (made ahead), drain 4, drained 7, gone 8
//	old-2: provisioning 0, drain 3, drained 7, gone 9
//
// and the execution's ten minutes from start to end.
func ended(t *testing.T, status rebalancerv1.ExecutionStatus) *unit {
	t.Helper()
	u := newUnitOf(t, []string{"old-0", "old-1", "old-2"})
	t0 := u.clock.Now()
	at := func(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }
	times := map[string][4]float64{"old-0": {0, 2, 5, 6}, "old-1": {0, 4, 7, 8}, "old-2": {0, 3, 7, 9}}
	for i := range 3 {
		old, replacement := "old-"+strconv.Itoa(i), "new-"+strconv.Itoa(i)
		n := groupNode(replacement)
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
			LastTransitionTime: metav1.NewTime(at(times[old][1]).Add(-500 * time.Millisecond))}} // Ready, then cordoned at once
		if old == "old-1" {
			n.Status.Conditions[0].LastTransitionTime = metav1.NewTime(at(2))
		}
		_, err := u.kube.CoreV1().Nodes().Create(t.Context(), n, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, u.x.update(t.Context(), func(r *store.Record) {
		r.State.Status, r.State.StartedAt, r.State.CompletedAt = status, timestamppb.New(t0), timestamppb.New(at(10))
		r.Book.Nodes = map[string]*store.NodeBook{}
		for _, ne := range r.State.GetNodes() {
			tm := times[ne.GetOldNode()]
			ne.Phase, ne.PhaseStartedAt = rebalancerv1.NodePhase_NODE_PHASE_DONE, timestamppb.New(at(tm[3]))
			ne.NewNode = "new-" + ne.GetOldNode()[len("old-"):]
			r.Book.Nodes[ne.GetOldNode()] = &store.NodeBook{ProvisionStartedAt: at(tm[0]), DrainStartedAt: at(tm[1]), VerifyStartedAt: at(tm[2])}
		}
	}))
	return u
}

func TestASuccessWritesItsStepTimesIntoTheGroupStatus(t *testing.T) {
	t.Parallel()
	u := ended(t, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED)
	require.NoError(t, u.x.writeGroup(t.Context()))
	ng := u.group(t)
	require.NotNil(t, ng.Status.LastRebalanceTime, "the same write sets the end")
	// Provision: 2 min, 3 min, and old-1's replacement Ready at 2 min
	// (taken as 2 min 1 s, its transition time having second precision)
	// rather than its drain start at 4 min. Drain: 3, 3, 4 min.
	// Terminate: 1, 1, 2 min.
	require.Equal(t, &v1alpha1.RebalanceTimings{Nodes: 3,
		Provision: metav1.Duration{Duration: 2*time.Minute + time.Second},
		Drain:     metav1.Duration{Duration: 3 * time.Minute},
		Terminate: metav1.Duration{Duration: time.Minute},
		Wall:      metav1.Duration{Duration: 10 * time.Minute},
	}, ng.Status.LastRebalanceTimings)
}

func TestAnEndOtherThanSuccessKeepsTheLastSuccessTimes(t *testing.T) {
	t.Parallel()
	for name, status := range map[string]rebalancerv1.ExecutionStatus{
		"failed":      rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED,
		"rolled back": rebalancerv1.ExecutionStatus_EXECUTION_STATUS_ROLLED_BACK,
		"cancelled":   rebalancerv1.ExecutionStatus_EXECUTION_STATUS_CANCELLED,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := ended(t, status)
			before := &v1alpha1.RebalanceTimings{Nodes: 5, Provision: metav1.Duration{Duration: time.Minute}}
			ng := u.group(t)
			ng.Status.LastRebalanceTimings = before
			_, err := u.groups.NodeGroups("shop").UpdateStatus(t.Context(), ng, metav1.UpdateOptions{})
			require.NoError(t, err)
			require.NoError(t, u.x.writeGroup(t.Context()))
			require.Equal(t, before, u.group(t).Status.LastRebalanceTimings)
		})
	}
}

func TestNodesWithoutTheirClocksAreNotTimed(t *testing.T) {
	t.Parallel()
	gone := time.Unix(1_800_000_600, 0)
	for name, nb := range map[string]*store.NodeBook{
		"never provisioned here":   {DrainStartedAt: gone.Add(-3 * time.Minute), VerifyStartedAt: gone.Add(-time.Minute)},
		"drained before it joined": {ProvisionStartedAt: gone.Add(-time.Minute), DrainStartedAt: gone.Add(-2 * time.Minute)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, ok := nodeTimes(nb, nodeClocks{gone: gone})
			require.False(t, ok)
		})
	}
}

// Blue-green: the green replacement is Ready long before its blue node
// drains, and the blue node waits for its TERMINATE batch after its drain
// and soak; neither wait is a step's time.
func TestWaitsForTheNextPhaseAreNotStepTimes(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1_800_000_000, 0)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	nb := &store.NodeBook{ProvisionStartedAt: at(0), DrainStartedAt: at(10), VerifyStartedAt: at(13)}
	got, ok := nodeTimes(nb, nodeClocks{gone: at(21), soak: 2 * time.Minute, ready: at(2), terminateBatch: at(20)})
	require.True(t, ok)
	require.Equal(t, stepTimes{provision: 2*time.Minute + time.Second, drain: 3 * time.Minute, terminate: time.Minute}, got)
}
