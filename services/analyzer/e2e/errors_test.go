package e2e_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/fixtures"
	"github.com/vpsie/node-rebalancer/testbed/sandbox/sandboxtest"
)

func TestErrorsOverGRPC(t *testing.T) {
	t.Parallel()
	sb, ns := sandboxtest.Shared(), sandboxtest.Namespace(t)
	off := fixtures.Group{Namespace: ns, Name: "off", Offering: fixtures.Standard8, Datacenter: catalog.NYC1,
		Rebalancing: v1alpha1.RebalancingPolicy{Enabled: ptr.To(false)}}
	_, err := sb.Autoscaler.NodeGroups(ns).Create(t.Context(), off.NodeGroup(), metav1.CreateOptions{})
	require.NoError(t, err)
	_, nodes := fixtures.CreateGroup(t, sb, fixtures.Group{Namespace: ns, Offering: fixtures.Standard8, Nodes: 1, Datacenter: catalog.NYC1})
	r := startRig(t, nil).serving(t)
	opp := &rebalancerv1.Opportunity{CurrentOffering: "standard-8", TargetOffering: "compute-4"}

	_, err = r.client.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{Namespace: ns, NodeGroup: "nope", Opportunity: opp})
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Equal(t, "node group "+ns+"/nope not found", status.Convert(err).Message())

	require.Eventually(t, func() bool { // the informer may not have seen the group created above yet
		_, err = r.client.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{Namespace: ns, NodeGroup: "off", Opportunity: opp})
		return status.Code(err) != codes.NotFound
	}, fixtures.Timeout, pollEvery)
	st := status.Convert(err)
	require.Equal(t, codes.FailedPrecondition, st.Code())
	require.Contains(t, st.Message(), "rebalancing is disabled for node group "+ns+"/off")
	require.Len(t, st.Details(), 1)
	require.Equal(t, "nodegroups/"+ns+"/off", st.Details()[0].(*errdetails.PreconditionFailure).GetViolations()[0].GetSubject())

	_, err = r.client.ValidateRebalanceSafety(t.Context(), &rebalancerv1.ValidateRebalanceSafetyRequest{
		Namespace: ns, NodeGroup: ns, NodeNames: []string{nodes[0].Name, "stranger"}})
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Equal(t, "node stranger is not a member of node group "+ns+"/"+ns, status.Convert(err).Message())

	_, err = r.client.AnalyzeRebalance(t.Context(), &rebalancerv1.AnalyzeRebalanceRequest{Namespace: ns, NodeGroup: "Not_A_Name", Opportunity: opp})
	require.Equal(t, codes.InvalidArgument, status.Code(err), "the shared chain validates before the handler")
}
