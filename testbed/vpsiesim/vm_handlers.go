package vpsiesim

import (
	"encoding/json"
	"io"
	"net/http"
)

// createRequest is the part of POST /api/v2/vm the simulator reads.
type createRequest struct {
	ResourceIdentifier string   `json:"resourceIdentifier"`
	OSIdentifier       string   `json:"osIdentifier"`
	ProjectID          int64    `json:"projectId"`
	DCIdentifier       string   `json:"dcIdentifier"`
	Hostname           string   `json:"hostname"`
	Tags               []string `json:"tags"`
	UserData           string   `json:"userData"`
}

func (s *Sim) getVM(r *http.Request, a *account) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vms[r.PathValue("identifier")]
	if !ok || v.account != a || v.deleted {
		return fail(http.StatusNotFound, "VM not found")
	}
	return result{data: map[string]any{"vmData": v.json()}}
}

// createVM orders a VM. Like VPSie, the answer carries no identifier.
func (s *Sim) createVM(r *http.Request, a *account) result {
	var req createRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		return fail(http.StatusBadRequest, "invalid JSON body")
	}
	if req.Hostname == "" || req.ResourceIdentifier == "" || req.OSIdentifier == "" || req.DCIdentifier == "" {
		return fail(http.StatusBadRequest, "hostname, resourceIdentifier, osIdentifier and dcIdentifier are required")
	}
	dc, ok := s.opts.Catalog.Datacenter(req.DCIdentifier)
	if !ok || dc.ID != req.DCIdentifier {
		return fail(http.StatusNotFound, "datacenter not found")
	}
	e, ok := s.opts.Catalog.Offering(req.ResourceIdentifier)
	if !ok || e.ID != req.ResourceIdentifier {
		return fail(http.StatusNotFound, "resource not found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !e.AvailableIn(dc.ID) || s.unavailable(dc.ID, e.ID) {
		return fail(http.StatusBadRequest, "this resource is not available in the selected datacenter")
	}
	if q := s.quotaOf(a); !q.Allows(e.Offering) {
		return fail(http.StatusForbidden, "VM quota exceeded for this account")
	}
	v := s.addVM(a, req.Hostname, e, dc, req.Tags)
	v.userData = req.UserData
	s.scheduleBoot(v)
	return result{data: map[string]any{"message": "VM creation has been initiated"}}
}

// deleteVM deletes a VM; one already deleted answers 404, as one never made.
func (s *Sim) deleteVM(r *http.Request, a *account) result {
	var req struct {
		VMIdentifier string `json:"vmIdentifier"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.VMIdentifier == "" {
		return fail(http.StatusBadRequest, "vmIdentifier is required")
	}
	s.mu.Lock()
	v, ok := s.vms[req.VMIdentifier]
	if !ok || v.account != a || v.deleted {
		s.mu.Unlock()
		return fail(http.StatusNotFound, "VM not found or already deleted")
	}
	s.markDeleted(v)
	s.mu.Unlock()
	s.leave(v) // the Node goes before the answer, so callers see it gone
	return result{data: map[string]any{"message": "VM deleted"}}
}
