package vpsiesim

import (
	"errors"
	"net/http"
	"strconv"
)

// listVMs answers one page of GET /api/v2/vm: the account's listed VMs,
// oldest first, and their count as "total". Pages are chosen with
// page (from 1) and per_page, the names of govpsie's ListOptions;
// per_page is capped at Options.PageSize, the default when absent.
func (s *Sim) listVMs(r *http.Request, a *account) result {
	page, perPage, err := s.pageOf(r)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []vmJSON
	for _, v := range s.live(a) {
		if s.listed(v) {
			all = append(all, v.json())
		}
	}
	out := []vmJSON{}
	if from := (page - 1) * perPage; from < len(all) {
		out = all[from:min(from+perPage, len(all))]
	}
	return result{data: out, total: len(all)}
}

// pageOf reads page and per_page.
func (s *Sim) pageOf(r *http.Request) (page, perPage int, err error) {
	page, perPage = 1, s.opts.PageSize
	if v := r.URL.Query().Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, errBadPaging
		}
	}
	if v := r.URL.Query().Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 {
			return 0, 0, errBadPaging
		}
	}
	return page, min(perPage, s.opts.PageSize), nil
}

var errBadPaging = errors.New("page and per_page are positive integers")

// listPending answers GET /apps/v2/vm/pending: the account's VMs ordered
// but not listed yet (within the listing lag), in govpsie's PendingVm
// shape. Managed Kubernetes nodes are not shown (ASSUMPTION).
func (s *Sim) listPending(_ *http.Request, a *account) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []pendingJSON{}
	for _, v := range s.live(a) {
		if v.member == nil && !s.listed(v) {
			out = append(out, v.pendingJSON())
		}
	}
	return result{data: out}
}
