package nodestep

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
	"github.com/vpsie/node-rebalancer/services/executor/internal/naming"
	"github.com/vpsie/node-rebalancer/services/executor/internal/store"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/cloudfake"
)

func TestProvisionCreatesTheVMUnderItsDeterministicHostname(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.NoError(t, provision(t.Context(), u.n))
	ne, nb := u.n.state()
	require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_JOINING, ne.GetPhase())
	require.Equal(t, naming.Hostname("plan-0123456789abcdef0123", "old-0", 1), ne.GetNewHostname())
	require.Equal(t, "compute-4", ne.GetNewOffering())
	require.Equal(t, 1, nb.ProvisionAttempts)
	vm := u.cloud.VMs()[ne.GetNewVmIdentifier()]
	require.Equal(t, "web", vm.Labels[v1alpha1.LabelNodeGroup], "the replacement joins as a group member")
	require.Equal(t, []rebalancerv1.EventKind{rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONING,
		rebalancerv1.EventKind_EVENT_KIND_NODE_PROVISIONED}, u.x.kinds())
}

// A resumed provision (the record still says PROVISIONING) finds the VM it
// asked for instead of ordering a second.
func TestProvisionResumedFindsTheSameVM(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.NoError(t, provision(t.Context(), u.n))
	first, _ := u.n.state()
	require.NoError(t, u.n.enter(t.Context(), rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, nil))
	require.NoError(t, provision(t.Context(), u.n))
	second, _ := u.n.state()
	require.Equal(t, first.GetNewVmIdentifier(), second.GetNewVmIdentifier())
	require.Len(t, u.cloud.VMs(), 1)
}

func TestProvisionFallsBackToTheAlternatives(t *testing.T) {
	t.Parallel()
	for name, refuse := range map[string]func(p *cloudfake.Provider){
		"quota exceeded on the target": func(p *cloudfake.Provider) {
			p.NextError(cloudfake.OpCreateVM, cloud.NewError(cloud.ErrQuotaExceeded, "CreateVM", "full"))
		},
		"target not sold in the datacenter": func(p *cloudfake.Provider) { p.MakeUnavailable(catalog.NYC1, "compute-4") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t, "compute-2")
			refuse(u.cloud)
			require.NoError(t, provision(t.Context(), u.n))
			ne, _ := u.n.state()
			require.Equal(t, "compute-2", ne.GetNewOffering())
		})
	}
}

func TestProvisionRetriesATransientFailureOnTheSameOffering(t *testing.T) {
	t.Parallel()
	u := newUnit(t, "compute-2")
	u.cloud.NextError(cloudfake.OpCreateVM, cloud.NewError(cloud.ErrTransient, "CreateVM", "502"))
	require.NoError(t, provision(t.Context(), u.n))
	ne, _ := u.n.state()
	require.Equal(t, "compute-4", ne.GetNewOffering())
	require.Len(t, u.cloud.Calls(cloudfake.OpCreateVM), 2)
}

func TestProvisionFailsTheNodeWhenNoOfferingCanBeHad(t *testing.T) {
	t.Parallel()
	for name, refuse := range map[string]func(p *cloudfake.Provider){
		"unauthorized": func(p *cloudfake.Provider) {
			p.NextError(cloudfake.OpListOfferings, cloud.NewError(cloud.ErrUnauthorized, "ListOfferings", "bad token"))
		},
		"every offering refused": func(p *cloudfake.Provider) {
			p.MakeUnavailable(catalog.NYC1, "compute-4")
			p.MakeUnavailable(catalog.NYC1, "compute-2")
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t, "compute-2")
			refuse(u.cloud)
			err := provision(t.Context(), u.n)
			var f *Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, rebalancerv1.NodePhase_NODE_PHASE_PROVISIONING, f.Phase)
			require.Empty(t, u.cloud.VMs(), "no VM left behind")
		})
	}
}

// The VM boots with the group's template rendered: the join and a kubelet
// registering with the group label, its labels and its taints.
func TestProvisionBootsTheVMWithTheGroupsUserData(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.NoError(t, u.x.write(func(r *store.Record) {
		r.Book.GroupLabels = map[string]string{"tier": "web"}
		r.Book.GroupTaints = []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}}
	}))
	require.NoError(t, provision(t.Context(), u.n))
	create := u.cloud.Calls(cloudfake.OpCreateVM)
	require.Len(t, create, 1)
	userData := create[0].Arg.(cloud.CreateSpec).UserData
	require.Contains(t, userData, "kubeadm join --token unit.token --node-name "+naming.Hostname("plan-0123456789abcdef0123", "old-0", 1))
	require.Contains(t, userData, "--node-labels="+v1alpha1.LabelNodeGroup+"=web,tier=web")
	require.Contains(t, userData, "--register-with-taints=dedicated=web:NoSchedule")
}

// Without a bootstrap the VM would never join: the node fails before any
// VM is ordered, naming what is wrong.
func TestProvisionWithoutAUsableTemplateOrdersNoVM(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		secret *corev1.Secret
		want   string
	}{
		"no Secret":          {nil, `read the user-data Secret shop/boot`},
		"no key":             {&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "boot"}}, `has no key "userData"`},
		"template broken":    {bootstrapSecret("{{ .Hostname "), "parse the user-data template"},
		"unknown field used": {bootstrapSecret("{{ .Password }}"), "render the user-data template"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := newUnit(t)
			require.NoError(t, u.kube.CoreV1().Secrets("shop").Delete(t.Context(), "boot", metav1.DeleteOptions{}))
			if tc.secret != nil {
				_, err := u.kube.CoreV1().Secrets("shop").Create(t.Context(), tc.secret, metav1.CreateOptions{})
				require.NoError(t, err)
			}
			err := provision(t.Context(), u.n)
			var f *Failure
			require.ErrorAs(t, err, &f)
			require.Contains(t, f.Message, tc.want)
			require.Empty(t, u.cloud.Calls(cloudfake.OpCreateVM), "no VM without a bootstrap")
		})
	}
}

// Every replacement VM carries the tag naming installation, execution and
// old node, so the reconciler still knows it if its record is lost.
func TestProvisionTagsTheVMWithWhatItReplaces(t *testing.T) {
	t.Parallel()
	u := newUnit(t)
	require.NoError(t, provision(t.Context(), u.n))
	calls := u.cloud.Calls(cloudfake.OpCreateVM)
	require.Len(t, calls, 1)
	spec, ok := calls[0].Arg.(cloud.CreateSpec)
	require.True(t, ok, "%T", calls[0].Arg)
	got, ok := cloud.ReplacementOf(spec.Tags)
	require.True(t, ok, "tags %v", spec.Tags)
	require.Equal(t, cloud.Replacement{Installation: DefaultInstallation, Execution: u.n.r.x.ID(), OldNode: u.n.Old}, got)
}
