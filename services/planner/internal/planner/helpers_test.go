package planner

import (
	"fmt"
	"strings"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// shape renders a plan's batches compactly, one line per batch:
// "3 REPLACE web-002,web-003 after 1,2".
func shape(p *rebalancerv1.RebalancePlan) []string {
	lines := make([]string, len(p.GetBatches()))
	for i, b := range p.GetBatches() {
		names := make([]string, len(b.GetNodes()))
		for j, n := range b.GetNodes() {
			names[j] = n.GetNodeName()
		}
		after := "-"
		if len(b.GetDependsOn()) > 0 {
			after = strings.Trim(strings.Join(strings.Fields(fmt.Sprint(b.GetDependsOn())), ","), "[]")
		}
		phase := strings.TrimPrefix(b.GetPhase().String(), "BATCH_PHASE_")
		lines[i] = fmt.Sprintf("%d %s %s after %s", b.GetBatchNumber(), phase, strings.Join(names, ","), after)
	}
	return lines
}

// unmetRule returns the rule of an *UnmetPolicyError, failing on any other outcome.
func unmetRule(t require.TestingT, err error) (rule, reason string) {
	var unmet *UnmetPolicyError
	require.ErrorAs(t, err, &unmet)
	return unmet.Rule, unmet.Reason
}

// fields lists the field paths of an *InvalidAnalysisError.
func fields(t require.TestingT, err error) []string {
	var invalid *InvalidAnalysisError
	require.ErrorAs(t, err, &invalid)
	out := make([]string, len(invalid.Violations))
	for i, v := range invalid.Violations {
		out[i] = v.Field
	}
	return out
}

func clonePair(a *rebalancerv1.RebalanceAnalysis, o *rebalancerv1.PlanOverrides) (*rebalancerv1.RebalanceAnalysis, *rebalancerv1.PlanOverrides) {
	return proto.CloneOf(a), proto.CloneOf(o)
}
