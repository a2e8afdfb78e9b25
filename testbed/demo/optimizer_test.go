package demo

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func TestTheOptimizerGoesAheadOnProceedOrReviewOnly(t *testing.T) {
	t.Parallel()
	tests := map[rebalancerv1.RecommendedAction]bool{
		rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED:      true,
		rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW: true,
		rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE:     false,
		rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT:       false,
	}
	for action, ok := range tests {
		err := goAhead(&rebalancerv1.RebalanceAnalysis{RecommendedAction: action})
		require.Equal(t, ok, err == nil, "%s: error %v", action, err)
	}
}

func TestConfigValidateNamesEveryProblem(t *testing.T) {
	t.Parallel()
	valid := Config{Strategy: "blue-green", Mode: ModeVM, Nodes: 6, Namespace: "web", BinDir: "bin", LogDir: "logs",
		BootDelay: 1, Timeout: 1, Out: io.Discard}
	require.NoError(t, valid.Validate())
	bad := valid
	bad.Strategy, bad.Nodes, bad.Mode = "canary", 0, "bare-metal"
	err := bad.Validate()
	require.ErrorContains(t, err, `mode "bare-metal"`)
	require.ErrorContains(t, err, `strategy "canary"`)
	require.ErrorContains(t, err, "nodes 0")
}
