package vpsiesim

import (
	"fmt"
	"net/http"
)

func (s *Sim) listDatacenters(*http.Request, *account) result {
	out := []datacenterJSON{}
	for _, dc := range s.opts.Catalog.Datacenters {
		out = append(out, datacenterJSON{Identifier: dc.ID, Name: dc.Name, Country: dc.Country, State: dc.State, IsActive: 1})
	}
	return result{data: out, total: len(out)}
}

func (s *Sim) listCategories(*http.Request, *account) result {
	out := []categoryJSON{}
	for _, c := range s.opts.Catalog.Categories {
		out = append(out, categoryJSON{Identifier: c.ID, Name: c.Name})
	}
	return result{data: out}
}

// listPlans answers the form-encoded POST /apps/v2/resources: the plans of
// one category (all when planCatIdentifier is empty) sold in a datacenter.
func (s *Sim) listPlans(r *http.Request, _ *account) result {
	if err := r.ParseForm(); err != nil {
		return fail(http.StatusBadRequest, "invalid form body")
	}
	dcID, cat := r.PostForm.Get("dcIdentifier"), r.PostForm.Get("planCatIdentifier")
	if dcID == "" || r.PostForm.Get("osIdentifier") == "" {
		return fail(http.StatusBadRequest, "dcIdentifier and osIdentifier are required")
	}
	dc, ok := s.opts.Catalog.Datacenter(dcID)
	if !ok || dc.ID != dcID {
		return fail(http.StatusNotFound, "datacenter not found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []planJSON{}
	for _, e := range s.opts.Catalog.In(dc.ID) {
		if (cat == "" || e.CategoryID == cat) && !s.unavailable(dc.ID, e.ID) {
			out = append(out, planJSON{
				Identifier: e.ID, Nickname: e.Name, CPU: e.CPU, RAM: fmt.Sprint(e.RAMMB),
				SSD: e.DiskGB, Traffic: e.TrafficGB, Price: fmt.Sprintf("%.2f", e.MonthlyPrice),
			})
		}
	}
	return result{data: out}
}

func (s *Sim) quota(_ *http.Request, a *account) result {
	s.mu.Lock()
	q := s.quotaOf(a)
	s.mu.Unlock()
	str := func(n int) string { return fmt.Sprint(n) }
	return result{data: quotaJSON{
		MaxVMs: str(q.MaxVMs), UsedVMs: str(q.UsedVMs), MaxCPU: str(q.MaxCPU), UsedCPU: str(q.UsedCPU),
		MaxRAMMB: str(q.MaxRAMMB), UsedRAMMB: str(q.UsedRAMMB),
	}}
}
