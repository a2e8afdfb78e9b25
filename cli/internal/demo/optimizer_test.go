package demo

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func TestTheOptimizerGoesAheadOnlyWhenNothingButTheNodesAgeHoldsItBack(t *testing.T) {
	t.Parallel()
	check := func(name string, status rebalancerv1.SafetyCheckStatus) *rebalancerv1.SafetyCheck {
		return &rebalancerv1.SafetyCheck{Name: name, Status: status}
	}
	const (
		failed  = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED
		warning = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING
	)
	tests := []struct {
		name   string
		action rebalancerv1.RecommendedAction
		checks []*rebalancerv1.SafetyCheck
		ok     bool
	}{
		{"proceed", rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED, nil, true},
		{"needs review", rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW,
			[]*rebalancerv1.SafetyCheck{check("workloads.single_replica", warning)}, true},
		{"postponed for recent scaling alone", rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE,
			[]*rebalancerv1.SafetyCheck{check(recentScaling, failed), check("workloads.single_replica", warning)}, true},
		{"postponed for recent scaling and a window", rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE,
			[]*rebalancerv1.SafetyCheck{check(recentScaling, failed), check("timing.maintenance_window", failed)}, false},
		{"postponed for something else", rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE,
			[]*rebalancerv1.SafetyCheck{check("timing.cooldown", failed)}, false},
		{"rejected, even for recent scaling alone", rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT,
			[]*rebalancerv1.SafetyCheck{check(recentScaling, failed)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &rebalancerv1.RebalanceAnalysis{RecommendedAction: tt.action, SafetyChecks: tt.checks}
			err := goAhead(Config{Out: io.Discard}, a)
			require.Equal(t, tt.ok, err == nil, "error: %v", err)
		})
	}
}

func TestConfigValidateNamesEveryProblem(t *testing.T) {
	t.Parallel()
	valid := Config{Strategy: "blue-green", Nodes: 6, Namespace: "web", BinDir: "bin", LogDir: "logs",
		BootDelay: 1, Timeout: 1, Out: io.Discard}
	require.NoError(t, valid.Validate())
	bad := valid
	bad.Strategy, bad.Nodes = "canary", 0
	err := bad.Validate()
	require.ErrorContains(t, err, `strategy "canary"`)
	require.ErrorContains(t, err, "nodes 0")
}
