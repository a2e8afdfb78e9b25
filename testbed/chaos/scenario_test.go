package chaos_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/chaos"
)

// A seed is a replay: the same seed draws the same scenario, every time.
func TestASeedDrawsTheSameScenarioEveryTime(t *testing.T) {
	t.Parallel()
	for seed := range uint64(50) {
		require.Equal(t, chaos.Draw(seed), chaos.Draw(seed), "seed %d", seed)
	}
}

// Draws stay within what a run can play fast, and over a few hundred
// seeds every strategy, mode and fault comes up.
func TestDrawsCoverEveryStrategyModeAndFault(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for seed := range uint64(300) {
		s := chaos.Draw(seed)
		require.GreaterOrEqual(t, s.Size, 2)
		require.LessOrEqual(t, s.Size, 5)
		require.NotEmpty(t, s.Workloads)
		seen[s.Strategy], seen[s.Mode] = true, true
		f := s.Faults
		seen[chaos.FaultKill] = seen[chaos.FaultKill] || f.Kill != nil
		seen[chaos.FaultNATSRestart] = seen[chaos.FaultNATSRestart] || f.NATSRestart != nil
		seen[chaos.FaultCloud5xx] = seen[chaos.FaultCloud5xx] || f.Cloud5xx
		seen[chaos.FaultBurst429] = seen[chaos.FaultBurst429] || f.Burst429 > 0
		seen[chaos.FaultNeverJoin] = seen[chaos.FaultNeverJoin] || f.NeverJoin
		seen[chaos.FaultBlockingPDB] = seen[chaos.FaultBlockingPDB] || f.BlockingPDB
		if f.BlockingPDB {
			require.Contains(t, s.Workloads, chaos.Workload{Name: "stuck", Replicas: 2, MaxUnavailable: 0})
		}
	}
	for _, want := range []string{"rolling", "surge", "blue-green", "vm", "managed", chaos.FaultKill, chaos.FaultNATSRestart,
		chaos.FaultCloud5xx, chaos.FaultBurst429, chaos.FaultNeverJoin, chaos.FaultBlockingPDB} {
		require.True(t, seen[want], want)
	}
}

// A failed run's line names its violations and the command that replays it.
func TestAFailedRunsLineSaysHowToReplayIt(t *testing.T) {
	t.Parallel()
	r := chaos.Result{Run: 3, Scenario: chaos.Draw(7), Outcome: "rolled_back", Dir: "/tmp/x",
		Violations: []chaos.Violation{{Kind: chaos.VDuplicateVM, Message: "1 VMs created twice"}}}
	line := r.Line(10)
	require.Contains(t, line, "run 3/10 seed 7: rolling")
	require.Contains(t, line, "FAIL")
	require.Contains(t, line, "violation duplicate VM: 1 VMs created twice")
	require.Contains(t, line, "replay: make chaos RUNS=1 SEED=7")
	require.NotContains(t, chaos.Result{Scenario: chaos.Draw(7)}.Line(1), "replay")
}
