package plancheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// groupPolicy is a NodeGroup's policy with the CRD's defaults applied, as
// the Analyzer sends it, allowing one fallback offering.
func groupPolicy() *rebalancerv1.RebalancePolicy {
	return &rebalancerv1.RebalancePolicy{
		Enabled: true, Strategy: rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING,
		MaxConcurrent: 2, BatchSize: 1, MaxSurge: 1, MinHealthyPercent: 75,
		DrainTimeout: durationpb.New(5 * time.Minute), ProvisionTimeout: durationpb.New(10 * time.Minute),
		RequireApproval: true, SkipNodesWithLocalStorage: true, RespectPdbs: true,
		DrainTimeoutAction:              rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_ROLLBACK,
		RolloutSingleReplicaDeployments: proto.Bool(false),
		AlternativeOfferings:            []string{"compute-6", "general-4"},
	}
}

// Each case changes one field of a plan policy equal to the group's and
// expects exactly the loosening it names.
func TestLoosenedNamesEachFieldLooserThanTheGroup(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit      func(plan *rebalancerv1.RebalancePolicy)
		fallbacks []string
		want      []Loosening
	}{
		"a lower capacity floor": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.MinHealthyPercent = 50 },
			want: []Loosening{{Field: "min_healthy_percent", Plan: "50", Group: "75"}},
		},
		"more nodes at once": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.MaxConcurrent = 3 },
			want: []Loosening{{Field: "max_concurrent", Plan: "3", Group: "2"}},
		},
		"larger batches": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.BatchSize = 2 },
			want: []Loosening{{Field: "batch_size", Plan: "2", Group: "1"}},
		},
		"a larger surge": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.MaxSurge = 4 },
			want: []Loosening{{Field: "max_surge", Plan: "4", Group: "1"}},
		},
		"forcing pods out past their budgets after a drain timeout": {
			edit: func(p *rebalancerv1.RebalancePolicy) {
				p.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
			},
			want: []Loosening{{Field: "drain_timeout_action", Plan: "FORCE", Group: "ROLLBACK"}},
		},
		"a drain timeout action this code does not know": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.DrainTimeoutAction = 7 },
			want: []Loosening{{Field: "drain_timeout_action", Plan: "unknown action 7", Group: "ROLLBACK"}},
		},
		"approval waived": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RequireApproval = false },
			want: []Loosening{{Field: "require_approval", Plan: "false", Group: "true"}},
		},
		"budgets ignored": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RespectPdbs = false },
			want: []Loosening{{Field: "respect_pdbs", Plan: "false", Group: "true"}},
		},
		"nodes with local storage replaced": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.SkipNodesWithLocalStorage = false },
			want: []Loosening{{Field: "skip_nodes_with_local_storage", Plan: "false", Group: "true"}},
		},
		"single-replica rollouts switched on": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RolloutSingleReplicaDeployments = proto.Bool(true) },
			want: []Loosening{{Field: "rollout_single_replica_deployments", Plan: "true", Group: "false"}},
		},
		"single-replica rollouts left unset, which means on": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RolloutSingleReplicaDeployments = nil },
			want: []Loosening{{Field: "rollout_single_replica_deployments", Plan: "unset (true)", Group: "false"}},
		},
		"an offering the group does not allow in the plan's policy": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.AlternativeOfferings = []string{"compute-6", "compute-2"} },
			want: []Loosening{{Field: "alternative_offerings", Plan: `"compute-2"`, Group: `["compute-6", "general-4"]`}},
		},
		"an offering the group does not allow among the fallbacks, named once": {
			fallbacks: []string{"general-4", "compute-2", "", "compute-2"},
			want:      []Loosening{{Field: "alternative_offerings", Plan: `"compute-2"`, Group: `["compute-6", "general-4"]`}},
		},
		"several at once, in the order of the rules": {
			edit: func(p *rebalancerv1.RebalancePolicy) { p.RespectPdbs, p.MinHealthyPercent = false, 0 },
			want: []Loosening{
				{Field: "min_healthy_percent", Plan: "0", Group: "75"},
				{Field: "respect_pdbs", Plan: "false", Group: "true"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plan := groupPolicy()
			if tc.edit != nil {
				tc.edit(plan)
			}
			require.Equal(t, tc.want, fieldsAndValues(t, Loosened(groupPolicy(), plan, tc.fallbacks)))
		})
	}
}

// Each case changes one field of the group's policy: what the plan keeps
// from before is then looser.
func TestLoosenedHoldsAPlanToAGroupThatTightened(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit func(group *rebalancerv1.RebalancePolicy)
		want []Loosening
	}{
		"the group was disabled": {
			edit: func(g *rebalancerv1.RebalancePolicy) { g.Enabled = false },
			want: []Loosening{{Field: "enabled", Plan: "true", Group: "false"}},
		},
		"the group dropped a fallback offering": {
			edit: func(g *rebalancerv1.RebalancePolicy) { g.AlternativeOfferings = nil },
			want: []Loosening{
				{Field: "alternative_offerings", Plan: `"compute-6"`, Group: "none"},
				{Field: "alternative_offerings", Plan: `"general-4"`, Group: "none"},
			},
		},
		"the group leaves its drain timeout action unset, which means ROLLBACK": {
			edit: func(g *rebalancerv1.RebalancePolicy) {
				g.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_UNSPECIFIED
			},
			want: nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			group := groupPolicy()
			tc.edit(group)
			require.Equal(t, tc.want, fieldsAndValues(t, Loosened(group, groupPolicy(), nil)))
		})
	}
}

