package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
	"github.com/vpsie/node-rebalancer/libs/cloud"
	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// kubeGroups are the managed cluster's VPSie groups, one per size the demo
// moves between (VPSie allows one group per size).
var kubeGroups = map[string]string{"workers-" + current: current, "workers-" + target: target}

// addManagedNodes is the managed mode's group: a VPSie Managed Kubernetes
// cluster named after the namespace with a group of each size, and the
// group's nodes added to the current size's group; each Node is given the
// NodeGroup's label once it registers, as the cluster's owner groups its
// nodes. It returns their providerIDs.
func addManagedNodes(ctx context.Context, cfg Config, sb *sandbox.Sandbox, c *vpsie.Client, simURL string) ([]string, error) {
	cluster, err := createKubeCluster(ctx, simURL, cfg.Namespace)
	if err != nil {
		return nil, err
	}
	groups, err := c.ListKubeGroups(ctx, cluster)
	if err != nil {
		return nil, err
	}
	offers, err := c.ListKubeOffers(ctx, datacenter)
	if err != nil {
		return nil, err
	}
	g, ok := cloud.GroupOfSize(groups, offers, current)
	if !ok {
		return nil, fmt.Errorf("cluster %s has no VPSie group of %s", cluster, current)
	}
	for range cfg.Nodes {
		if err := c.AddKubeNode(ctx, cluster, g.ID); err != nil {
			return nil, fmt.Errorf("add a node to VPSie group %s: %w", g.Name, err)
		}
	}
	kc, err := c.GetKubeCluster(ctx, cluster)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(kc.Nodes))
	for _, kn := range kc.Nodes {
		if err := labelWhenRegistered(ctx, sb, kn, cfg.Namespace); err != nil {
			return nil, err
		}
		ids = append(ids, kn.ProviderID())
	}
	cfg.logf("%d nodes added to VPSie group %s (%s) of cluster %s", len(ids), g.Name, current, cluster)
	return ids, nil
}

// labelWhenRegistered waits for kn's Node and puts it in the NodeGroup.
func labelWhenRegistered(ctx context.Context, sb *sandbox.Sandbox, kn cloud.KubeNode, group string) error {
	patch := fmt.Appendf(nil, `{"metadata":{"labels":{%q:%q}}}`, v1alpha1.LabelNodeGroup, group)
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, joinTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := sb.Client.CoreV1().Nodes().Patch(ctx, kn.Hostname, types.MergePatchType, patch, metav1.PatchOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
}

// createKubeCluster sets the managed cluster up through the simulator's
// control endpoint (VPSie creates clusters in its console) and returns
// its identifier.
func createKubeCluster(ctx context.Context, simURL, name string) (string, error) {
	type group struct {
		Name     string `json:"name"`
		Offering string `json:"offering"`
	}
	body := struct {
		Name       string  `json:"name"`
		Datacenter string  `json:"datacenter"`
		Groups     []group `json:"groups"`
	}{Name: name, Datacenter: datacenter}
	for n, size := range kubeGroups {
		body.Groups = append(body.Groups, group{Name: n, Offering: size})
	}
	doc, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, simURL+"/_sim/k8s/clusters", bytes.NewReader(doc))
	if err != nil {
		return "", err
	}
	req.Header.Set("Vpsie-Auth", simToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("create the managed cluster: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // read whole below; nothing to learn from closing
	var answer struct {
		Error   bool   `json:"error"`
		Message string `json:"message"`
		Data    struct {
			Identifier string `json:"identifier"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return "", fmt.Errorf("create the managed cluster: %s: %w", resp.Status, err)
	}
	if answer.Error || answer.Data.Identifier == "" {
		return "", fmt.Errorf("create the managed cluster: %s: %s", resp.Status, answer.Message)
	}
	return answer.Data.Identifier, nil
}
