package testobj

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1alpha1 "github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// ClusterName is the VPSie Managed Kubernetes cluster NodeGroup's groups
// run in; ClusterID is its identifier, as the fake cloud derives it.
const ClusterName = "shop-cluster"

// ClusterID identifies cluster ClusterName: catalog.ID("cluster",
// ClusterName), written out because production packages (this one is
// not a _test file) never import the test harness; a test holds the two
// equal.
const ClusterID = "6f40bed4-8518-5e3f-8936-3a92da0b7811"

// ClusterMaker is the fake cloud's (or the simulator's) way to make
// managed clusters.
type ClusterMaker interface {
	AddKubeCluster(name, datacenter string) string
	AddKubeGroup(cluster, name, offering string) (cloud.KubeGroup, error)
}

// ManagedCluster adds cluster ClusterName in dc-nyc1 to the fake cloud,
// with one VPSie node group per size given, named after it.
func ManagedCluster(p ClusterMaker, sizes ...string) ([]cloud.KubeGroup, error) {
	cluster := p.AddKubeCluster(ClusterName, "dc-nyc1")
	groups := make([]cloud.KubeGroup, len(sizes))
	for i, size := range sizes {
		g, err := p.AddKubeGroup(cluster, size, size)
		if err != nil {
			return nil, err
		}
		groups[i] = g
	}
	return groups, nil
}

// UserDataSecretName is the Secret VMMode's groups read their template from.
const UserDataSecretName = "node-bootstrap"

// VMMode turns ng to the vm mode, its user data under the default key of
// Secret UserDataSecretName.
func VMMode(ng *v1alpha1.NodeGroup) *v1alpha1.NodeGroup {
	ng.Spec.Provisioning = v1alpha1.Provisioning{Mode: v1alpha1.ProvisioningVM,
		UserData: &v1alpha1.UserDataTemplate{SecretName: UserDataSecretName}}
	return ng
}

// UserDataSecret is the Secret VMMode's groups in namespace read, holding
// a template that joins a k3s agent.
func UserDataSecret(namespace string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: UserDataSecretName},
		Data: map[string][]byte{"userData": []byte("#cloud-config\nruncmd:\n" +
			"  - curl -sfL https://get.k3s.io | K3S_TOKEN=secret sh -s - agent --node-name {{.Hostname}} --node-label {{.KubeletLabels}}\n")},
	}
}
