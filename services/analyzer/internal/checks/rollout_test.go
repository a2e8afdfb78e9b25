package checks_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/testobj"
)

// withSolo adds Deployment shop/solo of one replica on web-1 (RollingUpdate
// with the API server's defaults, so its rollout surges) under a PDB of
// minAvailable 1, which allows no eviction, ever.
func (f *fixture) withSolo() *appsv1.Deployment {
	d, rs, pods := testobj.Deployment("shop", "solo", 1, "web-1")
	f.add(d, rs, pods[0], testobj.PDB("shop", "solo", "solo", 1, 0))
	return d
}

func rolloutsOff(f *fixture) {
	f.group.Spec.Rebalancing.RolloutSingleReplicaDeployments = ptr.To(false)
}

func recreate(d *appsv1.Deployment) {
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
}

// The Executor moves the pod of a one-replica Deployment that surges by a
// rollout instead of an eviction when the policy allows (the default): its
// budget is never asked and stays satisfied, so it blocks no node. With
// the policy off, or a Deployment that would not surge, the pod is evicted
// and its budget blocks as before.
func TestASingleReplicaMovedByASurgingRolloutIsNotHeldByItsBudget(t *testing.T) {
	t.Parallel()
	const pod = "pod shop/solo-5d8f9c-0 on web-1"
	const rolledOut = "moved by a surging rollout instead of an eviction, which keeps their budgets whole: shop/solo-5d8f9c-0 on web-1"
	runCases(t, map[string]testCase{
		"policy on, surging: minAvailable 1 does not block": {
			edit: func(f *fixture) { f.withSolo() },
			want: want{check: checks.NameFullyBlocking, status: passed, contains: []string{rolledOut}},
		},
		"policy on, surging: 0 disruptions allowed does not block": {
			edit: func(f *fixture) { f.withSolo() },
			want: want{check: checks.NameDisruptionsAllowed, status: passed, contains: []string{rolledOut}},
		},
		"policy on, surging: a second budget does not block either": {
			edit: func(f *fixture) {
				f.withSolo()
				f.add(testobj.PDB("shop", "solo-strict", "solo", 1, 0))
			},
			want: want{check: checks.NameMultipleBudgets, status: passed, contains: []string{rolledOut}},
		},
		"policy off, surging: minAvailable 1 blocks the node": {
			edit: func(f *fixture) { f.withSolo(); rolloutsOff(f) },
			want: want{check: checks.NameFullyBlocking, status: failed, blocked: "web-1",
				contains: []string{"PDB shop/solo can never allow an eviction (minAvailable 1 of 1 expected pods), and selects " + pod}},
		},
		"policy off, surging: 0 disruptions allowed blocks the node until time helps": {
			edit: func(f *fixture) { f.withSolo(); rolloutsOff(f) },
			want: want{check: checks.NameDisruptionsAllowed, status: failed, wait: true, blocked: "web-1",
				contains: []string{"PDB shop/solo allows 0 disruptions", pod}},
		},
		"policy on, Recreate: minAvailable 1 blocks the node": {
			edit: func(f *fixture) { recreate(f.withSolo()) },
			want: want{check: checks.NameFullyBlocking, status: failed, blocked: "web-1",
				contains: []string{"PDB shop/solo can never allow an eviction (minAvailable 1 of 1 expected pods), and selects " + pod}},
		},
		"policy on, Recreate: 0 disruptions allowed blocks the node": {
			edit: func(f *fixture) { recreate(f.withSolo()) },
			want: want{check: checks.NameDisruptionsAllowed, status: failed, wait: true, blocked: "web-1",
				contains: []string{"PDB shop/solo allows 0 disruptions", pod}},
		},
	})
}

// withBatch adds Deployment shop/batch of one replica on web-2 that
// restarts by Recreate: its rollout would not surge, so it is evicted.
func (f *fixture) withBatch() {
	d, rs, pods := testobj.Deployment("shop", "batch", 1, "web-2")
	recreate(d)
	f.add(d, rs, pods[0])
}

