package api

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/apivalidate"
	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/planner/internal/planner"
)

// Errors is the one table of the Planner's typed errors: an unmet policy
// is FailedPrecondition with a PreconditionFailure naming the rule, then
// each of its details (a safety check that did not pass, a field the plan
// would loosen) as a violation of its own; a
// malformed analysis is InvalidArgument with a BadRequest listing the
// fields (as the request interceptor does). Anything else is Internal,
// logged by the interceptor chain, its cause not returned.
var Errors = server.ErrorTable{
	server.Typed(unmetPolicyStatus),
	server.Typed(invalidAnalysisStatus),
}

func unmetPolicyStatus(e *planner.UnmetPolicyError) *status.Status {
	st := status.New(codes.FailedPrecondition, e.Error())
	violations := []*errdetails.PreconditionFailure_Violation{{Type: "POLICY", Subject: e.Rule, Description: e.Reason}}
	for _, d := range e.Details {
		violations = append(violations, &errdetails.PreconditionFailure_Violation{Type: d.Kind, Subject: d.Subject, Description: d.Description})
	}
	detailed, derr := st.WithDetails(&errdetails.PreconditionFailure{Violations: violations})
	if derr != nil {
		return st
	}
	return detailed
}

func invalidAnalysisStatus(e *planner.InvalidAnalysisError) *status.Status {
	fields := make([]*errdetails.BadRequest_FieldViolation, len(e.Violations))
	for i, v := range e.Violations {
		fields[i] = &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description}
	}
	return (&apivalidate.Error{Violations: fields}).GRPCStatus()
}
