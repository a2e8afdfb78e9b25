// Package access is who may call what in the rebalancer API: each RPC's
// verb on the rebalance subresource of a NodeGroup
// (autoscaler.vpsie.io nodegroups/rebalance), and where its request names
// the group. The services install these tables on their server
// (server.Server.Authorize), which asks the cluster's RBAC with a
// SubjectAccessReview before each call; deploy/ ships the ClusterRoles
// that grant them:
//
//	rebalancer-viewer    get                   analyze, validate, plan, get, list, watch
//	rebalancer-operator  get, create, update   ... and execute, pause, resume, cancel, roll back
//	rebalancer-approver  get, approve          ... and approve
package access

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
)

// Locator finds the NodeGroup of an execution, for the calls that name
// only its ID; found is false when no execution has that ID. An error
// without a gRPC status is answered Unavailable.
type Locator func(ctx context.Context, executionID string) (namespace, group string, found bool, err error)

// Analyzer is the AnalyzerService's table: reading, on the request's group.
func Analyzer() server.AccessTable {
	return server.AccessTable{
		"AnalyzeRebalance": byRequest(server.VerbGet, func(r *rebalancerv1.AnalyzeRebalanceRequest) (string, string) {
			return r.GetNamespace(), r.GetNodeGroup()
		}),
		"ValidateRebalanceSafety": byRequest(server.VerbGet, func(r *rebalancerv1.ValidateRebalanceSafetyRequest) (string, string) {
			return r.GetNamespace(), r.GetNodeGroup()
		}),
	}
}

// Planner is the PlannerService's table: reading, on the group of the
// analysis or plan. Planning writes nothing; running a plan is the
// Executor's create.
func Planner() server.AccessTable {
	return server.AccessTable{
		"CreatePlan": byRequest(server.VerbGet, func(r *rebalancerv1.CreatePlanRequest) (string, string) {
			return r.GetAnalysis().GetNamespace(), r.GetAnalysis().GetNodeGroup()
		}),
		"ValidatePlan": byRequest(server.VerbGet, func(r *rebalancerv1.ValidatePlanRequest) (string, string) {
			return r.GetPlan().GetNamespace(), r.GetPlan().GetNodeGroup()
		}),
	}
}

// Executor is the ExecutorService's table. ExecutePlan and ListExecutions
// name their group (a list without a namespace needs a cluster-wide get);
// the calls naming an execution by ID are authorized on its group, found
// by locate. An ID that names no execution is authorized as a
// cluster-wide request, so only a caller allowed everywhere learns that
// it does not exist; others are denied as for any execution.
func Executor(locate Locator) server.AccessTable {
	return server.AccessTable{
		"ExecutePlan": byRequest(server.VerbCreate, func(r *rebalancerv1.ExecutePlanRequest) (string, string) {
			return r.GetPlan().GetNamespace(), r.GetPlan().GetNodeGroup()
		}),
		"ListExecutions": byRequest(server.VerbGet, func(r *rebalancerv1.ListExecutionsRequest) (string, string) {
			return r.GetNamespace(), r.GetNodeGroup()
		}),
		"ApproveExecution":  byExecution[*rebalancerv1.ApproveExecutionRequest](server.VerbApprove, locate),
		"GetExecution":      byExecution[*rebalancerv1.GetExecutionRequest](server.VerbGet, locate),
		"WatchExecution":    byExecution[*rebalancerv1.WatchExecutionRequest](server.VerbGet, locate),
		"PauseExecution":    byExecution[*rebalancerv1.PauseExecutionRequest](server.VerbUpdate, locate),
		"ResumeExecution":   byExecution[*rebalancerv1.ResumeExecutionRequest](server.VerbUpdate, locate),
		"CancelExecution":   byExecution[*rebalancerv1.CancelExecutionRequest](server.VerbUpdate, locate),
		"RollbackExecution": byExecution[*rebalancerv1.RollbackExecutionRequest](server.VerbUpdate, locate),
	}
}

// byRequest is the rule of a request naming its group.
func byRequest[R any](verb string, where func(R) (namespace, group string)) server.AccessRule {
	return func(_ context.Context, req any) (server.Attributes, error) {
		r, ok := req.(R)
		if !ok {
			return server.Attributes{}, status.Errorf(codes.Internal, "access rule: unexpected request %T", req)
		}
		ns, group := where(r)
		if ns == "" {
			group = "" // a group is named within a namespace
		}
		return server.Attributes{Verb: verb, Namespace: ns, Group: group}, nil
	}
}

// byExecution is the rule of a request naming an execution.
func byExecution[R interface{ GetExecutionId() string }](verb string, locate Locator) server.AccessRule {
	return func(ctx context.Context, req any) (server.Attributes, error) {
		r, ok := req.(R)
		if !ok {
			return server.Attributes{}, status.Errorf(codes.Internal, "access rule: unexpected request %T", req)
		}
		attrs := server.Attributes{Verb: verb}
		if r.GetExecutionId() == "" {
			return attrs, nil
		}
		ns, group, found, err := locate(ctx, r.GetExecutionId())
		if err != nil {
			if _, ok := status.FromError(err); ok {
				return attrs, err
			}
			return attrs, status.Error(codes.Unavailable, "cannot find the execution's NodeGroup now; retry")
		}
		if found {
			attrs.Namespace, attrs.Group = ns, group
		}
		return attrs, nil
	}
}
