package vpsiesim

import (
	"net/http"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// kubeClusterSetup is the body of POST /_sim/k8s/clusters.
type kubeClusterSetup struct {
	Name       string `json:"name"`
	Datacenter string `json:"datacenter"`
	Groups     []struct {
		Name     string `json:"name"`
		Offering string `json:"offering"`
	} `json:"groups"`
}

// kubeClusterCreated is its answer.
type kubeClusterCreated struct {
	Identifier string            `json:"identifier"`
	Name       string            `json:"name"`
	Groups     []kubeGroupJSON   `json:"groups"`
	Offerings  map[string]string `json:"offerings"` // group name → offering name
}

// putKubeCluster creates the calling account's managed cluster and its
// groups. It is idempotent: a cluster or group that already exists as
// asked is reused, so two test processes may both set one up. A group
// that clashes (same name or size, different other) is refused.
func (s *Sim) putKubeCluster(r *http.Request, a *account) result {
	var req kubeClusterSetup
	if err := decodeStrict(r, &req); err != nil || req.Name == "" || req.Datacenter == "" {
		return fail(http.StatusBadRequest, `a cluster is {"name","datacenter","groups":[{"name","offering"}]}`)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.ensureCluster(a, req.Name, req.Datacenter)
	if err != nil {
		return failWith(err)
	}
	out := kubeClusterCreated{Identifier: c.identifier, Name: c.name, Groups: []kubeGroupJSON{}, Offerings: map[string]string{}}
	for _, want := range req.Groups {
		g, err := s.ensureGroup(c, want.Name, want.Offering)
		if err != nil {
			return failWith(err)
		}
		out.Groups = append(out.Groups, groupJSON(s.kubeGroup(c, g)))
		out.Offerings[g.name] = g.offering.Name
	}
	return result{data: out}
}

// failWith answers a cloud error with the status VPSie would use for it.
func failWith(err error) result {
	if cloud.IsNotFound(err) {
		return fail(http.StatusNotFound, err.Error())
	}
	return fail(http.StatusBadRequest, err.Error())
}
