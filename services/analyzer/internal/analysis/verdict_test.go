package analysis

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/durationpb"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/checks"
)

func check(status rebalancerv1.SafetyCheckStatus) checks.Result {
	return checks.Result{Check: &rebalancerv1.SafetyCheck{Name: "x", Status: status}}
}

const (
	pass = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_PASSED
	warn = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_WARNING
	fail = rebalancerv1.SafetyCheckStatus_SAFETY_CHECK_STATUS_FAILED
)

func groupFailure(wait bool) checks.Result {
	r := check(fail)
	r.Wait = wait
	return r
}

func nodeFailure(wait bool, nodes ...string) checks.Result {
	r := check(fail)
	for _, n := range nodes {
		r.Blockers = append(r.Blockers, checks.Blocker{Node: n, Reason: "blocked", Wait: wait})
	}
	return r
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	const (
		proceed  = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_PROCEED
		postpone = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_POSTPONE
		reject   = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_REJECT
		review   = rebalancerv1.RecommendedAction_RECOMMENDED_ACTION_NEEDS_REVIEW
	)
	candidates := []string{"a", "b"}
	cases := map[string]struct {
		extra []checks.Result
		want  rebalancerv1.RecommendedAction
	}{
		"every check passed":                         {want: proceed},
		"a warning":                                  {extra: []checks.Result{check(warn)}, want: review},
		"a group-wide failure time may clear":        {extra: []checks.Result{groupFailure(true)}, want: postpone},
		"a group-wide failure time will not clear":   {extra: []checks.Result{groupFailure(false)}, want: reject},
		"a lasting failure outweighs a passing one":  {extra: []checks.Result{groupFailure(true), groupFailure(false)}, want: reject},
		"one candidate blocked, the other safe":      {extra: []checks.Result{nodeFailure(false, "a")}, want: review},
		"every candidate blocked for good":           {extra: []checks.Result{nodeFailure(false, "a", "b")}, want: reject},
		"every candidate blocked for now":            {extra: []checks.Result{nodeFailure(true, "a", "b")}, want: postpone},
		"one blocked for now, the other for good":    {extra: []checks.Result{nodeFailure(true, "a"), nodeFailure(false, "b")}, want: postpone},
		"one blocked both for now and for good":      {extra: []checks.Result{nodeFailure(true, "a", "b"), nodeFailure(false, "a", "b")}, want: reject},
		"a group-wide wait outweighs a node blocker": {extra: []checks.Result{nodeFailure(false, "a"), groupFailure(true)}, want: postpone},
		"a blocker on a node that is no candidate":   {extra: []checks.Result{nodeFailure(false, "z")}, want: proceed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			results := append([]checks.Result{check(pass)}, tc.extra...)
			require.Equal(t, tc.want, verdict(results, candidates))
		})
	}
	require.Equal(t, reject, verdict([]checks.Result{check(pass)}, nil), "no candidate at all")
}

func TestPodCostIsClamped(t *testing.T) {
	t.Parallel()
	require.InDelta(t, 1.0, podCost(0, 0), 1e-9)
	require.InDelta(t, 1.5, podCost(1<<24, 0), 1e-9)
	require.InDelta(t, 1.25, podCost(0, 1<<25), 1e-9)
	require.InDelta(t, 10, podCost(2_000_000_000, 0), 1e-9, "system-critical pods reach the cap")
	require.InDelta(t, 0.1, podCost(-2_000_000_000, 0), 1e-9, "never free")
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	policy := func(s rebalancerv1.RebalanceStrategy, batch, concurrent, surge int32) *rebalancerv1.RebalancePolicy {
		return &rebalancerv1.RebalancePolicy{Strategy: s, BatchSize: batch, MaxConcurrent: concurrent, MaxSurge: surge,
			ProvisionTimeout: durationpb.New(10 * time.Minute), DrainTimeout: durationpb.New(5 * time.Minute),
			BatchSoakTime: durationpb.New(time.Minute)}
	}
	const wave = 16 * time.Minute // provision + drain + terminate
	cases := map[string]struct {
		p    *rebalancerv1.RebalancePolicy
		n    int
		want time.Duration
	}{
		"nothing to replace":                     {policy(rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, 1, 2, 1), 0, 0},
		"rolling, batches of one":                {policy(rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, 1, 2, 1), 5, 5 * wave},
		"rolling, batches capped by concurrency": {policy(rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_ROLLING, 4, 2, 1), 5, 3 * wave},
		"surge, two lanes":                       {policy(rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_SURGE, 1, 2, 3), 5, 3 * wave},
		"blue-green": {policy(rebalancerv1.RebalanceStrategy_REBALANCE_STRATEGY_BLUE_GREEN, 1, 2, 5), 4,
			2*10*time.Minute + 4*(5*time.Minute+time.Minute) + 2*time.Minute},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, estimate(tc.p, tc.n))
		})
	}
}

func TestPriorityGradesTheSavingsShare(t *testing.T) {
	t.Parallel()
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_HIGH, priority(40, 100))
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_MEDIUM, priority(39, 100))
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_MEDIUM, priority(20, 100))
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_LOW, priority(19, 100))
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_LOW, priority(-5, 100))
	require.Equal(t, rebalancerv1.RebalancePriority_REBALANCE_PRIORITY_UNSPECIFIED, priority(0, 0), "not priced")
}