// A plan may be stricter than its group: each case tightens one field.
func TestLoosenedAcceptsAStricterPlan(t *testing.T) {
	t.Parallel()
	cases := map[string]func(plan *rebalancerv1.RebalancePolicy){
		"the same policy":       func(*rebalancerv1.RebalancePolicy) {},
		"a higher floor":        func(p *rebalancerv1.RebalancePolicy) { p.MinHealthyPercent = 100 },
		"fewer nodes at once":   func(p *rebalancerv1.RebalancePolicy) { p.MaxConcurrent = 1 },
		"no surge at all":       func(p *rebalancerv1.RebalancePolicy) { p.MaxSurge = 0 },
		"fewer fallbacks":       func(p *rebalancerv1.RebalancePolicy) { p.AlternativeOfferings = []string{"general-4"} },
		"an unset drain action": func(p *rebalancerv1.RebalancePolicy) { p.DrainTimeoutAction = 0 },
		"another strategy": func(p *rebalancerv1.RebalancePolicy) {
			p.Strategy = rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE
		},
		"longer timeouts":                 func(p *rebalancerv1.RebalancePolicy) { p.DrainTimeout = durationpb.New(time.Hour) },
		"disabled, though never executed": func(p *rebalancerv1.RebalancePolicy) { p.Enabled = false },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			plan := groupPolicy()
			edit(plan)
			require.Empty(t, Loosened(groupPolicy(), plan, []string{"compute-6"}))
		})
	}

	// The loosest group allows anything it is given.
	loose := groupPolicy()
	loose.RequireApproval, loose.RolloutSingleReplicaDeployments = false, nil
	loose.DrainTimeoutAction = rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE
	require.Empty(t, Loosened(loose, groupPolicy(), nil))
}

func TestLoosenedFailsClosedWithoutAPlanPolicy(t *testing.T) {
	t.Parallel()
	got := fieldsAndValues(t, Loosened(groupPolicy(), nil, nil))
	require.Equal(t, []Loosening{
		{Field: "min_healthy_percent", Plan: "0", Group: "75"},
		{Field: "require_approval", Plan: "false", Group: "true"},
		{Field: "respect_pdbs", Plan: "false", Group: "true"},
		{Field: "skip_nodes_with_local_storage", Plan: "false", Group: "true"},
		{Field: "rollout_single_replica_deployments", Plan: "unset (true)", Group: "false"},
	}, got)
}

// PlanLoosened reads the offerings a plan may provision from its
// opportunity and its nodes, on top of its policy.
func TestPlanLoosenedCoversTheOfferingsThePlanUses(t *testing.T) {
	t.Parallel()
	group := func() *rebalancerv1.RebalancePolicy {
		g := proto.CloneOf(rollingPlan().GetPolicy())
		g.AlternativeOfferings = []string{"compute-6"}
		return g
	}
	cases := map[string]struct {
		edit func(p *rebalancerv1.RebalancePlan)
		want []Loosening
	}{
		"a plan within its group": {edit: func(*rebalancerv1.RebalancePlan) {}},
		"an allowed fallback": {
			edit: func(p *rebalancerv1.RebalancePlan) { p.Opportunity.AlternativeOfferings = []string{"compute-6"} },
		},
		"a fallback the group does not allow": {
			edit: func(p *rebalancerv1.RebalancePlan) {
				p.Opportunity.AlternativeOfferings = []string{"compute-6", "compute-2"}
			},
			want: []Loosening{{Field: "alternative_offerings", Plan: `"compute-2"`, Group: `["compute-6"]`}},
		},
		"a node moving to an offering the group does not allow": {
			edit: func(p *rebalancerv1.RebalancePlan) { p.Batches[1].Nodes[1].TargetOffering = "general-2" },
			want: []Loosening{{Field: "alternative_offerings", Plan: `"general-2"`, Group: `["compute-6"]`}},
		},
		"a loosened policy": {
			edit: func(p *rebalancerv1.RebalancePlan) { p.Policy.BatchSize = 4 },
			want: []Loosening{{Field: "batch_size", Plan: "4", Group: "3"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := rollingPlan()
			tc.edit(p)
			require.Equal(t, tc.want, fieldsAndValues(t, PlanLoosened(group(), p)))
		})
	}
}

func TestLooseningReadsAsASentence(t *testing.T) {
	t.Parallel()
	l := Loosened(groupPolicy(), &rebalancerv1.RebalancePolicy{
		Enabled: true, MaxConcurrent: 2, BatchSize: 1, MaxSurge: 1, MinHealthyPercent: 75, RequireApproval: true,
		SkipNodesWithLocalStorage: true, RespectPdbs: true, RolloutSingleReplicaDeployments: proto.Bool(false),
		DrainTimeoutAction: rebalancerv1.DrainTimeoutAction_DRAIN_TIMEOUT_ACTION_FORCE,
	}, nil)
	require.Len(t, l, 1)
	require.Equal(t, "drain_timeout_action is FORCE in the plan but ROLLBACK in the group: a drain that times out would go further", l[0].String())
}

// fieldsAndValues drops the Why of each loosening, which the cases do not pin.
func fieldsAndValues(t *testing.T, list []Loosening) []Loosening {
	t.Helper()
	if len(list) == 0 {
		return nil
	}
	out := make([]Loosening, len(list))
	for i, l := range list {
		require.NotEmpty(t, l.Why, "%s says why it is looser", l.Field)
		out[i] = Loosening{Field: l.Field, Plan: l.Plan, Group: l.Group}
	}
	return out
}
