package vpsiesim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/testbed/catalog"
	"github.com/vpsie/node-rebalancer/testbed/vpsiesim"
)

// managed starts a booting simulator with one cluster "prod" and a group
// "web" of compute-4.
func managed(t *testing.T) (*vpsiesim.Server, *clocktesting.FakeClock, string, cloud.KubeGroup) {
	t.Helper()
	srv, clk, _ := booting(t)
	id := srv.AddKubeCluster("prod", catalog.NYC1)
	g, err := srv.AddKubeGroup(id, "web", "compute-4")
	require.NoError(t, err)
	return srv, clk, id, g
}

type kubeNode struct {
	Identifier string `json:"identifier"`
	Hostname   string `json:"hostname"`
	GroupID    string `json:"group_id"`
	NodeType   int    `json:"node_type"`
}

func clusterNodes(t *testing.T, srv *vpsiesim.Server, id string) []kubeNode {
	t.Helper()
	r := call(t, srv, token, http.MethodGet, "/apps/v2/k8s/cluster/byId/"+id, nil)
	require.False(t, r.Error, r.Message)
	var c struct {
		Identifier string     `json:"identifier"`
		Nodes      []kubeNode `json:"nodes"`
	}
	require.NoError(t, json.Unmarshal(r.Data, &c))
	require.Equal(t, id, c.Identifier)
	return c.Nodes
}

func addNode(t *testing.T, srv *vpsiesim.Server, cluster string, group int64) reply {
	t.Helper()
	return call(t, srv, token, http.MethodPost, fmt.Sprintf("/apps/v2/k8s/cluster/byId/%s/add/slave/group/%d", cluster, group), nil)
}

func TestAGroupOfOneSizePerCluster(t *testing.T) {
	t.Parallel()
	srv, _, id, web := managed(t)
	require.Equal(t, catalog.ID("cluster", "prod"), id)
	require.Equal(t, int64(1), web.ID)
	require.Equal(t, catalog.Default().KubeOfferID("compute-4"), web.OfferingID)

	_, err := srv.AddKubeGroup(id, "web-again", "compute-4")
	require.True(t, cloud.IsInvalid(err), "a second group of one size: %v", err)
	db, err := srv.AddKubeGroup(id, "db", "memory-4")
	require.NoError(t, err)
	require.Equal(t, int64(2), db.ID)
	_, err = srv.AddKubeGroup(catalog.ID("cluster", "nope"), "x", "compute-2")
	require.True(t, cloud.IsNotFound(err))
}

func TestAManagedNodeIsListedAtOnceAndJoinsWithItsGroupLabel(t *testing.T) {
	t.Parallel()
	srv, clk, kube := booting(t)
	id := srv.AddKubeCluster("prod", catalog.NYC1)
	g, err := srv.AddKubeGroup(id, "web", "compute-4")
	require.NoError(t, err)

	r := addNode(t, srv, id, g.ID)
	require.False(t, r.Error, r.Message)
	require.JSONEq(t, "true", string(r.Data), "the answer names no node")

	ns := clusterNodes(t, srv, id)
	require.Len(t, ns, 2, "the control plane and the new worker")
	require.Equal(t, 1, ns[0].NodeType, "the control plane comes first")
	w := ns[1]
	require.Equal(t, 2, w.NodeType)
	require.Equal(t, fmt.Sprint(g.ID), w.GroupID)
	require.Regexp(t, regexp.MustCompile(`^prod-web-[a-z0-9]{5}$`), w.Hostname)
	require.Empty(t, vms(t, srv), "managed nodes are not in the VM list")
	require.Equal(t, 1, srv.Stats().VMsCreated)
	q := call(t, srv, token, http.MethodGet, "/api/v2/account/quota", nil)
	require.Contains(t, string(q.Data), `"usedVms":"1"`, "the node counts against the quota")

	clk.Step(bootDelay)
	eventually(t, func() bool { return len(nodes(t, kube)) == 1 }, "it joins without a join token")
	n := nodes(t, kube)[0]
	require.Equal(t, w.Hostname, n.Name)
	require.Equal(t, "vpsie://"+w.Identifier, n.Spec.ProviderID)
	require.Equal(t, "web", n.Labels[vpsiesim.LabelKubeGroup])
	require.Equal(t, "compute-4", n.Labels[v1alpha1.LabelInstanceType])
	require.NotContains(t, n.Labels, v1alpha1.LabelNodeGroup, "the rebalancer labels it when it claims it")
	require.Equal(t, v1alpha1.KwokNodeValue, n.Annotations[v1alpha1.AnnotationKwokNode])

	del := call(t, srv, token, http.MethodDelete, "/apps/v2/k8s/cluster/byId/"+id+"/delete/slave", map[string]any{"identifier": w.Identifier})
	require.False(t, del.Error, del.Message)
	require.Empty(t, nodes(t, kube), "the Node is gone when the delete answers")
	require.Len(t, clusterNodes(t, srv, id), 1)
	again := call(t, srv, token, http.MethodDelete, "/apps/v2/k8s/cluster/byId/"+id+"/delete/slave", map[string]any{"identifier": w.Identifier})
	require.Equal(t, http.StatusNotFound, again.Status)
}

