package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// The approver is who the Executor authenticates, so approve sends no
// name of its own, whatever $USER says, and has no flag to give one.
func TestApproveSendsNoNameOfItsOwn(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	got := invocation{env: with(svc.env, "USER", "alice")}.run(t, "approve", testfixture.ExecutionID)
	require.Equal(t, 0, got.code, got.stderr)
	require.Contains(t, got.stdout, "Status:      RUNNING")
	require.True(t, proto.Equal(&rebalancerv1.ApproveExecutionRequest{ExecutionId: testfixture.ExecutionID}, svc.executor.requests()[0]))
	got = invocation{env: svc.env}.run(t, "approve", testfixture.ExecutionID, "--approved-by", "bob")
	require.NotEqual(t, 0, got.code, "no --approved-by flag")
}

func TestCancelSendsTheReason(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	got := invocation{env: svc.env}.run(t, "cancel", testfixture.ExecutionID, "--reason", "peak traffic", "-o", "json")
	require.Equal(t, 0, got.code, got.stderr)
	require.Contains(t, got.stdout, `"status": "EXECUTION_STATUS_ROLLING_BACK"`)
	require.True(t, proto.Equal(&rebalancerv1.CancelExecutionRequest{ExecutionId: testfixture.ExecutionID, Reason: "peak traffic"}, svc.executor.requests()[0]))
}

// The fake executor answers Unimplemented for pause, as a service without
// the RPC would; the CLI says so in one line.
func TestUnimplementedCallIsNamed(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	got := invocation{env: svc.env}.run(t, "pause", testfixture.ExecutionID)
	require.Equal(t, 1, got.code)
	require.Contains(t, got.stderr, "does not support this call yet")
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	svc := startServices(t, nil, succeeded)
	got := invocation{env: svc.env}.run(t, "list", "-n", "shop", "-g", "web", "--status", "running,Awaiting-Approval", "--limit", "5")
	require.Equal(t, 0, got.code, got.stderr)
	require.True(t, proto.Equal(&rebalancerv1.ListExecutionsRequest{
		Namespace: "shop", NodeGroup: "web", PageSize: 5,
		Statuses: []rebalancerv1.ExecutionStatus{
			rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING, rebalancerv1.ExecutionStatus_EXECUTION_STATUS_AWAITING_APPROVAL,
		},
	}, svc.executor.requests()[0]))
	require.Contains(t, got.stdout, testfixture.ExecutionID+"  shop/web   SUCCEEDED")
}
