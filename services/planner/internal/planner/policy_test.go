package planner

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// The group's choice about single-replica Deployments reaches the plan the
// Executor drains by; a policy that does not say takes the CRD's default.
func TestPlanCarriesTheGroupsRolloutOfSingleReplicaDeployments(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		group *bool
		want  bool
	}{
		"a group that says nothing gets the default, on": {group: nil, want: true},
		"a group that turns it on keeps it on":           {group: proto.Bool(true), want: true},
		"a group that turns it off keeps it off":         {group: proto.Bool(false), want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := validAnalysis(4)
			a.Policy.RolloutSingleReplicaDeployments = tc.group
			plan, err := CreatePlan(a, nil)
			require.NoError(t, err)
			require.NotNil(t, plan.GetPolicy().RolloutSingleReplicaDeployments, "the plan says it explicitly")
			require.Equal(t, tc.want, plan.GetPolicy().GetRolloutSingleReplicaDeployments())
		})
	}
}

// The choice is part of the plan's content, so of its ID: two groups that
// differ only in it get different plans.
func TestRolloutChoiceChangesThePlanID(t *testing.T) {
	t.Parallel()
	on, off := validAnalysis(4), validAnalysis(4)
	off.Policy.RolloutSingleReplicaDeployments = proto.Bool(false)
	a, err := CreatePlan(on, nil)
	require.NoError(t, err)
	b, err := CreatePlan(off, nil)
	require.NoError(t, err)
	require.NotEqual(t, a.GetPlanId(), b.GetPlanId())
}
