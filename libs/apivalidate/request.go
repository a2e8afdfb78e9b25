package apivalidate

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// apiPackage is the package whose requests must all have rules; health and
// reflection requests, served by the same server, belong to others.
const apiPackage = "rebalancer.v1"

// Request checks a request message. A message of the API without rules is an
// Internal error, and a test walks every RPC to keep that from shipping.
func Request(req any) error {
	var v violations
	if !check(&v, req) {
		if m, ok := req.(proto.Message); ok && m.ProtoReflect().Descriptor().ParentFile().Package() == apiPackage {
			return status.Errorf(codes.Internal, "no validation rules for %s", m.ProtoReflect().Descriptor().FullName())
		}
		return nil
	}
	return v.err()
}

// check dispatches to the rules of req's type; false when there are none.
func check(v *violations, req any) bool {
	switch r := req.(type) {
	case *rebalancerv1.AnalyzeRebalanceRequest:
		analyzeRebalance(v, r)
	case *rebalancerv1.ValidateRebalanceSafetyRequest:
		validateRebalanceSafety(v, r)
	case *rebalancerv1.CreatePlanRequest:
		createPlan(v, r)
	case *rebalancerv1.ValidatePlanRequest:
		validatePlan(v, r)
	case *rebalancerv1.ExecutePlanRequest:
		executePlan(v, r)
	case *rebalancerv1.ListExecutionsRequest:
		listExecutions(v, r)
	case *rebalancerv1.WatchExecutionRequest:
		v.executionID("execution_id", r.GetExecutionId())
	case interface{ GetExecutionId() string }:
		// Approve, Get, Pause, Resume, Cancel and Rollback name one execution.
		v.executionID("execution_id", r.GetExecutionId())
	default:
		return false
	}
	return true
}
