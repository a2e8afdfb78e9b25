package vpsiesim

import "net/http"

// routes maps the VPSie API's paths (libs/cloud/README.md), the quota endpoint of our design, and
// the control endpoint.
func (s *Sim) routes() {
	m := http.NewServeMux()
	m.Handle("GET /api/v2/vm", s.endpoint(EndpointVMList, false, s.listVMs))
	m.Handle("GET /api/v2/vm/{identifier}", s.endpoint(EndpointVMGet, false, s.getVM))
	m.Handle("POST /api/v2/vm", s.endpoint(EndpointVMCreate, true, s.createVM))
	m.Handle("DELETE /api/v2/vm", s.endpoint(EndpointVMDelete, true, s.deleteVM))
	m.Handle("GET /api/v2/plans/category", s.endpoint(EndpointPlanCategories, false, s.listCategories))
	m.Handle("POST /apps/v2/resources", s.endpoint(EndpointPlans, false, s.listPlans))
	m.Handle("GET /apps/v2/datacenter", s.endpoint(EndpointDatacenters, false, s.listDatacenters))
	m.Handle("GET /api/v2/account/quota", s.endpoint(EndpointQuota, false, s.quota))
	m.Handle("GET /apps/v2/vm/pending", s.endpoint(EndpointVMPending, false, s.listPending))

	const k8s = "/apps/v2/k8s"
	m.Handle("POST "+k8s+"/offers", s.endpoint(EndpointK8sOffers, false, s.listKubeOffers))
	m.Handle("GET "+k8s+"/cluster/byId/{uuid}", s.endpoint(EndpointK8sCluster, false, s.getKubeCluster))
	m.Handle("GET "+k8s+"/node/groups/byClusterId/{uuid}", s.endpoint(EndpointK8sGroups, false, s.listKubeGroups))
	m.Handle("POST "+k8s+"/cluster/byId/{uuid}/add/slave/group/{group}", s.endpoint(EndpointK8sAdd, true, s.addKubeNode))
	m.Handle("DELETE "+k8s+"/cluster/byId/{uuid}/delete/slave", s.endpoint(EndpointK8sDelete, true, s.deleteKubeNode))

	m.Handle("GET /_sim/faults", s.control(s.getFaults))
	m.Handle("PUT /_sim/faults", s.control(s.putFaults))
	m.Handle("DELETE /_sim/faults", s.control(s.deleteFaults))
	m.Handle("PUT /_sim/quota", s.control(s.putQuota))
	m.Handle("GET /_sim/stats", s.control(s.getStats))
	m.Handle("POST /_sim/k8s/clusters", s.control(s.putKubeCluster))

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		write(w, fail(http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path), injection{})
	})
	s.mux = m
}
