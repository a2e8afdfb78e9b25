package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/libs/server"
)

// registrar records what Register installs.
type registrar struct {
	tables map[string]server.AccessTable
}

func (r *registrar) RegisterService(*grpc.ServiceDesc, any)   {}
func (r *registrar) MapErrors(string, server.ErrorTable)      {}
func (r *registrar) Authorize(s string, t server.AccessTable) { r.tables[s] = t }

func TestRegisterInstallsARuleForEveryMethod(t *testing.T) {
	t.Parallel()
	r := &registrar{tables: map[string]server.AccessTable{}}
	Register(r)
	table := r.tables[rebalancerv1.ExecutorService_ServiceDesc.ServiceName]
	for _, m := range rebalancerv1.ExecutorService_ServiceDesc.Methods {
		require.Contains(t, table, m.MethodName)
	}
	for _, s := range rebalancerv1.ExecutorService_ServiceDesc.Streams {
		require.Contains(t, table, s.StreamName)
	}
	// Until the engine is there, an execution's group cannot be looked up.
	_, err := table["CancelExecution"](context.Background(), &rebalancerv1.CancelExecutionRequest{ExecutionId: "exec-1"})
	require.Equal(t, codes.Unavailable, status.Code(err))
	// A call naming its group needs no lookup.
	attrs, err := table["ExecutePlan"](context.Background(), &rebalancerv1.ExecutePlanRequest{
		Plan: &rebalancerv1.RebalancePlan{Namespace: "shop", NodeGroup: "web"}})
	require.NoError(t, err)
	require.Equal(t, server.Attributes{Verb: server.VerbCreate, Namespace: "shop", Group: "web"}, attrs)
}
