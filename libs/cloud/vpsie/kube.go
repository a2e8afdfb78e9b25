package vpsie

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

const k8sPath = "/apps/v2/k8s"

// ListKubeOffers implements cloud.ManagedKubernetes.
func (c *Client) ListKubeOffers(ctx context.Context, datacenter string) ([]cloud.Offering, error) {
	const op = "ListKubeOffers"
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	dc, err := c.datacenter(ctx, op, datacenter)
	if err != nil {
		return nil, err
	}
	body := struct {
		DCIdentifier string `json:"dcIdentifier"`
	}{dc.ID}
	data, err := do[[]kubeOfferData](ctx, c, request{op: op, method: http.MethodPost, path: k8sPath + "/offers", json: body})
	if err != nil {
		return nil, err
	}
	out := make([]cloud.Offering, 0, len(data))
	for _, d := range data {
		out = append(out, d.toOffering())
	}
	slices.SortStableFunc(out, cloud.CompareOfferings)
	return out, nil
}

// GetKubeCluster implements cloud.ManagedKubernetes; only worker nodes
// are listed (see workerNodeType).
func (c *Client) GetKubeCluster(ctx context.Context, cluster string) (cloud.KubeCluster, error) {
	const op = "GetKubeCluster"
	if cluster == "" {
		return cloud.KubeCluster{}, cloud.NewError(cloud.ErrInvalid, op, "a cluster identifier is required")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	d, err := do[kubeClusterData](ctx, c, request{op: op, method: http.MethodGet, path: clusterPath(cluster)})
	if err != nil {
		return cloud.KubeCluster{}, err
	}
	if d.Identifier == "" {
		return cloud.KubeCluster{}, cloud.NewError(cloud.ErrNotFound, op, "no cluster %q", cluster)
	}
	return d.toCluster(), nil
}

// ListKubeGroups implements cloud.ManagedKubernetes.
func (c *Client) ListKubeGroups(ctx context.Context, cluster string) ([]cloud.KubeGroup, error) {
	const op = "ListKubeGroups"
	if cluster == "" {
		return nil, cloud.NewError(cloud.ErrInvalid, op, "a cluster identifier is required")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	path := k8sPath + "/node/groups/byClusterId/" + url.PathEscape(cluster)
	data, err := do[[]kubeGroupData](ctx, c, request{op: op, method: http.MethodGet, path: path})
	if err != nil {
		return nil, err
	}
	out := make([]cloud.KubeGroup, 0, len(data))
	for _, g := range data {
		out = append(out, g.toGroup())
	}
	return out, nil
}

// AddKubeNode implements cloud.ManagedKubernetes.
//
// The add is not idempotent and names nothing, so an answer lost to a 5xx
// or a timeout may hide a node VPSie is already building: such a failure
// is returned at once (ErrTransient) for the caller to look before it asks
// again. Only a 429, which refuses the call before any work, is retried.
func (c *Client) AddKubeNode(ctx context.Context, cluster string, group int64) error {
	const op = "AddKubeNode"
	if cluster == "" || group <= 0 {
		return cloud.NewError(cloud.ErrInvalid, op, "a cluster identifier and a group id are required")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	post := request{op: op, method: http.MethodPost,
		path: clusterPath(cluster) + "/add/slave/group/" + strconv.FormatInt(group, 10)}
	var ambiguous error
	err := c.retry(ctx, func(ctx context.Context) error {
		err := c.send(ctx, post, nil) // `true` or an object: either way done
		if cloud.IsTransient(err) {
			ambiguous = err
			return nil // stops the retries: the node may exist
		}
		return err
	})
	if err != nil {
		return err
	}
	return ambiguous
}

// DeleteKubeNode implements cloud.ManagedKubernetes. A node already gone
// (NotFound, perhaps deleted by an earlier attempt whose answer was lost)
// counts as deleted; the cluster's existence is checked first so that a
// wrong cluster is not mistaken for a deleted node.
func (c *Client) DeleteKubeNode(ctx context.Context, cluster, node string) error {
	const op = "DeleteKubeNode"
	if cluster == "" || node == "" {
		return cloud.NewError(cloud.ErrInvalid, op, "a cluster and a node identifier are required")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	body := struct {
		Identifier string `json:"identifier"`
	}{node}
	_, err := do[ignored](ctx, c, request{op: op, method: http.MethodDelete, path: clusterPath(cluster) + "/delete/slave", json: body})
	if err == nil {
		c.recent.forget(node) // its VM goes with it
	}
	if !cloud.IsNotFound(err) {
		return err
	}
	if _, err := do[kubeClusterData](ctx, c, request{op: op, method: http.MethodGet, path: clusterPath(cluster)}); err != nil {
		return err // the cluster itself is missing (NotFound), or we cannot tell
	}
	return nil
}

func clusterPath(cluster string) string { return k8sPath + "/cluster/byId/" + url.PathEscape(cluster) }
