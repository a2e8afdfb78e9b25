package api

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	"github.com/vpsie/node-rebalancer/services/planner/internal/planner"
)

// toStatus is the one place the Planner's domain errors become gRPC codes:
// an unmet policy is FailedPrecondition with a PreconditionFailure naming
// the rule, a malformed analysis is InvalidArgument with a BadRequest listing
// the fields (as the request interceptor does), and anything else is an
// Internal error whose cause is logged, not returned.
func (s *Server) toStatus(ctx context.Context, err error) error {
	var unmet *planner.UnmetPolicyError
	var invalid *planner.InvalidAnalysisError
	switch {
	case errors.As(err, &unmet):
		return unmetPolicyStatus(unmet)
	case errors.As(err, &invalid):
		return invalidAnalysisStatus(invalid)
	default:
		s.logger.ErrorContext(ctx, "planning failed", "error", err)
		return status.Error(codes.Internal, "internal error")
	}
}

func unmetPolicyStatus(e *planner.UnmetPolicyError) error {
	st := status.New(codes.FailedPrecondition, e.Error())
	detailed, err := st.WithDetails(&errdetails.PreconditionFailure{
		Violations: []*errdetails.PreconditionFailure_Violation{{Type: "POLICY", Subject: e.Rule, Description: e.Reason}},
	})
	if err != nil {
		return st.Err()
	}
	return detailed.Err()
}

func invalidAnalysisStatus(e *planner.InvalidAnalysisError) error {
	fields := make([]*errdetails.BadRequest_FieldViolation, len(e.Violations))
	for i, v := range e.Violations {
		fields[i] = &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description}
	}
	return (&apivalidate.Error{Violations: fields}).GRPCStatus().Err()
}
