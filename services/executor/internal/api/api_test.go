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

func TestAnswersUnavailableUntilTheEngineIsReady(t *testing.T) {
	t.Parallel()
	s := &Server{}
	_, err := s.GetExecution(t.Context(), &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-1"})
	require.Equal(t, codes.Unavailable, status.Code(err))
}