// A single replica that a surging rollout moves stays up: the check passes
// and names it, so an otherwise clean group may proceed. One that is
// evicted is down while it moves: the check warns, and says why a rollout
// would not do if the policy would have rolled it out.
func TestASingleReplicaWarnsOnlyWhenItIsDownWhileItMoves(t *testing.T) {
	t.Parallel()
	const solo = "Deployment shop/solo runs 1 replica (pod shop/solo-5d8f9c-0 on web-1) and "
	const surges = solo + "moves by a surging rollout: its new pod starts before this one goes"
	runCases(t, map[string]testCase{
		"policy on, surging: it stays up, and the check passes naming it": {
			edit: func(f *fixture) { f.withSolo() },
			want: want{check: checks.NameSingleReplica, status: passed,
				contains: []string{"every single replica to move stays up: " + surges},
				excludes: []string{"down"}},
		},
		"policy on, surging, and a Recreate one: the Recreate one warns, the surging one is named as staying up": {
			edit: func(f *fixture) { f.withSolo(); f.withBatch() },
			want: want{check: checks.NameSingleReplica, status: warning, contains: []string{
				"Deployment shop/batch runs 1 replica (pod shop/batch-5d8f9c-0 on web-2) and is down while it moves " +
					"(evicted, not rolled out: its Deployment's strategy is Recreate); staying up: " + surges}},
		},
		"policy on, Recreate: down, and why it is not rolled out": {
			edit: func(f *fixture) { recreate(f.withSolo()) },
			want: want{check: checks.NameSingleReplica, status: warning,
				contains: []string{solo + "is down while it moves (evicted, not rolled out: its Deployment's strategy is Recreate)"},
				excludes: []string{"staying up"}},
		},
		"policy on, maxUnavailable 1: down, and why": {
			edit: func(f *fixture) {
				one := intstr.FromInt32(1)
				f.withSolo().Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &one}}
			},
			want: want{check: checks.NameSingleReplica, status: warning,
				contains: []string{solo + "is down while it moves (evicted, not rolled out: its Deployment's rollout would take it down (maxUnavailable 1 resolves to 1))"}},
		},
		"policy on, paused: down, and why": {
			edit: func(f *fixture) { f.withSolo().Spec.Paused = true },
			want: want{check: checks.NameSingleReplica, status: warning,
				contains: []string{solo + "is down while it moves (evicted, not rolled out: its Deployment is paused)"}},
		},
		"policy off, surging: down, as before rollouts": {
			edit: func(f *fixture) { f.withSolo(); rolloutsOff(f) },
			want: want{check: checks.NameSingleReplica, status: warning,
				contains: []string{solo + "is down while it moves"}, excludes: []string{"rollout", "evicted"}},
		},
		"policy off, Recreate: down, as before rollouts": {
			edit: func(f *fixture) { recreate(f.withSolo()); rolloutsOff(f) },
			want: want{check: checks.NameSingleReplica, status: warning,
				contains: []string{solo + "is down while it moves"}, excludes: []string{"rollout", "evicted"}},
		},
		"a StatefulSet of one replica is evicted whatever the policy": {
			edit: func(f *fixture) {
				f.withSolo()
				f.add(testobj.StatefulSet("shop", "db", 1),
					testobj.OwnedBy(testobj.Pod("shop", "db-0", "web-2"), "StatefulSet", "db"))
			},
			want: want{check: checks.NameSingleReplica, status: warning, contains: []string{
				"StatefulSet shop/db runs 1 replica (pod shop/db-0 on web-2) and is down while it moves; staying up: " + surges}},
		},
	})
}

// The details count the single replicas that warn and those that stay up.
func TestSingleReplicaDetails(t *testing.T) {
	t.Parallel()
	f := valid()
	f.withSolo()
	require.Equal(t, map[string]string{"surging": "1"}, checks.SingleReplica(f.input(t)).Check.GetDetails())
	f.withBatch()
	require.Equal(t, map[string]string{"count": "1", "surging": "1"}, checks.SingleReplica(f.input(t)).Check.GetDetails())
	rolloutsOff(f)
	require.Equal(t, map[string]string{"count": "2"}, checks.SingleReplica(f.input(t)).Check.GetDetails())
}
