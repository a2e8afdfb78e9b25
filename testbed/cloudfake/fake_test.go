package cloudfake_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
	"github.com/vpsie/node-rebalancer/testbed/cloudtest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	cloudtest.Run(t, func(t *testing.T) cloudtest.Subject {
		p := cloudfake.New()
		return cloudtest.Subject{Provider: p, Faults: p, Kube: p}
	})
}

func spec() cloud.CreateSpec {
	return cloud.CreateSpec{Hostname: cloudtest.Hostname("fake"), OfferingID: catalog.ID("offering", "standard-2"), Datacenter: catalog.NYC1}
}

func TestNextErrorFailsOnceWithoutEffect(t *testing.T) {
	t.Parallel()
	p := cloudfake.New()
	p.NextError(cloudfake.OpCreateVM, cloud.ErrTransient)

	_, err := p.CreateVM(t.Context(), spec())
	require.ErrorIs(t, err, cloud.ErrTransient)
	require.Empty(t, p.VMs(), "the injected failure had no effect")

	_, err = p.CreateVM(t.Context(), spec())
	require.NoError(t, err, "the error is injected once")
	require.Len(t, p.VMs(), 1)
}

func TestCallsRecordsMethodsAndArguments(t *testing.T) {
	t.Parallel()
	p := cloudfake.New()
	s := spec()
	vm, err := p.CreateVM(t.Context(), s)
	require.NoError(t, err)
	require.NoError(t, p.DeleteVM(t.Context(), vm.ID))

	require.Equal(t, []cloudfake.Call{{Op: cloudfake.OpCreateVM, Arg: s}}, p.Calls(cloudfake.OpCreateVM))
	require.Equal(t, []cloudfake.Call{{Op: cloudfake.OpDeleteVM, Arg: vm.ID}}, p.Calls(cloudfake.OpDeleteVM))
	require.Len(t, p.Calls(""), 2)
}

func TestPutVMSeedsAnExistingMachine(t *testing.T) {
	t.Parallel()
	p := cloudfake.New()
	put := p.PutVM(cloud.VM{Hostname: "old-node-1", CPU: 8, RAMMB: 16384, Status: cloud.VMRunning})

	found, err := p.FindVM(t.Context(), "old-node-1")
	require.NoError(t, err)
	require.Equal(t, put, found)
	q, err := p.Quota(t.Context())
	require.NoError(t, err)
	want := cloudfake.DefaultQuota()
	want.UsedVMs, want.UsedCPU, want.UsedRAMMB = 1, 8, 16384
	require.Equal(t, want, q)
}

func TestReturnedVMsAreCopies(t *testing.T) {
	t.Parallel()
	p := cloudfake.New()
	s := spec()
	s.Labels = map[string]string{"a": "b"}
	vm, err := p.CreateVM(t.Context(), s)
	require.NoError(t, err)
	vm.Labels["a"] = "changed"

	again, err := p.GetVM(t.Context(), vm.ID)
	require.NoError(t, err)
	require.Equal(t, "b", again.Labels["a"])
}

func TestManagedClustersAreSeededRecordedAndInspected(t *testing.T) {
	t.Parallel()
	p := cloudfake.New()
	id := p.AddKubeCluster("prod", catalog.NYC1)
	require.Equal(t, catalog.ID("cluster", "prod"), id)
	require.Equal(t, id, p.AddKubeCluster("prod", catalog.NYC1), "adding it again changes nothing")
	web, err := p.AddKubeGroup(id, "web", "compute-4")
	require.NoError(t, err)
	require.Equal(t, int64(1), web.ID)

	p.NextError(cloudfake.OpAddKubeNode, cloud.ErrTransient)
	require.ErrorIs(t, p.AddKubeNode(t.Context(), id, web.ID), cloud.ErrTransient)
	require.Empty(t, p.KubeNodes(id), "the injected failure had no effect")
	require.NoError(t, p.AddKubeNode(t.Context(), id, web.ID))
	require.NoError(t, p.AddKubeNode(t.Context(), id, web.ID))

	nodes := p.KubeNodes(id)
	require.Equal(t, []string{"prod-web-1", "prod-web-2"}, []string{nodes[0].Hostname, nodes[1].Hostname})
	require.Len(t, p.Calls(cloudfake.OpAddKubeNode), 3)
	require.Equal(t, cloudfake.KubeNodeArgs{Cluster: id, Group: web.ID}, p.Calls(cloudfake.OpAddKubeNode)[0].Arg)
	require.NoError(t, p.DeleteKubeNode(t.Context(), id, nodes[0].ID))
	require.Equal(t, []cloudfake.Call{{Op: cloudfake.OpDeleteKubeNode, Arg: cloudfake.KubeNodeRef{Cluster: id, Node: nodes[0].ID}}},
		p.Calls(cloudfake.OpDeleteKubeNode))
	require.Len(t, p.KubeNodes(id), 1)
}
