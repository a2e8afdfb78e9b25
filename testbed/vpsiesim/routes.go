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

	m.Handle("GET /_sim/faults", s.control(s.getFaults))
	m.Handle("PUT /_sim/faults", s.control(s.putFaults))
	m.Handle("DELETE /_sim/faults", s.control(s.deleteFaults))
	m.Handle("PUT /_sim/quota", s.control(s.putQuota))
	m.Handle("GET /_sim/stats", s.control(s.getStats))

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		write(w, fail(http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path), injection{})
	})
	s.mux = m
}
