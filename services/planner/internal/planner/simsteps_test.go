package planner

import (
	"github.com/stretchr/testify/require"
)

// advance carries out batch i's next step on all its nodes, then checks the
// floor and the surge.
func (s *executorSim) advance(i int) {
	b := s.plan.GetBatches()[i]
	steps := stepsOf[b.GetPhase()]
	require.NotEmpty(s.t, steps, "batch %d has phase %s", i+1, b.GetPhase())
	step := steps[s.step[i]]
	for _, n := range b.GetNodes() {
		s.apply(step, n.GetNodeName())
	}
	if step == cordonBlueStep && !s.blueCordoned {
		require.Equal(s.t, int(s.plan.GetTotalNodes()), s.newReady, "blue is cordoned only once the whole green set is Ready")
		for _, name := range s.allNodes() {
			s.cordoned[name] = true
		}
		s.blueCordoned = true
	}
	s.step[i]++
	s.done[i] = s.step[i] == len(steps)
	s.checkCounts()
}

func (s *executorSim) apply(step simStep, node string) {
	switch step {
	case provisionStep:
		s.newVMs++
	case readyStep:
		s.newReady++
		s.replaced[node] = true
	case cordonStep:
		require.True(s.t, s.replaced[node], "%s is cordoned only once its replacement is Ready", node)
		s.cordoned[node] = true
	case drainStep:
		require.True(s.t, s.cordoned[node], "%s is cordoned before it is drained", node)
		s.drained[node] = true
	case terminateStep:
		require.True(s.t, s.drained[node], "%s is drained before it is terminated", node)
		require.False(s.t, s.terminated[node], "%s is terminated once", node)
		s.terminated[node] = true
	}
}

func (s *executorSim) checkCounts() {
	ready := s.bounds.readyAtStart - len(s.cordoned) + s.newReady
	require.GreaterOrEqual(s.t, ready, s.bounds.floor, "Ready, schedulable nodes against the floor")
	surge := s.newVMs - len(s.terminated)
	require.LessOrEqual(s.t, surge, int(s.plan.GetMaxSurge()), "replacements beside their old nodes against plan.max_surge")
	if s.bounds.maxSurge > 0 {
		require.LessOrEqual(s.t, surge, s.bounds.maxSurge, "replacements beside their old nodes against the policy")
	}
}

func (s *executorSim) allNodes() []string {
	var names []string
	seen := map[string]bool{}
	for _, b := range s.plan.GetBatches() {
		for _, n := range b.GetNodes() {
			if !seen[n.GetNodeName()] {
				seen[n.GetNodeName()] = true
				names = append(names, n.GetNodeName())
			}
		}
	}
	return names
}
