package api_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/api"
)

// failing is an Analyzer that answers every call with err.
type failing struct{ err error }

func (f failing) Analyze(context.Context, string, string, *rebalancerv1.Opportunity) (*rebalancerv1.RebalanceAnalysis, error) {
	return nil, f.err
}

func (f failing) ValidateSafety(context.Context, string, string, []string) (*rebalancerv1.ValidateRebalanceSafetyResponse, error) {
	return nil, f.err
}

func TestDomainErrorsAreMappedOnce(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err  error
		code codes.Code
		msg  string
	}{
		"caches not synced": {analysis.ErrNotSynced, codes.Unavailable, "not synced yet; retry shortly"},
		"an unknown group": {&analysis.GroupNotFoundError{Namespace: "shop", Name: "web"}, codes.NotFound,
			"node group shop/web not found"},
		"a node of another group": {fmt.Errorf("select: %w", &analysis.NodeNotInGroupError{Node: "db-0", Namespace: "shop", Group: "web"}),
			codes.NotFound, "select: node db-0 is not a member of node group shop/web"},
		"a disabled group": {&analysis.DisabledError{Namespace: "shop", Name: "web"}, codes.FailedPrecondition,
			"rebalancing is disabled for node group shop/web"},
		"a caller who hung up":                     {context.Canceled, codes.Canceled, "context canceled"},
		"anything else is internal and not leaked": {errors.New("index out of range in secret place"), codes.Internal, "internal error"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := api.New(failing{tc.err})
			_, err := s.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{})
			st := status.Convert(api.Errors.Map(err))
			require.Equal(t, tc.code, st.Code())
			require.Contains(t, st.Message(), tc.msg)
			_, err = s.ValidateRebalanceSafety(t.Context(), &rebalancerv1.ValidateRebalanceSafetyRequest{})
			require.Equal(t, tc.code, status.Code(api.Errors.Map(err)))
		})
	}
}

func TestADisabledGroupNamesThePolicyField(t *testing.T) {
	t.Parallel()
	s := api.New(failing{&analysis.DisabledError{Namespace: "shop", Name: "web"}})
	_, err := s.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{})
	details := status.Convert(api.Errors.Map(err)).Details()
	require.Len(t, details, 1)
	v := details[0].(*errdetails.PreconditionFailure).GetViolations()[0]
	require.Equal(t, "POLICY", v.GetType())
	require.Equal(t, "nodegroups/shop/web", v.GetSubject())
	require.Equal(t, "spec.rebalancing.enabled is false", v.GetDescription())
}
