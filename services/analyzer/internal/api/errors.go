package api

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/server"
	"github.com/vpsie/node-rebalancer/services/analyzer/internal/analysis"
)

// Errors is the one table of the Analyzer's typed errors. Their messages
// are written for callers (they name the group or node); anything else is
// Internal, logged by the interceptor chain and not returned.
var Errors = server.ErrorTable{
	{Match: analysis.IsNotSynced, Status: func(error) *status.Status {
		return status.New(codes.Unavailable, "the Analyzer's cluster caches are not synced yet; retry shortly")
	}},
	{Match: analysis.IsNotFound, Status: func(err error) *status.Status { return status.New(codes.NotFound, err.Error()) }},
	server.Typed(disabledStatus),
}

// disabledStatus names the policy field that stops the analysis.
func disabledStatus(e *analysis.DisabledError) *status.Status {
	st := status.New(codes.FailedPrecondition, e.Error())
	detailed, derr := st.WithDetails(&errdetails.PreconditionFailure{
		Violations: []*errdetails.PreconditionFailure_Violation{{
			Type: "POLICY", Subject: "nodegroups/" + e.Namespace + "/" + e.Name,
			Description: "spec.rebalancing.enabled is false",
		}},
	})
	if derr != nil {
		return st
	}
	return detailed
}
