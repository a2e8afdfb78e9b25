package analysis

import (
	"math"
	"time"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// The priority score orders candidates: higher is replaced earlier.
//
//	score      = savings × ageWeight / (1 + disruption)
//	savings    = monthly savings of replacing the node, in cents
//	ageWeight  = 1 + min(age, 30 days) / 30 days        (1 to 2)
//	disruption = Σ over the pods a drain moves of podCost
//	podCost    = clamp(1 + priority/2^25 + deletionCost/2^27, 0.1, 10)
//
// Savings share the numerator with the node's age, so old nodes with the
// same savings go first (they have served longest); pods divide it, so
// empty and lightly used nodes go first. A pod's cost grows with its
// priority (system-critical pods reach the cap) and its pod-deletion-cost
// annotation, the weights Karpenter uses for eviction cost. The result is
// rounded to 4 decimals; ties are broken by node name, so the order is the
// same for the same cluster state.
const (
	agingPeriod      = 30 * 24 * time.Hour
	priorityScale    = 1 << 25
	deletionScale    = 1 << 27
	minPodCost       = 0.1
	maxPodCost       = 10
	scoreGranularity = 1e4
)

func score(savingsCents int64, age time.Duration, pods []*facts.Pod) float64 {
	ageWeight := 1 + float64(min(max(age, 0), agingPeriod))/float64(agingPeriod)
	disruption := 0.0
	for _, p := range pods {
		disruption += podCost(p.Workload.GetPriority(), p.Workload.GetDeletionCost())
	}
	s := float64(savingsCents) * ageWeight / (1 + disruption)
	return math.Round(s*scoreGranularity) / scoreGranularity
}

func podCost(priority, deletionCost int32) float64 {
	c := 1 + float64(priority)/priorityScale + float64(deletionCost)/deletionScale
	return min(max(c, minPodCost), maxPodCost)
}
