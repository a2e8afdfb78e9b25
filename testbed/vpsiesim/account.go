package vpsiesim

import (
	"fmt"
	"net/http"

	"golang.org/x/time/rate"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// account is one VPSie customer: a token, a quota, a request budget.
type account struct {
	token   string
	quota   cloud.Quota // maxima; use is counted from the VMs
	limiter *rate.Limiter
}

// AddAccount adds (or replaces the quota of) the account authenticated by
// token. A zero quota is DefaultQuota.
func (s *Sim) AddAccount(token string, q cloud.Quota) {
	if q == (cloud.Quota{}) {
		q = DefaultQuota()
	}
	limit, burst := rate.Inf, 0
	if s.opts.RateLimit > 0 {
		limit, burst = rate.Limit(s.opts.RateLimit), max(1, int(2*s.opts.RateLimit))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[token] = &account{token: token, quota: q, limiter: rate.NewLimiter(limit, burst)}
}

// SetQuota changes the maxima of the account authenticated by token.
func (s *Sim) SetQuota(token string, q cloud.Quota) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[token]
	if !ok {
		return fmt.Errorf("vpsiesim: no account with that token")
	}
	a.quota = cloud.Quota{MaxVMs: q.MaxVMs, MaxCPU: q.MaxCPU, MaxRAMMB: q.MaxRAMMB}
	return nil
}

// authenticate returns the account of the request's Vpsie-Auth token.
func (s *Sim) authenticate(r *http.Request) (*account, bool) {
	token := r.Header.Get("Vpsie-Auth")
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[token]
	if !ok || token == "" {
		s.stats.Unauthorized++
	}
	return a, ok && token != ""
}

// quotaOf reports the account's maxima and use. The caller holds s.mu.
func (s *Sim) quotaOf(a *account) cloud.Quota {
	q := a.quota
	for _, v := range s.live(a) {
		q.UsedVMs++
		q.UsedCPU += v.offering.CPU
		q.UsedRAMMB += v.offering.RAMMB
	}
	if s.faults.QuotaExhausted {
		q.MaxVMs = q.UsedVMs
	}
	return q
}
