package rpcerr_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/vpsie/node-rebalancer/cli/internal/rpcerr"
)

func withDetails(t *testing.T, code codes.Code, msg string, details ...protoadapt.MessageV1) error {
	t.Helper()
	st, err := status.New(code, msg).WithDetails(details...)
	require.NoError(t, err)
	return st.Err()
}

// Each BadRequest violation is its own "field: description" line under a
// headline that names the service instead of repeating them all.
func TestBadRequestViolationsOnePerLine(t *testing.T) {
	t.Parallel()
	err := withDetails(t, codes.InvalidArgument, "invalid request: a: x; b: y", &errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "analysis.node_group", Description: "must be a DNS-1123 label"},
			{Field: "overrides.batch_size", Description: "must be at least 1"},
		},
	})
	got := rpcerr.Lines(rpcerr.Wrap("planner", "127.0.0.1:9091", err))
	require.Equal(t, []string{
		"planner (127.0.0.1:9091) rejected the request as invalid: see below",
		"  analysis.node_group: must be a DNS-1123 label",
		"  overrides.batch_size: must be at least 1",
	}, got)
}

func TestPreconditionFailureNamesTheRule(t *testing.T) {
	t.Parallel()
	err := withDetails(t, codes.FailedPrecondition, "policy: rebalancing disabled", &errdetails.PreconditionFailure{
		Violations: []*errdetails.PreconditionFailure_Violation{{Type: "POLICY", Subject: "enabled", Description: "rebalancing is disabled for shop/web"}},
	})
	got := rpcerr.Lines(rpcerr.Wrap("planner", "p:1", err))
	require.Equal(t, []string{
		"planner (p:1) refused in the current state: see below",
		"  enabled: rebalancing is disabled for shop/web",
	}, got)
}

func TestCodesBecomeOneLine(t *testing.T) {
	t.Parallel()
	cases := map[codes.Code]string{
		codes.NotFound:         "executor (e:1) found nothing: no such execution",
		codes.Unavailable:      "executor (e:1) is unavailable (check the address and that it runs): no such execution",
		codes.DeadlineExceeded: "executor (e:1) did not answer in time (raise --timeout): no such execution",
		codes.Unimplemented:    "executor (e:1) does not support this call yet: no such execution",
		codes.DataLoss:         "executor (e:1) failed with DataLoss: no such execution",
	}
	for code, want := range cases {
		err := rpcerr.Wrap("executor", "e:1", status.Error(code, "no such execution"))
		require.Equal(t, []string{want}, rpcerr.Lines(err), code.String())
		require.Equal(t, want, err.Error())
	}
}

func TestOtherErrorsPassThrough(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"plan.json: empty input"}, rpcerr.Lines(errors.New("plan.json: empty input")))
	require.NoError(t, rpcerr.Wrap("planner", "p:1", nil))
}
