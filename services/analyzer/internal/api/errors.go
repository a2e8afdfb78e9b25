package api

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
)

// toStatus is the one place the Analyzer's domain errors become gRPC
// codes. The messages of the typed errors are written for callers (they
// name the group or node); anything else is Internal, its cause logged
// and not returned.
func (s *Server) toStatus(ctx context.Context, err error) error {
	var disabled *analysis.DisabledError
	switch {
	case analysis.IsNotSynced(err):
		return status.Error(codes.Unavailable, "the Analyzer's cluster caches are not synced yet; retry shortly")
	case analysis.IsNotFound(err):
		return status.Error(codes.NotFound, err.Error())
	case errors.As(err, &disabled):
		return disabledStatus(disabled)
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	default:
		s.logger.ErrorContext(ctx, "analysis failed", "error", err)
		return status.Error(codes.Internal, "internal error")
	}
}

func disabledStatus(e *analysis.DisabledError) error {
	st := status.New(codes.FailedPrecondition, e.Error())
	detailed, err := st.WithDetails(&errdetails.PreconditionFailure{
		Violations: []*errdetails.PreconditionFailure_Violation{{
			Type: "POLICY", Subject: "nodegroups/" + e.Namespace + "/" + e.Name,
			Description: "spec.rebalancing.enabled is false",
		}},
	})
	if err != nil {
		return st.Err()
	}
	return detailed.Err()
}
