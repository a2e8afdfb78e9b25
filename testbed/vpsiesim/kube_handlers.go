package vpsiesim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// listKubeOffers answers POST /apps/v2/k8s/offers {dcIdentifier}: the
// node sizes sold for managed clusters in the datacenter.
func (s *Sim) listKubeOffers(r *http.Request, _ *account) result {
	var req struct {
		DCIdentifier string `json:"dcIdentifier"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.DCIdentifier == "" {
		return fail(http.StatusBadRequest, "dcIdentifier is required")
	}
	dc, ok := s.opts.Catalog.Datacenter(req.DCIdentifier)
	if !ok || dc.ID != req.DCIdentifier {
		return fail(http.StatusNotFound, "datacenter not found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []kubeOfferJSON{}
	for _, e := range s.opts.Catalog.In(dc.ID) {
		if !s.unavailable(dc.ID, e.ID) {
			out = append(out, kubeOffer(s.opts.Catalog.KubeOfferID(e.Name), e.Offering))
		}
	}
	return result{data: out}
}

// clusterOf finds the account's cluster named by the path's {uuid}.
// The caller holds s.mu.
func (s *Sim) clusterOf(r *http.Request, a *account) (*cluster, *apiError) {
	c, ok := s.clusters[r.PathValue("uuid")]
	if !ok || c.account != a {
		return nil, &apiError{http.StatusNotFound, "cluster not found"}
	}
	return c, nil
}

// getKubeCluster answers GET /apps/v2/k8s/cluster/byId/{uuid}: the cluster
// with its control-plane node and its workers, building ones included.
func (s *Sim) getKubeCluster(r *http.Request, a *account) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.clusterOf(r, a)
	if err != nil {
		return result{err: err}
	}
	return result{data: s.clusterJSON(c)}
}

// listKubeGroups answers GET /apps/v2/k8s/node/groups/byClusterId/{uuid}.
func (s *Sim) listKubeGroups(r *http.Request, a *account) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.clusterOf(r, a)
	if err != nil {
		return result{err: err}
	}
	out := []kubeGroupJSON{}
	for _, g := range c.groups {
		out = append(out, groupJSON(s.kubeGroup(c, g)))
	}
	return result{data: out, total: len(out)}
}

// addKubeNode answers POST .../cluster/byId/{uuid}/add/slave/group/{group}
// with a bare `true`: like VPSie, it does not name the node it starts.
func (s *Sim) addKubeNode(r *http.Request, a *account) result {
	id, err := strconv.ParseInt(r.PathValue("group"), 10, 64)
	if err != nil {
		return fail(http.StatusBadRequest, "the group id is numeric")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.clusterOf(r, a)
	if apiErr != nil {
		return result{err: apiErr}
	}
	g := c.group(id)
	if g == nil {
		return fail(http.StatusNotFound, fmt.Sprintf("node group %d not found in this cluster", id))
	}
	if q := s.quotaOf(a); !q.Allows(g.offering.Offering) {
		return fail(http.StatusForbidden, "VM quota exceeded for this account")
	}
	s.addNode(c, g)
	return result{data: true}
}

// deleteKubeNode answers DELETE .../cluster/byId/{uuid}/delete/slave
// {identifier}: the node's VM and its Node are gone before the answer. A
// node not in the cluster (or already deleted) answers 404.
func (s *Sim) deleteKubeNode(r *http.Request, a *account) result {
	var req struct {
		Identifier string `json:"identifier"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.Identifier == "" {
		return fail(http.StatusBadRequest, "identifier is required")
	}
	s.mu.Lock()
	c, apiErr := s.clusterOf(r, a)
	if apiErr != nil {
		s.mu.Unlock()
		return result{err: apiErr}
	}
	v, ok := s.vms[req.Identifier]
	if !ok || v.deleted || v.member == nil || v.member.cluster != c {
		s.mu.Unlock()
		return fail(http.StatusNotFound, "node not found in this cluster")
	}
	s.markDeleted(v)
	s.mu.Unlock()
	s.leave(v)
	return result{data: true}
}

// group finds a group by id; nil when there is none.
func (c *cluster) group(id int64) *group {
	for _, g := range c.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}
