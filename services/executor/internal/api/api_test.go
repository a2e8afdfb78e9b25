package api

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/identity"
	"github.com/vpsie/node-rebalancer/services/executor/internal/accept"
	"github.com/vpsie/node-rebalancer/services/executor/internal/engine"
)

func TestErrorsMapToCodesWithoutLeakingDetail(t *testing.T) {
	t.Parallel()
	refusal := &apivalidate.Error{Violations: []*errdetails.BadRequest_FieldViolation{{Field: "plan.node_group", Description: "no NodeGroup"}}}
	for name, c := range map[string]struct {
		err  error
		code codes.Code
	}{
		"plan refused":      {refusal, codes.InvalidArgument},
		"plan may not run":  {fmt.Errorf("accept: %w", &accept.Refusal{Rule: accept.RuleEnabled, Reason: "disabled"}), codes.FailedPrecondition},
		"no execution":      {fmt.Errorf("get: %w", engine.ErrNotFound), codes.NotFound},
		"bad page token":    {engine.ErrBadPageToken, codes.InvalidArgument},
		"wrong state":       {&engine.StateError{Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED, Action: "pause"}, codes.FailedPrecondition},
		"claimed meanwhile": {engine.ErrBusy, codes.Aborted},
		"caller went away":  {context.Canceled, codes.Canceled},
		"cluster down":      {errors.New("dial tcp 10.0.0.1:6443: connection refused"), codes.Internal},
	} {
		st := status.Convert(Errors.Map(c.err))
		require.Equal(t, c.code, st.Code(), name)
		require.NotContains(t, st.Message(), "10.0.0.1", name)
	}
	st := status.Convert(Errors.Map(&engine.StateError{Status: rebalancerv1.ExecutionStatus_EXECUTION_STATUS_PAUSED, Action: "approve"}))
	require.Equal(t, "cannot approve an execution that is PAUSED", st.Message(), "names the current status")
	details := status.Convert(Errors.Map(refusal)).Details()
	require.Len(t, details, 1, "field violations travel as errdetails.BadRequest")
}

// A refusal is FailedPrecondition naming the rule, then each particular,
// with the caller-facing reason as the message.
func TestARefusalNamesItsRuleAndEachParticular(t *testing.T) {
	t.Parallel()
	r := &accept.Refusal{Rule: accept.RuleCeiling,
		Reason:  "a plan may be stricter than node group shop/web's live policy, never looser: min_healthy_percent is 50 in the plan but 75 in the group",
		Details: []accept.Detail{{Kind: accept.DetailLoosening, Subject: "min_healthy_percent", Description: "50 in the plan, 75 in the group"}}}
	st := status.Convert(Errors.Map(r))
	require.Equal(t, codes.FailedPrecondition, st.Code())
	require.Contains(t, st.Message(), "min_healthy_percent is 50 in the plan but 75 in the group")
	require.Len(t, st.Details(), 1)
	pf, ok := st.Details()[0].(*errdetails.PreconditionFailure)
	require.True(t, ok, "a PreconditionFailure: %T", st.Details()[0])
	require.Len(t, pf.GetViolations(), 2)
	require.Equal(t, "RULE", pf.GetViolations()[0].GetType())
	require.Equal(t, "policy_ceiling", pf.GetViolations()[0].GetSubject())
	require.Equal(t, "POLICY_CEILING", pf.GetViolations()[1].GetType())
	require.Equal(t, "min_healthy_percent", pf.GetViolations()[1].GetSubject())
}

func TestAnswersUnavailableUntilTheEngineIsReady(t *testing.T) {
	t.Parallel()
	s := &Server{}
	_, err := s.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-1"})
	require.Equal(t, codes.Unavailable, status.Code(err))
}

func TestTheRecordNamesTheAuthenticatedCallerNeverTheBodysName(t *testing.T) {
	t.Parallel()
	jane := identity.Identity{User: "jane@example.com", Source: identity.SourceToken}
	require.Equal(t, "jane@example.com", caller(identity.NewContext(t.Context(), jane)))
	require.Equal(t, identity.Anonymous.User, caller(t.Context()), "a call that reached no authentication is anonymous")
}
