package analysis

import (
	"context"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/facts"
)

// Analyze analyses an opportunity for group namespace/name. It returns
// ErrNotSynced, *GroupNotFoundError or *DisabledError; a rebalance that
// is not safe is an answer (a verdict), not an error.
func (a *Analyzer) Analyze(ctx context.Context, namespace, name string, opp *rebalancerv1.Opportunity) (*rebalancerv1.RebalanceAnalysis, error) {
	ng, p, err := a.group(namespace, name)
	if err != nil {
		return nil, err
	}
	members := facts.Gather(a.opts.State, a.opts.State.GroupNodes(name), opp.GetCurrentOffering())
	in := a.input(ctx, ng, p, members)
	snap, snapErr := a.opts.Catalogue.Snapshot()
	in.Provisioning = a.provisioning(ctx, ng)
	in.Offer = checks.NewOffer(opp, ng.Spec.Datacenter, in.Provisioning.Spec.Mode, snap, snapErr, in.Now)
	results := checks.All(in)
	a.metrics.observe(namespace, name, results)

	candidates := candidateNodes(members, in.Offer, blockersByNode(results), in.Now)
	names := make([]string, len(candidates))
	safe := 0
	for i, c := range candidates {
		names[i] = c.GetNodeName()
		if c.GetSafeToRebalance() {
			safe++
		}
	}
	n := int64(len(candidates))
	analysis := &rebalancerv1.RebalanceAnalysis{
		NodeGroup:                    name,
		Namespace:                    namespace,
		TotalNodes:                   int32(len(members)),
		CandidateNodes:               candidates,
		ExcludedNodes:                excludedNodes(members),
		Opportunity:                  fallbacksOf(in),
		SafetyChecks:                 safetyChecks(results),
		RecommendedAction:            verdict(results, names),
		Priority:                     priority(n*in.Offer.SavingsPerNodeCents(), n*priceCents(in.Offer, in.Offer.Current.MonthlyPrice)),
		EstimatedDuration:            durationpb.New(estimate(p, safe)),
		AnalyzedAt:                   timestamppb.New(in.Now),
		Policy:                       p,
		ValidatedMonthlySavingsCents: n * in.Offer.SavingsPerNodeCents(),
		Datacenter:                   ng.Spec.Datacenter,
		NodeGroupGeneration:          ng.Generation,
		NodeGroupUid:                 string(ng.UID),
		Provisioning:                 provisioningOf(in),
		StepTimings:                  stepTimingsOf(ng), // timings.go
	}
	if analysis.AnalysisId, err = analysisID(analysis); err != nil {
		return nil, err
	}
	return analysis, nil
}

// fallbacksOf is the opportunity as a plan may run it: in the managed
// mode, without the alternatives no VPSie node group of the cluster runs,
// which the Executor could not add a node to (the provisioning check
// names them).
func fallbacksOf(in *checks.Input) *rebalancerv1.Opportunity {
	opp := proto.CloneOf(in.Offer.Opportunity)
	opp.AlternativeOfferings = checks.AlternativesWithGroup(in)
	return opp
}

func safetyChecks(results []checks.Result) []*rebalancerv1.SafetyCheck {
	out := make([]*rebalancerv1.SafetyCheck, len(results))
	for i, r := range results {
		out[i] = r.Check
	}
	return out
}
