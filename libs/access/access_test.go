package access_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vpsie/node-rebalancer/libs/access"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
)

// locate knows one execution, exec-1 of shop/web, and fails for "broken".
func locate(_ context.Context, id string) (string, string, bool, error) {
	switch id {
	case "exec-1":
		return "shop", "web", true, nil
	case "broken":
		return "", "", false, errors.New("nats: timeout")
	}
	return "", "", false, nil
}

func TestEveryMethodHasARule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		desc  grpc.ServiceDesc
		table server.AccessTable
	}{
		{rebalancerv1.AnalyzerService_ServiceDesc, access.Analyzer()},
		{rebalancerv1.PlannerService_ServiceDesc, access.Planner()},
		{rebalancerv1.ExecutorService_ServiceDesc, access.Executor(locate)},
	} {
		var methods []string
		for _, m := range c.desc.Methods {
			methods = append(methods, m.MethodName)
		}
		for _, s := range c.desc.Streams {
			methods = append(methods, s.StreamName)
		}
		var ruled []string
		for m := range c.table {
			ruled = append(ruled, m)
		}
		require.ElementsMatch(t, methods, ruled, c.desc.ServiceName)
	}
}

func TestRulesNameVerbNamespaceAndGroup(t *testing.T) {
	t.Parallel()
	analyzer, planner, executor := access.Analyzer(), access.Planner(), access.Executor(locate)
	plan := &rebalancerv1.RebalancePlan{Namespace: "shop", NodeGroup: "web"}
	analysis := &rebalancerv1.RebalanceAnalysis{Namespace: "shop", NodeGroup: "web"}
	at := func(verb string) server.Attributes {
		return server.Attributes{Verb: verb, Namespace: "shop", Group: "web"}
	}
	everywhere := func(verb string) server.Attributes { return server.Attributes{Verb: verb} }
	for name, c := range map[string]struct {
		rule server.AccessRule
		req  any
		want server.Attributes
	}{
		"analyze reads the group":                      {analyzer["AnalyzeRebalance"], &rebalancerv1.AnalyzeRebalanceRequest{Namespace: "shop", NodeGroup: "web"}, at("get")},
		"validating safety reads the group":            {analyzer["ValidateRebalanceSafety"], &rebalancerv1.ValidateRebalanceSafetyRequest{Namespace: "shop", NodeGroup: "web"}, at("get")},
		"planning reads the analysis' group":           {planner["CreatePlan"], &rebalancerv1.CreatePlanRequest{Analysis: analysis}, at("get")},
		"planning without an analysis asks everywhere": {planner["CreatePlan"], &rebalancerv1.CreatePlanRequest{}, everywhere("get")},
		"validating a plan reads its group":            {planner["ValidatePlan"], &rebalancerv1.ValidatePlanRequest{Plan: plan}, at("get")},
		"executing creates on the plan's group":        {executor["ExecutePlan"], &rebalancerv1.ExecutePlanRequest{Plan: plan}, at("create")},
		"listing a namespace":                          {executor["ListExecutions"], &rebalancerv1.ListExecutionsRequest{Namespace: "shop"}, server.Attributes{Verb: "get", Namespace: "shop"}},
		"listing every namespace asks cluster-wide":    {executor["ListExecutions"], &rebalancerv1.ListExecutionsRequest{}, everywhere("get")},
		"a group without namespace is everywhere":      {executor["ListExecutions"], &rebalancerv1.ListExecutionsRequest{NodeGroup: "web"}, everywhere("get")},
		"approving the execution's group":              {executor["ApproveExecution"], &rebalancerv1.ApproveExecutionRequest{ExecutionId: "exec-1"}, at("approve")},
		"getting":                                      {executor["GetExecution"], &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-1"}, at("get")},
		"watching":                                     {executor["WatchExecution"], &rebalancerv1.WatchExecutionRequest{ExecutionId: "exec-1"}, at("get")},
		"pausing":                                      {executor["PauseExecution"], &rebalancerv1.PauseExecutionRequest{ExecutionId: "exec-1"}, at("update")},
		"resuming":                                     {executor["ResumeExecution"], &rebalancerv1.ResumeExecutionRequest{ExecutionId: "exec-1"}, at("update")},
		"cancelling":                                   {executor["CancelExecution"], &rebalancerv1.CancelExecutionRequest{ExecutionId: "exec-1"}, at("update")},
		"rolling back":                                 {executor["RollbackExecution"], &rebalancerv1.RollbackExecutionRequest{ExecutionId: "exec-1"}, at("update")},
		"an unknown execution asks cluster-wide":       {executor["GetExecution"], &rebalancerv1.GetExecutionRequest{ExecutionId: "exec-404"}, everywhere("get")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := c.rule(t.Context(), c.req)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func TestALookupThatFailsIsUnavailable(t *testing.T) {
	t.Parallel()
	_, err := access.Executor(locate)["CancelExecution"](t.Context(), &rebalancerv1.CancelExecutionRequest{ExecutionId: "broken"})
	require.Equal(t, codes.Unavailable, status.Code(err))
	require.NotContains(t, err.Error(), "nats", "the cause stays in the server")
	_, err = access.Analyzer()["AnalyzeRebalance"](t.Context(), &rebalancerv1.GetExecutionRequest{})
	require.Equal(t, codes.Internal, status.Code(err), "a request of another method")
}
