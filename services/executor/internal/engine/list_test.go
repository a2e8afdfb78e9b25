package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
)

func TestListPagesNewestFirstAndFilters(t *testing.T) {
	t.Parallel()
	mem := &memStore{recs: map[string]*store.Record{}}
	base := time.Unix(1_800_000_000, 0).UTC()
	for i, id := range []string{"exec-a", "exec-b", "exec-c", "exec-d"} {
		status := rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED
		if id == "exec-c" {
			status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED
		}
		_, err := mem.Create(t.Context(), &store.Record{Plan: &rebalancerv1.RebalancePlan{}, AcceptedAt: base.Add(time.Duration(i) * time.Minute),
			State: &rebalancerv1.ExecutionState{ExecutionId: id, Namespace: "shop", NodeGroup: "web", Status: status}})
		require.NoError(t, err)
	}
	e := New(Deps{Store: mem}, accept.Checker{}, nil)
	t.Cleanup(e.Stop)
	ids := func(list []*rebalancerv1.ExecutionState) []string {
		var out []string
		for _, s := range list {
			out = append(out, s.GetExecutionId())
		}
		return out
	}
	page, next, err := e.List(t.Context(), Query{PageSize: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"exec-d", "exec-c"}, ids(page))
	require.NotEmpty(t, next)
	page, next, err = e.List(t.Context(), Query{PageSize: 2, PageToken: next})
	require.NoError(t, err)
	require.Equal(t, []string{"exec-b", "exec-a"}, ids(page))
	require.Empty(t, next)

	page, _, err = e.List(t.Context(), Query{Namespace: "shop", NodeGroup: "web",
		Statuses: []rebalancerv1.ExecutionStatus{rebalancerv1.ExecutionStatus_EXECUTION_STATUS_FAILED}})
	require.NoError(t, err)
	require.Equal(t, []string{"exec-c"}, ids(page))
	page, _, err = e.List(t.Context(), Query{Namespace: "elsewhere"})
	require.NoError(t, err)
	require.Empty(t, page)

	_, _, err = e.List(t.Context(), Query{PageToken: "not a token!"})
	require.ErrorIs(t, err, ErrBadPageToken)
}
