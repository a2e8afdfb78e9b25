package planner

import (
	"slices"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// copyCandidates returns deep copies of cs, taken from one array of
// nodes, one of workloads and one of ages. proto.Merge into one array of
// nodes did the same at a third of CreatePlan's time outside the plan ID
// at 10,000 candidates: it walks each message by reflection and allocates
// each workload on its own. TestCopyCandidatesCopiesEveryField holds this
// copy to proto.Equal on a node with every field set, so a field added to
// CandidateNode or Workload fails the tests until it is copied here.
func copyCandidates(cs []*rebalancerv1.CandidateNode) []*rebalancerv1.CandidateNode {
	workloads, ages := 0, 0
	for _, c := range cs {
		workloads += len(c.GetWorkloads())
		if c.GetAge() != nil {
			ages++
		}
	}
	nodes := make([]rebalancerv1.CandidateNode, len(cs))
	wls := make([]rebalancerv1.Workload, workloads)
	wlPtrs := make([]*rebalancerv1.Workload, workloads)
	ageArr := make([]durationpb.Duration, ages)
	out := make([]*rebalancerv1.CandidateNode, len(cs))
	for i, c := range cs {
		dst := &nodes[i]
		copyNodeFields(dst, c)
		if age := c.GetAge(); age != nil {
			dst.Age = &ageArr[0]
			ageArr = ageArr[1:]
			dst.Age.Seconds, dst.Age.Nanos = age.GetSeconds(), age.GetNanos()
			copyUnknown(dst.Age, age)
		}
		if n := len(c.GetWorkloads()); n > 0 {
			dst.Workloads = wlPtrs[:n:n]
			wlPtrs = wlPtrs[n:]
			for j, w := range c.GetWorkloads() {
				dst.Workloads[j] = &wls[0]
				copyWorkload(&wls[0], w)
				wls = wls[1:]
			}
		}
		out[i] = dst
	}
	return out
}

// copyNodeFields copies c's scalar fields and unknown fields into dst.
func copyNodeFields(dst, c *rebalancerv1.CandidateNode) {
	dst.NodeName = c.GetNodeName()
	dst.VmIdentifier = c.GetVmIdentifier()
	dst.CurrentOffering = c.GetCurrentOffering()
	dst.TargetOffering = c.GetTargetOffering()
	dst.PriorityScore = c.GetPriorityScore()
	dst.SafeToRebalance = c.GetSafeToRebalance()
	dst.Reason = c.GetReason()
	dst.CurrentMonthlyPriceCents = c.GetCurrentMonthlyPriceCents()
	dst.TargetMonthlyPriceCents = c.GetTargetMonthlyPriceCents()
	copyUnknown(dst, c)
}

// copyWorkload copies w into dst; a nil w (only Go callers can put one in
// a list) copies as an empty workload, as proto.Merge does.
func copyWorkload(dst, w *rebalancerv1.Workload) {
	dst.Namespace = w.GetNamespace()
	dst.PodName = w.GetPodName()
	dst.OwnerKind = w.GetOwnerKind()
	dst.OwnerName = w.GetOwnerName()
	dst.Replicas = w.GetReplicas()
	dst.PdbNames = slices.Clone(w.GetPdbNames())
	dst.HasLocalStorage = w.GetHasLocalStorage()
	dst.OptedOut = w.GetOptedOut()
	dst.Priority = w.GetPriority()
	dst.DeletionCost = w.GetDeletionCost()
	dst.CpuRequestMillis = w.GetCpuRequestMillis()
	dst.MemoryRequestBytes = w.GetMemoryRequestBytes()
	if w != nil {
		copyUnknown(dst, w)
	}
}

// copyUnknown keeps fields of a newer API that this build does not know,
// as proto.Merge does.
func copyUnknown(dst, src proto.Message) {
	if u := src.ProtoReflect().GetUnknown(); len(u) > 0 {
		dst.ProtoReflect().SetUnknown(slices.Clone(u))
	}
}