func TestGroupsOffersAndRefusals(t *testing.T) {
	t.Parallel()
	srv, _, id, web := managed(t)
	addNode(t, srv, id, web.ID)

	r := call(t, srv, token, http.MethodGet, "/apps/v2/k8s/node/groups/byClusterId/"+id, nil)
	require.False(t, r.Error, r.Message)
	require.JSONEq(t, fmt.Sprintf(`[{"id":%d,"group_name":"web","boxsize_id":%q,"nodes_count":1}]`, web.ID, web.OfferingID), string(r.Data))

	offers := call(t, srv, token, http.MethodPost, "/apps/v2/k8s/offers", map[string]any{"dcIdentifier": catalog.ID("datacenter", catalog.NYC1)})
	require.False(t, offers.Error, offers.Message)
	require.Contains(t, string(offers.Data), `"name":"compute-4"`)

	require.Equal(t, http.StatusNotFound, addNode(t, srv, id, 99).Status, "no such group")
	require.Equal(t, http.StatusNotFound, addNode(t, srv, catalog.ID("cluster", "other"), web.ID).Status, "no such cluster")
	require.NoError(t, srv.SetQuota(token, cloud.Quota{MaxVMs: 1, MaxCPU: 100, MaxRAMMB: 1 << 20}))
	full := addNode(t, srv, id, web.ID)
	require.Equal(t, http.StatusForbidden, full.Status)
	require.Contains(t, full.Message, "quota")
}

func TestAManagedGroupThatNeverJoins(t *testing.T) {
	t.Parallel()
	srv, clk, kube := booting(t)
	r := call(t, srv, token, http.MethodPut, "/_sim/faults", map[string]any{"neverJoinGroups": []string{"web"}})
	require.False(t, r.Error, r.Message)
	id := srv.AddKubeCluster("prod", catalog.NYC1)
	g, err := srv.AddKubeGroup(id, "web", "compute-4")
	require.NoError(t, err)
	addNode(t, srv, id, g.ID)
	clk.Step(bootDelay)
	require.Never(t, func() bool { return len(nodes(t, kube)) > 0 }, 100*time.Millisecond, 10*time.Millisecond)
}

func TestClusterSetupOverHTTPIsIdempotent(t *testing.T) {
	t.Parallel()
	srv := start(t, vpsiesim.Options{})
	body := map[string]any{"name": "prod", "datacenter": catalog.NYC1, "groups": []any{
		map[string]any{"name": "web", "offering": "compute-4"},
		map[string]any{"name": "db", "offering": "memory-4"},
	}}
	first := call(t, srv, token, http.MethodPost, "/_sim/k8s/clusters", body)
	require.False(t, first.Error, first.Message)
	second := call(t, srv, token, http.MethodPost, "/_sim/k8s/clusters", body)
	require.False(t, second.Error, second.Message)
	require.JSONEq(t, string(first.Data), string(second.Data), "the same cluster and groups, twice")
	require.Contains(t, string(first.Data), catalog.ID("cluster", "prod"))

	clash := call(t, srv, token, http.MethodPost, "/_sim/k8s/clusters", map[string]any{"name": "prod", "datacenter": catalog.NYC1,
		"groups": []any{map[string]any{"name": "web2", "offering": "compute-4"}}})
	require.Equal(t, http.StatusBadRequest, clash.Status, "two groups of one size")
}

func TestAManagedAddCanFailAfterItsEffect(t *testing.T) {
	t.Parallel()
	srv, _, id, web := managed(t)
	require.NoError(t, srv.SetEndpointFaults(vpsiesim.EndpointK8sAdd, vpsiesim.EndpointFaults{
		ErrorRate: 1, Statuses: []int{502}, AfterEffectRate: 1,
	}))
	r := addNode(t, srv, id, web.ID)
	require.Equal(t, http.StatusBadGateway, r.Status)
	require.Len(t, clusterNodes(t, srv, id), 2, "the node was added all the same")
}
