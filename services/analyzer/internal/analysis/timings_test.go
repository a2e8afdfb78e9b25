package analysis_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/state"
)

// The step times the Executor left in the group's status reach the
// Planner through the analysis; a group never rebalanced has none.
func TestTheAnalysisCarriesTheGroupsMeasuredStepTimes(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		timings *v1alpha1.RebalanceTimings
		want    *rebalancerv1.StepTimings
	}{
		"a group rebalanced before": {
			timings: &v1alpha1.RebalanceTimings{Nodes: 4, Provision: metav1.Duration{Duration: 2 * time.Second},
				Drain: metav1.Duration{Duration: 3 * time.Second}, Terminate: metav1.Duration{Duration: 500 * time.Millisecond},
				Wall: metav1.Duration{Duration: 14 * time.Second}},
			want: &rebalancerv1.StepTimings{Provision: durationpb.New(2 * time.Second), Drain: durationpb.New(3 * time.Second),
				Terminate: durationpb.New(500 * time.Millisecond), SampleNodes: 4},
		},
		"a group never rebalanced": {},
		"timings of no node":       {timings: &v1alpha1.RebalanceTimings{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			objects := group()
			objects[0].(*v1alpha1.NodeGroup).Status.LastRebalanceTimings = tc.timings
			r := newRig(t, state.Static(objects...))
			a, err := r.analyzer.Analyze(t.Context(), "shop", "web", opportunity())
			require.NoError(t, err)
			require.True(t, proto.Equal(tc.want, a.GetStepTimings()), "got %v", a.GetStepTimings())
		})
	}
}
