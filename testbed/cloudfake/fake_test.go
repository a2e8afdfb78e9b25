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
		return cloudtest.Subject{Provider: p, Faults: p}
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
