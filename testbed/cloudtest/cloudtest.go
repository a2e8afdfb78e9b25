// Package cloudtest is the contract every cloud.Provider keeps: the same
// suite runs against the fake (cloudfake) and against the VPSie client
// talking to the simulator (vpsie + vpsiesim), so the fake cannot drift
// from what the real client does.
package cloudtest

import (
	"crypto/rand"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
)

// Faults are the conditions the suite sets up in a provider's cloud.
// Datacenter and offering arguments are identifiers or names.
type Faults interface {
	// LimitVMs lets the account hold at most n VMs.
	LimitVMs(n int)
	// MakeUnavailable stops the datacenter selling the offering.
	MakeUnavailable(datacenter, offering string)
}

// Kube seeds managed Kubernetes clusters in a provider's cloud, as
// cloudfake.Provider and vpsiesim.Sim do.
type Kube interface {
	// AddKubeCluster creates an empty cluster and returns its identifier.
	AddKubeCluster(name, datacenter string) string
	// AddKubeGroup adds a node group of the offering (a name).
	AddKubeGroup(cluster, name, offering string) (cloud.KubeGroup, error)
}

// Subject is one provider under test and the handles on its cloud.
type Subject struct {
	Provider cloud.Provider
	Faults   Faults
	Kube     Kube
}

// Run runs the contract. newSubject is called once per subtest and must
// return a provider over a fresh, empty account selling catalog.Default().
func Run(t *testing.T, newSubject func(t *testing.T) Subject) {
	t.Run("catalogue", func(t *testing.T) { t.Parallel(); runCatalogue(t, newSubject) })
	t.Run("vm lifecycle", func(t *testing.T) { t.Parallel(); runLifecycle(t, newSubject) })
	t.Run("create errors", func(t *testing.T) { t.Parallel(); runCreateErrors(t, newSubject) })
	t.Run("lookups", func(t *testing.T) { t.Parallel(); runLookups(t, newSubject) })
	t.Run("managed kubernetes", func(t *testing.T) { t.Parallel(); runManaged(t, newSubject) })
}

// Hostname returns a hostname no other test uses.
func Hostname(prefix string) string {
	return prefix + "-" + strings.ToLower(rand.Text()[:10])
}

// validSpec is the fixture every VM case starts from.
func validSpec() cloud.CreateSpec {
	return cloud.CreateSpec{
		Hostname:   Hostname("ct"),
		OfferingID: catalog.ID("offering", "compute-4"),
		Datacenter: catalog.NYC1,
		Labels:     map[string]string{v1alpha1.LabelNodeGroup: "web"},
		Taints:     []corev1.Taint{{Key: "dedicated", Value: "web", Effect: corev1.TaintEffectNoSchedule}},
		UserData:   "#cloud-config\n",
	}
}
